"""Shared by the logging patches (APIGW004, LAM009, OUT001): log groups, formats, the API
Gateway account role, and whether a Lambda role may write to a log group."""

from __future__ import annotations

import fnmatch
from typing import Any

from autofix.edits import Advice, Need, Proposal
from autofix.record import record
from autofix.values import (equals, get_att, getatt_target, if_, ref, ref_target, referenced_names, sub, sub_replace,
                            text_of)
from autofix.view import TemplateView

from .indexes import ByValue
from .parameters import condition
from .role_policies import policies_naming_role

LOG_GROUP = "AWS::Logs::LogGroup"
# Valid in CloudFormation and accepted by the guard rule's older list.
GUARD_SAFE_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
ACCOUNT = "AWS::ApiGateway::Account"


# CloudWatch Logs always encrypts log data at rest (with a key of its own); scanners ask for a
# customer-managed KMS key instead (checkov CKV_AWS_158, cfn_nag W84, guard
# CLOUDWATCH_LOG_GROUP_ENCRYPTED). cfn-fix does not add one by default: a key costs $1 a month
# plus requests, its policy must admit logs.<region>.amazonaws.com scoped by the
# aws:logs:arn encryption context, and once the key is disabled, deleted or its grant to
# the logs service revoked, the group's data can no longer be read. So new groups carry each
# scanner's own skip, with the reason, the way the access-log bucket does (autofix/model/buckets.py
# log_bucket); LAM009's kms_key_arn option encrypts them with a key the author manages.
UNENCRYPTED_REASON = "CloudWatch Logs encrypts it at rest; cfn-fix adds no KMS key (a cost, a key policy to keep)"


def log_group_metadata() -> dict:
    """Scanner suppressions, with their reason, for a log group without a customer-managed key."""
    return {
        "cfn_nag": {"rules_to_suppress": [{"id": "W84", "reason": UNENCRYPTED_REASON}]},
        "checkov": {"skip": [{"id": "CKV_AWS_158", "comment": UNENCRYPTED_REASON}]},
        "guard": {"SuppressedRules": ["CLOUDWATCH_LOG_GROUP_ENCRYPTED"]},
    }


def log_group(retention_days: int, condition: Any = None, name: Any = None, depends_on: str | None = None,
              kms_key: Any = None) -> dict:
    """A new log group resource; Delete, because a retained group blocks re-creating its name.

    With `kms_key` (a key ARN whose policy admits the logs service) the group is encrypted
    with it; without, it carries the scanners' skips and their reason.
    """
    resource: dict[str, Any] = {"Type": LOG_GROUP}
    if condition is not None:
        resource["Condition"] = condition
    if depends_on:
        resource["DependsOn"] = depends_on
    resource["DeletionPolicy"] = "Delete"
    resource["UpdateReplacePolicy"] = "Delete"
    props: dict[str, Any] = {}
    if name is not None:
        props["LogGroupName"] = name
    props["RetentionInDays"] = retention_days
    if kms_key:
        props["KmsKeyId"] = kms_key
    resource["Properties"] = props
    if not kms_key:
        resource["Metadata"] = log_group_metadata()
    return resource


# ---------------------------------------------------------------- API Gateway account role


# Deploy-time opt-out of the account-wide setting: the parameter's values and the condition on it.
ACCOUNT_ROLE_VALUES = ("create", "existing")


@record(frozen=True)
class AccountRole:
    """The AWS::ApiGateway::Account that logging waits for, and the condition it exists under.

    DependsOn cannot name a resource whose condition may be false (CloudFormation fails with
    "Unresolved resource dependencies"; cfn-lint E3005), so a conditional Account is waited
    for through a `Fn::If` reference in Metadata, which CloudFormation also orders by.
    """

    account: str
    condition: str | None = None

    @property
    def depends_on(self) -> str | None:
        """The DependsOn that orders a new resource after an unconditional Account."""
        return None if self.condition else self.account

    def attach(self, resource: dict) -> dict:
        """A copy of the new `resource` that also waits for a conditional Account (when created)."""
        if self.condition is None:
            return resource
        metadata = dict(resource.get("Metadata") or {})
        metadata["ApiGatewayAccountReady"] = if_(self.condition, ref(self.account), "")
        return {**resource, "Metadata": metadata}


def ensure_account(view: TemplateView, users: list[str | None], managed_elsewhere: bool,
                   parameter: str = "ApiGatewayAccountRole") -> tuple[AccountRole | None, list[Proposal]]:
    """The AWS::ApiGateway::Account that logging must wait for, and proposals adding it.

    `users` are the resources that start logging (None for an implicit SAM API). Reuses the
    template's Account; else adds a role and the Account under a condition on `parameter`
    ("create" by default, so a fresh account can log; "existing" where another stack or the
    console already set the Region's role). Both are retained: the setting is account-wide,
    and other stacks' APIs keep using the role after this stack is deleted.
    """
    if not users:
        return None, []
    anchor = next((u for u in users if u), None)
    where = ("Resources", anchor) if anchor else ("Resources",)
    existing = next(iter(view.of_type(ACCOUNT)), None)
    if existing is not None:
        rid, res = existing
        condition = res.get("Condition")
        return AccountRole(rid, condition if isinstance(condition, str) else None), []
    if managed_elsewhere:
        return None, [Advice(where, f"{anchor or 'implicit API'}: API Gateway logging needs the account-"
                             "level CloudWatch Logs role in this Region (account_role_managed_elsewhere "
                             "is set, so none was added)")]
    parameter, name, proposals = _opt_out(view, parameter)
    role = view.need_into(Need("Resources", "ApiGatewayCloudWatchRole", _retained("AWS::IAM::Role", name, {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                  "AmazonAPIGatewayPushToCloudWatchLogs")]}),
        f"{{name}}: role API Gateway uses to write CloudWatch Logs (retained; only when {parameter} is create)",
        after=anchor), proposals)
    account = view.need_into(Need("Resources", "ApiGatewayAccount", _retained(
        ACCOUNT, name, {"CloudWatchRoleArn": get_att(role, "Arn")}),
        f"{{name}}: sets the Region's API Gateway CloudWatch Logs role, an account-wide setting (the last stack "
        f"to set it wins); deploy with {parameter}=existing where the account already has one", after=anchor),
        proposals)
    return AccountRole(account, name), proposals


def _opt_out(view: TemplateView, parameter: str) -> tuple[str, str, list[Proposal]]:
    """(parameter, condition) the Account and its role are created under, and the edits adding
    them; a same-named parameter or condition of another meaning is not reused."""
    spec = {"Type": "String", "Default": ACCOUNT_ROLE_VALUES[0], "AllowedValues": list(ACCOUNT_ROLE_VALUES),
            "Description": "create: this stack sets the Region's API Gateway CloudWatch Logs role (an "
                           "account-wide setting; the last stack to set it wins). existing: the account "
                           "already has one (another stack or the console), so this stack adds none"}
    proposals: list[Proposal] = []
    chosen = view.need_into(Need(
        "Parameters", parameter, spec, "add parameter {name} (create or existing: whether this stack sets the "
        "account-wide API Gateway logging role)",
        lambda found: None if isinstance(found, dict) and found.get("AllowedValues") == spec["AllowedValues"]
        else "is another parameter"), proposals)
    created = view.need_into(condition(f"Create{chosen}", equals(ref(chosen), ACCOUNT_ROLE_VALUES[0]),
                                       f"add condition {{name}} ({chosen} is create)"), proposals)
    return chosen, created, proposals


def _retained(kind: str, condition: str | None, props: dict) -> dict:
    resource: dict[str, Any] = {"Type": kind}
    if condition:
        resource["Condition"] = condition
    return {**resource, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": props}


# ---------------------------------------------------------------- Lambda log groups


@record
class LogGroups:
    """The template's log groups by their LogGroupName: lists of (file position, id, ...) in file order."""

    by_name: ByValue  # the value itself, found by ==: (position, id)
    by_text: dict[str, list[tuple[int, str]]]  # its text_of
    by_ref: dict[str, list[tuple[int, str, str | None]]]  # each name it refers to: (position, id, text)


def log_groups(view: TemplateView) -> LogGroups:
    """Index of the log groups; use as `view.memo(log_groups)`, so it is built once per view."""
    groups = LogGroups(ByValue(), {}, {})
    for pos, (gid, group) in enumerate(view.of_type(LOG_GROUP)):
        name = view.props(group).get("LogGroupName")
        text = text_of(name)
        groups.by_name.add(name, (pos, gid))
        if text is not None:
            groups.by_text.setdefault(text, []).append((pos, gid))
        for target in set(referenced_names(name)):
            groups.by_ref.setdefault(target, []).append((pos, gid, text))
    return groups


def function_group(view: TemplateView, fid: str, props: dict) -> str | None:
    """A log group of the template for the function's own /aws/lambda/<name> group, if any.

    The first in file order that refers to the function (in a /aws/lambda/ name, or a name that
    is not plain text), or whose name is /aws/lambda/ and the function's FunctionName.
    """
    own = text_of(props.get("FunctionName"))
    groups = view.memo(log_groups)
    found = [(pos, gid) for pos, gid, text in groups.by_ref.get(fid, ())
             if text is None or "/aws/lambda/" in text]
    if own is not None:
        found += groups.by_text.get(f"/aws/lambda/{own}", [])
    return min(found)[1] if found else None


# What reads a log group by its name: moving a function's logs to another group leaves them
# reading nothing (a metric filter whose alarm never fires, a subscription that ships no more).
GROUP_READERS = {"AWS::Logs::MetricFilter": "LogGroupName", "AWS::Logs::SubscriptionFilter": "LogGroupName",
                 "AWS::Logs::QueryDefinition": "LogGroupNames"}


@record
class GroupReaders:
    """The readers of GROUP_READERS' types by the log group names they read: (order, id)."""

    by_text: dict[str, list[tuple[int, str]]]  # a name written as text (text_of)
    by_ref: dict[str, list[tuple[int, str]]]  # each id a /aws/lambda/ name built otherwise refers to


def group_readers(view: TemplateView) -> GroupReaders:
    """Index of the template's log group readers; use as `view.memo(group_readers)`, built once
    per view rather than scanned for every function."""
    readers = GroupReaders({}, {})
    order = 0
    for kind, key in GROUP_READERS.items():
        for rid, res in view.of_type(kind):
            value = view.props(res).get(key)
            for name in value if isinstance(value, list) else [value]:
                text = text_of(name)
                if text is not None:
                    readers.by_text.setdefault(text, []).append((order, rid))
                elif "/aws/lambda/" in str(name):
                    for target in set(referenced_names(name)):
                        readers.by_ref.setdefault(target, []).append((order, rid))
            order += 1
    return readers


def default_group_readers(view: TemplateView, fid: str, props: dict) -> list[str]:
    """The filters and queries of the template that read the group Lambda writes the function's
    logs to today, /aws/lambda/<its name>: by that name as text, or by a name that refers to the
    function and is not plain text (`!Join ['', [/aws/lambda/, !Ref Fn]]`)."""
    own = text_of(props.get("FunctionName"))
    wanted = {f"/aws/lambda/${{{fid}}}"} | ({f"/aws/lambda/{own}"} if own is not None else set())
    readers = view.memo(group_readers)
    found = [hit for text in wanted for hit in readers.by_text.get(text, ())] + readers.by_ref.get(fid, [])
    return [rid for _, rid in sorted(set(found))]


def group_names(view: TemplateView) -> set[str]:
    """Texts of the log group names the template declares."""
    return set(view.memo(log_groups).by_text)


# Managed policies that allow logs:PutLogEvents on any group.
_LOGS_POLICIES = {"AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaExecute",
                  "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole",
                  "AWSLambdaSQSQueueExecutionRole", "AWSLambdaMSKExecutionRole", "CloudWatchLogsFullAccess",
                  "AdministratorAccess", "PowerUserAccess"}
_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
           "AWS::StackName": "STACK"}


def role_writes_logs(view: TemplateView, res: dict, group_name: str) -> bool | None:
    """Whether the function's role may write to a group named `group_name` (a Sub text).

    True or False when the role is in the template and readable; None when it cannot be told.
    """
    props = view.props(res)
    role = props.get("Role")
    if role is None and res.get("Type") == "AWS::Serverless::Function":
        role = view.globals("Function").get("Role")
        if role is None:
            return True  # SAM's generated role always has AWSLambdaBasicExecutionRole
    target = getatt_target(role)
    if target is None or view.type_of(target[0]) != "AWS::IAM::Role":
        return None
    sample = f"arn:aws:logs:us-east-1:123456789012:log-group:{_fill(group_name)}:log-stream:x"
    return _role_allows(view, target[0], sample)


def _fill(text: str) -> str:
    """Sub text with pseudo parameters made concrete and other variables made unmatchable."""
    return sub_replace(text, lambda variable: _PSEUDO.get(variable, "\0"))


def _role_allows(view: TemplateView, role: str, sample: str) -> bool | None:
    props = view.props(view.resources[role])
    unknown = False
    documents = []
    arns = props.get("ManagedPolicyArns", [])
    for arn in arns if isinstance(arns, list) else [None]:
        text = text_of(arn)
        if text is not None and text.rsplit("/", 1)[-1] in _LOGS_POLICIES:
            return True
        if view.type_of(ref_target(arn) or "") == "AWS::IAM::ManagedPolicy":
            documents.append(view.props(view.resources[ref_target(arn)]).get("PolicyDocument"))
        elif text is None or ":iam::aws:policy/" not in text:
            unknown = True  # a customer policy we cannot read may grant it
    inline = props.get("Policies", [])
    if not isinstance(inline, list):
        unknown = True
    documents += [p.get("PolicyDocument") for p in inline if isinstance(p, dict)] if isinstance(inline, list) else []
    documents += [view.props(policy).get("PolicyDocument") for policy in policies_naming_role(view, role)]
    if any(_document_allows(doc, sample) for doc in documents):
        return True
    return None if unknown else False


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _document_allows(document: Any, sample: str) -> bool:
    if not isinstance(document, dict):
        return False
    for statement in _listed(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [a.lower() for a in _listed(statement.get("Action")) if isinstance(a, str)]
        if not any(fnmatch.fnmatchcase("logs:putlogevents", a) for a in actions):
            continue
        for resource in _listed(statement.get("Resource")):
            text = text_of(resource)
            if text is not None and fnmatch.fnmatchcase(sample, _fill(text)):
                return True
    return False

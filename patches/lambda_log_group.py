"""LAM009: every Lambda function logs to a log group of the stack that has a retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model.lambdas import FUNCTION_TYPES, SAM_FUNCTION
from autofix.model.serving import edge_reason
from autofix.model.logs import (
    GROUP_READERS,
    GUARD_SAFE_DAYS,
    default_group_readers,
    function_group,
    group_names,
    log_group,
    role_writes_logs,
)
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import first_free, ref, sub, text_of
from autofix.view import TemplateView


# Why a new group for a Lambda@Edge function holds nothing of its replicas (model.serving.edge_reason).
_EDGE_LOST = ("its replicas write their logs to /aws/lambda/us-east-1.<name> in the Region that runs them; a new "
              "group here would hold none of them")

class LambdaLogGroup(Patch):
    id = "LAM009"
    name = "lambda-log-group"
    title = "Give Lambda functions their own log group with a retention"
    safety = UNSAFE
    resource_types = (FUNCTION_TYPES + ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::Logs::LogGroup",
                                        "AWS::Lambda::Alias", "AWS::Lambda::Version") + tuple(GROUP_READERS))
    resolves = ()
    explanation = (
        "The /aws/lambda/<name> group Lambda creates on first use keeps logs forever and is not part\n"
        "of the stack. For each function without LoggingConfig.LogGroup (and without a declared group\n"
        "of that name), adds an AWS::Logs::LogGroup named /aws/lambda/${AWS::StackName}-<id> with\n"
        "RetentionInDays 30 and points LoggingConfig.LogGroup at it. The name never refers to the\n"
        "function (that would close a role/group/function cycle) and never re-declares the group\n"
        "Lambda already made (that fails with 'already exists'). Functions whose role visibly cannot\n"
        "write there are skipped. By default the group has no customer-managed KMS key (CloudWatch\n"
        "Logs encrypts it at rest; a key costs $1 a month and needs a policy for the logs service), so\n"
        "it carries checkov CKV_AWS_158, cfn_nag W84 and guard CLOUDWATCH_LOG_GROUP_ENCRYPTED skips\n"
        "with that reason. kms_key_arn (a key ARN; ${AWS::Region} and the like are substituted) sets\n"
        "KmsKeyId instead: a symmetric key whose policy allows logs.<region>.amazonaws.com\n"
        "kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* on the\n"
        "condition ArnLike kms:EncryptionContext:aws:logs:arn arn:aws:logs:<region>:<account>:\n"
        "log-group:*; a missing or disabled key fails the group's creation. Functions whose group\n"
        "/aws/lambda/<name> a metric filter, subscription filter or saved query of the template reads\n"
        "are skipped: their logs would leave what reads them; so are Lambda@Edge functions, whose\n"
        "replicas log in the Regions that run them. Unsafe: logs move to a new group."
    )

    class Options(PatchOptions):
        retention_days: int = 30
        kms_key_arn: str = ""  # empty: no customer-managed key, scanners' skips with the reason

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        days = self.options.retention_days
        if days not in GUARD_SAFE_DAYS:
            raise ValueError(f"retention {days} is not one of {GUARD_SAFE_DAYS}")
        key = _key(self.options.kms_key_arn)
        if not view.has_any(FUNCTION_TYPES):
            return  # every proposal serves a function
        shared = view.globals("Function").get("LoggingConfig")
        # Globals reach SAM functions only: a plain AWS::Lambda::Function beside them needs its own group.
        covered = [rid for rid, _ in view.of_type(SAM_FUNCTION)] if view.is_sam and isinstance(shared, dict) \
            and "LogGroup" in shared else []
        if covered:
            yield Skip(("Globals", "Function", "LoggingConfig", "LogGroup"), "Globals.Function: LoggingConfig."
                       f"LogGroup already sets the log group of {', '.join(covered)}; left as is")
        taken = group_names(view)
        moved = []
        for rid, res in view.of_type(*FUNCTION_TYPES):
            if rid in covered:
                continue
            props = view.props(res)
            config = props.get("LoggingConfig")
            if (isinstance(config, dict) and "LogGroup" in config) or function_group(view, rid, props):
                continue
            if config is not None and not isinstance(config, dict):
                yield Skip(("Resources", rid, "Properties", "LoggingConfig"),
                           f"{rid}: LoggingConfig is computed; set LogGroup by hand")
                continue
            if view.suppressed(rid, self):
                continue
            edge = edge_reason(view, rid, _EDGE_LOST)
            if edge:
                yield Skip(("Resources", rid), edge)
                continue
            readers = default_group_readers(view, rid, props)
            if readers:
                yield Skip(("Resources", rid), f"{rid}: {', '.join(readers)} read the group Lambda writes its logs "
                           "to today (/aws/lambda/<its name>); a new group would leave them reading nothing (a "
                           "metric filter's alarm never fires, a subscription ships nothing): set that group's "
                           "retention (aws logs put-retention-policy), or point them at a new group in the same change")
                continue
            name = _group_name(rid, text_of(props.get("FunctionName")), taken)
            writes = role_writes_logs(view, res, name)
            if writes is False:
                yield Skip(("Resources", rid, "Properties", "Role"),
                           f"{rid}: its role does not allow logs:PutLogEvents on {name}; grant it, "
                           "then add LoggingConfig.LogGroup")
                continue
            taken.add(name)
            group = view.unique_id(f"{rid}LogGroup")
            message = f"{rid}: log to a new group {group}, which keeps logs {days} days"  # one change, one line
            yield SetKey(("Resources", rid, "Properties", "LoggingConfig"), "LogGroup", ref(group), message)
            yield SetKey(("Resources",), group, log_group(days, res.get("Condition"), sub(name), kms_key=key),
                         message, after=rid)
            if writes is None:
                yield Advice(("Resources", rid, "Properties", "Role"),
                             f"{rid}: make sure its role may write to {name} (logs:CreateLogStream, "
                             "logs:PutLogEvents)")
            moved.append(rid)
        if moved:
            yield Advice(("Resources", moved[0]), f"{', '.join(moved)}: logs already written to "
                         "/aws/lambda/<function name> stay in the group Lambda created for them (no retention "
                         "by default); set its retention or delete it")


def _key(arn: str) -> Any:
    """The KmsKeyId value: a literal ARN, or a Fn::Sub where it names pseudo parameters."""
    if not arn:
        return None
    if not arn.startswith(("arn:", "${AWS::Partition}")) or ":kms:" not in arn.replace("${AWS::Partition}", "aws"):
        raise ValueError(f"kms_key_arn {arn!r} is not a KMS key ARN")
    return sub(arn) if "${" in arn else arn


def _group_name(rid: str, function_name: str | None, taken: set[str]) -> str:
    """/aws/lambda/${AWS::StackName}-<id>, unlike the function's own group and every declared group."""
    base = f"/aws/lambda/${{AWS::StackName}}-{rid.lower()}"
    if function_name is not None and f"/aws/lambda/{function_name}" == base:
        base += "-logs"
    return first_free(base, taken, sep="-")

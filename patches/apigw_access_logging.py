"""APIGW004: access and execution logging on API Gateway stages, with the account role they need."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from autofix.edits import Advice, Proposal, SetKey, Skip
from autofix.model.apis import (
    REST_STAGE,
    SAM_API,
    SAM_HTTP_API,
    SAM_TYPES,
    V2_STAGE,
    deployment_stage_skips,
    merge_default_entry,
    nothing_to_configure,
    props_path,
    sam_method_settings,
    sam_scope,
    sam_single_stage,
)
from autofix.model.logs import GUARD_SAFE_DAYS, AccountRole, ensure_account, log_group
from autofix.registry import UNSAFE, Patch, PatchOptions
from autofix.values import get_att, ref_target
from autofix.view import TemplateView

V2_API = "AWS::ApiGatewayV2::Api"

_ACCESS_FIELDS = ("requestId", "extendedRequestId", ("sourceIp", "identity.sourceIp"), "requestTime",
                  "httpMethod", "resourcePath", "status", "responseLatency", "integrationLatency")


def access_log_format(route_key: bool = False) -> str:
    """One-line JSON access-log format (cfn-facts §16); HTTP APIs log routeKey, not resourcePath."""
    fields = {}
    for field in _ACCESS_FIELDS:
        name, variable = field if isinstance(field, tuple) else (field, field)
        if route_key and name == "resourcePath":
            name = variable = "routeKey"
        fields[name] = f"$context.{variable}"
    return json.dumps(fields, separators=(",", ":"))


# A line of the REST format with typical values ($context.requestId a UUID, a 27-character
# requestTime ...): what one request adds to the access-log group.
_TYPICAL = {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "extendedRequestId": "Dl9D6FfnoAMF5yA=",
            "identity.sourceIp": "203.0.113.10", "requestTime": "04/Dec/2026:03:51:21 +0000",
            "httpMethod": "GET", "resourcePath": "/orders/{id}", "status": "200", "responseLatency": "45",
            "integrationLatency": "40"}
LOG_USD_PER_GB = 0.50  # CloudWatch Logs Standard ingestion, us-east-1
SECONDS_PER_MONTH = 30 * 24 * 3600


def access_log_cost(rps: float) -> str:
    """What ingesting one access-log line per request costs a month at `rps`."""
    line = len(re.sub(r"\$context\.([A-Za-z.]+)", lambda m: _TYPICAL.get(m.group(1), ""), access_log_format())) + 1
    gb = rps * line * SECONDS_PER_MONTH / 1e9
    return (f"Access-log cost: at {rps:,.0f} requests/s, one line of about {line} bytes per request is about "
            f"{gb:,.0f} GB a month, about ${gb * LOG_USD_PER_GB:,.0f} a month to ingest at ${LOG_USD_PER_GB:.2f}/GB "
            "(CloudWatch Logs Standard, us-east-1), plus storage for the retention; fewer fields in the Format, "
            "or a Kinesis Data Firehose destination (amazon-apigateway- stream name) to S3, cost less")


EXECUTION_LOGGING = {"LoggingLevel": "ERROR", "MetricsEnabled": True, "DataTraceEnabled": False}
# Per API kind (the SAM Globals section name): the access-log property and its format.
KINDS = {"Api": ("AccessLogSetting", access_log_format()),
         "HttpApi": ("AccessLogSettings", access_log_format(route_key=True)),
         "WebSocket": ("AccessLogSettings", json.dumps({f: f"$context.{v}" for f, v in (
             ("requestId", "requestId"), ("connectionId", "connectionId"), ("eventType", "eventType"),
             ("routeKey", "routeKey"), ("status", "status"), ("sourceIp", "identity.sourceIp"),
             ("requestTime", "requestTime"))}, separators=(",", ":")))}


class ApigwAccessLogging(Patch):
    id = "APIGW004"
    name = "apigw-access-logging"
    title = "Turn on API Gateway access and execution logging"
    safety = UNSAFE
    resource_types = (
        REST_STAGE,
        V2_STAGE,
        SAM_API,
        SAM_HTTP_API,
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Account",
        "AWS::Serverless::Function",
        "AWS::Serverless::StateMachine",
    )
    resolves = ("CKV_AWS_76", "CKV_AWS_95", "W69", "W46", "API_GW_STAGE_ACCESS_LOGGING_RULE")
    explanation = (
        "Each REST stage (AWS::ApiGateway::Stage, SAM Api) without AccessLogSetting gets a new log group\n"
        "(RetentionInDays 30), a one-line JSON access-log format, and '/*' '*' method settings\n"
        "LoggingLevel ERROR, MetricsEnabled true, DataTraceEnabled false. HTTP API stages (ApiGatewayV2,\n"
        "SAM HttpApi) get AccessLogSettings; WebSocket stages get them with connection and event fields.\n"
        "SAM's implicit APIs are reached through Globals. A SAM Api it logs gets OpenApiVersion '2.0'\n"
        "when it has none, so SAM deploys no unlogged extra stage named 'Stage' (see apigw-throttling).\n"
        "Account-wide setting: REST and WebSocket logging needs the Region's API Gateway CloudWatch Logs\n"
        "role, which AWS::ApiGateway::Account sets for the whole account and Region (every API in it; the\n"
        "last stack to set it wins). Unless the template has an Account or account_role_managed_elsewhere\n"
        "is set, a role and an Account are added under the condition CreateApiGatewayAccountRole, from the\n"
        "parameter ApiGatewayAccountRole: 'create' (default, so a fresh account can log) or 'existing'\n"
        "(deploy with it where another stack or the console already set the role: nothing account-wide is\n"
        "added). Both are retained on delete, so other stacks' APIs keep logging; each stack deployed with\n"
        "'create' leaves one role behind. The new log groups wait for the Account through a Fn::If\n"
        "reference in their Metadata (DependsOn cannot name a conditional resource).\n"
        "Cost: access logs are one record per request, about 300 bytes in this format: at 100k RPS\n"
        "about 2.6 TB a day, about $1,300 a day (~$39,000 a month) at $0.50/GB ingested (us-east-1),\n"
        "plus storage for the 30 days kept. Execution logs at ERROR add records for failed requests\n"
        "only; INFO or DataTraceEnabled would add several per request (and payloads), so they are not\n"
        "turned on. Unsafe: new billable log groups and an account-wide setting."
    )

    class Options(PatchOptions):
        retention_days: int = 30
        account_role_managed_elsewhere: bool = False
        account_role_parameter: str = "ApiGatewayAccountRole"
        target_rps: float = 0.0  # set from --target-rps: adds what the access logs cost at that rate

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        proposals = list(self._proposals(view))
        proposals += sam_single_stage(view, proposals)
        logged = next((p for p in proposals if isinstance(p, SetKey) and p.key in ("AccessLogSetting",
                                                                                  "AccessLogSettings")), None)
        if logged is not None and self.options.target_rps > 0:
            proposals.append(Advice(logged.path, access_log_cost(self.options.target_rps)))
        return new_resources_last(proposals)

    def _proposals(self, view: TemplateView) -> Iterator[Proposal]:
        if self.options.retention_days not in GUARD_SAFE_DAYS:
            raise ValueError(f"retention {self.options.retention_days} is not one of {GUARD_SAFE_DAYS}")
        if nothing_to_configure(view, self.resource_types):
            return
        yield from deployment_stage_skips(view, "access logging", ("AccessLogSetting",))
        rest = [rid for rid, res in view.of_type(REST_STAGE)
                if "AccessLogSetting" not in view.props(res) and not view.suppressed(rid, self)]
        sam_rest, sam_rest_globals, implicit_rest = self._sam_scope(view, "Api")
        http, sockets, others = self._v2_stages(view)
        users: list[str | None] = (rest + sam_rest + ([None] if implicit_rest and sam_rest_globals else [])
                                   + sockets)
        account, account_proposals = ensure_account(view, users, self.options.account_role_managed_elsewhere,
                                                     self.options.account_role_parameter)
        for rid in rest:
            group = view.unique_id(f"{rid}AccessLogGroup")
            message = f"{rid}: access logs to {group}, execution logging (errors only, no payloads)"
            yield from self._log_to(view, rid, "Api", group, account, message)
            yield from merge_default_entry(view, props_path(rid), EXECUTION_LOGGING, message, rid)
        yield from self._sam(view, "Api", sam_rest, sam_rest_globals, implicit_rest, account)
        for rid in sockets:
            yield from self._log_to_new_group(view, rid, "WebSocket", account)
        yield from account_proposals
        for rid in http:
            yield from self._log_to_new_group(view, rid, "HttpApi", None)
        for rid in others:
            yield Skip(props_path(rid), f"{rid}: its API is not in this template, so its protocol (HTTP or "
                       "WebSocket) and log format are unknown; add AccessLogSettings by hand")
        yield from self._sam(view, "HttpApi", *self._sam_scope(view, "HttpApi"), None)

    def _log_to_new_group(self, view: TemplateView, rid: str, kind: str,
                          account: AccountRole | None) -> Iterator[Proposal]:
        group = view.unique_id(f"{rid}AccessLogGroup")
        yield from self._log_to(view, rid, kind, group, account, f"{rid}: access logs to {group}")

    def _log_to(self, view: TemplateView, rid: str, kind: str, group: str, account: AccountRole | None,
                message: str) -> Iterator[Proposal]:
        key, log_format = KINDS[kind]
        yield SetKey(props_path(rid), key, {"DestinationArn": get_att(group, "Arn"), "Format": log_format}, message)
        yield SetKey(("Resources",), group, self._group(view.resources[rid].get("Condition"), account),
                     f"{rid}: access-log group {group}", after=rid)

    def _group(self, condition: str | None, account: AccountRole | None) -> dict:
        """A new access-log group; the stage that logs to it is created after it, so the group
        is what waits for the account's logging role."""
        if account is None:
            return log_group(self.options.retention_days, condition)
        return account.attach(log_group(self.options.retention_days, condition, depends_on=account.depends_on))

    def _sam_scope(self, view: TemplateView, kind: str) -> tuple[list[str], bool, bool]:
        """SAM APIs lacking access logs, whether Globals serves them, whether the implicit API needs it."""
        key = KINDS[kind][0]
        if key in view.globals(kind):
            return [], False, False
        ids = {id(res): rid for rid, res in view.of_type(SAM_TYPES[kind])}  # what sam_scope asks about

        def wanted(res: dict | None) -> bool:
            return res is None or (key not in view.props(res) and not view.suppressed(ids[id(res)], self))

        return sam_scope(view, kind, wanted)

    def _sam(self, view: TemplateView, kind: str, chosen: list[str], use_globals: bool, implicit: bool,
             account: AccountRole | None) -> Iterator[Proposal]:
        key, log_format = KINDS[kind]
        if key in view.globals(kind):
            yield Skip(("Globals", kind), f"Globals.{kind}: {key} already gives every SAM {kind} access logs; "
                       "left as is")
            return
        if use_globals:
            group = view.unique_id(f"{kind}AccessLogGroup")
            yield SetKey(("Resources",), group, self._group(None, account), f"Globals.{kind}: access-log group {group}")
            yield SetKey(("Globals", kind), key, {"DestinationArn": get_att(group, "Arn"), "Format": log_format},
                         f"Globals.{kind}: access logs to {group}")
        elif implicit:
            yield Skip(("Globals", kind), f"Globals.{kind}: the implicit API needs {key}, but Globals would "
                       "also reach APIs that have their own; set it by hand")
        for rid in chosen:
            if not use_globals:
                yield from self._log_to_new_group(view, rid, kind, account)
        if kind == "Api" and (chosen or (implicit and use_globals)):
            served = [view.resources[r] for r in chosen]
            yield from sam_method_settings(
                view, EXECUTION_LOGGING, "execution logging (errors only, no payloads)",
                lambda res: (implicit and use_globals) if res is None else any(res is s for s in served))

    def _v2_stages(self, view: TemplateView) -> tuple[list[str], list[str], list[str]]:
        """ApiGatewayV2 stages without access logs: HTTP API stages, WebSocket stages, and others."""
        http: list[str] = []
        sockets: list[str] = []
        others: list[str] = []
        for rid, res in view.of_type(V2_STAGE):
            props = view.props(res)
            if "AccessLogSettings" in props or view.suppressed(rid, self):
                continue
            api = ref_target(props.get("ApiId")) or ""
            protocol = view.props(view.resources[api]).get("ProtocolType") if view.type_of(api) == V2_API else None
            if protocol == "HTTP":
                http.append(rid)
            elif protocol == "WEBSOCKET":
                sockets.append(rid)
            else:
                others.append(rid)
        return http, sockets, others


def new_resources_last(proposals: Iterable[Proposal]) -> Iterator[Proposal]:
    """Edits inside existing resources first, then new resources: a resource added after X
    must not come before a key later added at the end of X (same text offset)."""
    held = []
    for proposal in proposals:
        if isinstance(proposal, SetKey) and proposal.path == ("Resources",):
            held.append(proposal)
        else:
            yield proposal
    yield from held

"""APIGW005: custom API domains accept TLS 1.2 and newer only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autofix.edits import Advice, Proposal, ReplaceValue, SetKey
from autofix.model.apis import SAM_API, SAM_HTTP_API, props_path
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.view import TemplateView

REST_DOMAIN = "AWS::ApiGateway::DomainName"
V2_DOMAIN = "AWS::ApiGatewayV2::DomainName"
TLS_1_2 = "TLS_1_2"
TLS_1_0 = "TLS_1_0"


class ApigwTlsPolicy(Patch):
    id = "APIGW005"
    name = "apigw-tls-policy"
    title = "Require TLS 1.2 on API Gateway custom domains"
    safety = SAFE
    resource_types = (REST_DOMAIN, V2_DOMAIN, SAM_API, SAM_HTTP_API)
    resolves = ("W62", "API_GW_DOMAIN_DENY_NON_TLS_TRAFFIC")
    explanation = (
        "Sets SecurityPolicy: TLS_1_2 on AWS::ApiGateway::DomainName, on each\n"
        "AWS::ApiGatewayV2::DomainName DomainNameConfigurations entry and on SAM Api/HttpApi Domain\n"
        "(Globals counts) where it is missing. An explicit TLS_1_0 is the author's choice and stays:\n"
        "advice says to raise it to TLS_1_2 (TLS 1.0/1.1 are deprecated; cfn_nag W62 flags that value)\n"
        "and that clients limited to TLS 1.0/1.1 then stop connecting (option upgrade_tls_1_0 = true\n"
        "raises it). TLS_1_2, enhanced policies\n"
        "(SecurityPolicy_*) and computed values are left alone; guard's rule accepts only TLS_1_2, so\n"
        "suppress it for enhanced policies."
    )

    class Options(PatchOptions):
        upgrade_tls_1_0: bool = False  # true: raise an explicit TLS_1_0 too (the user's decision)

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid, res in view.of_type(REST_DOMAIN):
            yield from self._policy(props_path(rid), view.props(res), rid)
        for rid, res in view.of_type(V2_DOMAIN):
            configs = view.props(res).get("DomainNameConfigurations")
            for index, config in enumerate(configs if isinstance(configs, list) else ()):
                if isinstance(config, dict):
                    path = props_path(rid) + ("DomainNameConfigurations", index)
                    yield from self._policy(path, config, f"{rid} DomainNameConfigurations[{index}]")
        if view.is_sam:
            yield from self._sam_domains(view)

    def _sam_domains(self, view: TemplateView) -> Iterator[Proposal]:
        for kind, sam_type in (("Api", SAM_API), ("HttpApi", SAM_HTTP_API)):
            global_domain = view.globals(kind).get("Domain")
            global_domain = global_domain if isinstance(global_domain, dict) else None
            if global_domain is not None:
                yield from self._policy(("Globals", kind, "Domain"), global_domain, f"Globals.{kind}.Domain")
            for rid, res in view.of_type(sam_type):
                domain = view.props(res).get("Domain")
                if not isinstance(domain, dict):
                    continue
                if global_domain is not None and "SecurityPolicy" not in domain:
                    continue  # SAM merges Domain with Globals, which now sets the policy
                yield from self._policy(props_path(rid) + ("Domain",), domain, f"{rid}.Domain")

    def _policy(self, path: tuple, mapping: dict[str, Any], where: str) -> Iterator[Proposal]:
        current = mapping.get("SecurityPolicy")
        if current is None:
            yield SetKey(path, "SecurityPolicy", TLS_1_2, f"{where}: accept TLS 1.2 and newer only")
        elif current == TLS_1_0 and self.options.upgrade_tls_1_0:
            yield ReplaceValue(path + ("SecurityPolicy",), TLS_1_2, f"{where}: raise TLS_1_0 to TLS_1_2 "
                               "(upgrade_tls_1_0; clients limited to TLS 1.0/1.1 can no longer connect)")
        elif current == TLS_1_0:
            # Raising it is a behaviour change for the domain's callers: theirs to decide, not a safe fix.
            yield Advice(path + ("SecurityPolicy",), f"{where}: SecurityPolicy TLS_1_0 also accepts TLS 1.0 and "
                         "1.1, which are deprecated (cfn_nag W62). Set it to TLS_1_2 once no client needs them: "
                         "clients limited to TLS 1.0/1.1 can then no longer connect (the $context.tlsVersion "
                         "access log variable shows what clients use)")

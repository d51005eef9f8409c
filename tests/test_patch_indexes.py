"""The patch helpers' per-view indexes answer exactly as the scans they replaced.

Each `_scan_*` below is the helper's loop before it was indexed; the template has several
candidates per lookup (the first in file order must win), names written as literals, Ref,
GetAtt, Sub and Join, and values that are equal without being identical.
"""

from __future__ import annotations

from typing import Any

from autofix.model import alarms as _alarms
from autofix.model import buckets as _s3
from autofix.model import iam as _iam
from autofix.model import lambdas as _lambda
from autofix.model import logs as _logging
from autofix.model.indexes import ByValue, value_key
from autofix.values import getatt_target, is_intrinsic, ref_target, referenced_names
from autofix.view import TemplateView

FN, SAM_FN, ALIAS, VERSION = "AWS::Lambda::Function", "AWS::Serverless::Function", "AWS::Lambda::Alias", \
    "AWS::Lambda::Version"
GROUP, BUCKET, POLICY = "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"


def _res(kind: str, **props: Any) -> dict:
    return {"Type": kind, "Properties": props}


def _template() -> dict:
    return {"Resources": {
        # functions: FnA and FnD share a literal name, FnB's is a Sub, FnC has none
        "FnA": _res(FN, FunctionName="alpha"),
        "FnB": _res(SAM_FN, FunctionName={"Fn::Sub": "${AWS::StackName}-beta"}),
        "FnC": _res(FN),
        "FnD": _res(FN, FunctionName="alpha"),
        # aliases and versions, naming their function by Ref, GetAtt (both forms) or through a version
        "VersionB": _res(VERSION, FunctionName={"Ref": "FnB"}),
        "AliasA1": _res(ALIAS, FunctionName={"Ref": "FnA"}),
        "VersionA": _res(VERSION, FunctionName={"Fn::GetAtt": ["FnA", "Arn"]}),
        "AliasB": _res(ALIAS, FunctionName={"Ref": "VersionB"}),
        "AliasA2": _res(ALIAS, FunctionName={"Fn::GetAtt": "FnA.Arn"}),
        "AliasLiteral": _res(ALIAS, FunctionName="alpha"),
        "VersionSub": _res(VERSION, FunctionName={"Fn::Sub": "${FnC}"}),
        "VersionA2": _res(VERSION, FunctionName={"Ref": "FnA"}),
        # log groups: two for FnA (Sub first, then the literal), a Join and others for FnC
        "GroupSubA": _res(GROUP, LogGroupName={"Fn::Sub": "/aws/lambda/${FnA}"}),
        "GroupLiteralA": _res(GROUP, LogGroupName="/aws/lambda/alpha"),
        "GroupOtherC": _res(GROUP, LogGroupName={"Fn::Sub": "/custom/${FnC}"}),
        "GroupJoinC": _res(GROUP, LogGroupName={"Fn::Join": ["", ["/aws/lambda/", {"Ref": "FnC"}]]}),
        "GroupSubB": _res(GROUP, LogGroupName={"Fn::Sub": "/aws/lambda/${AWS::StackName}-beta"}),
        "GroupRefC": _res(GROUP, LogGroupName={"Ref": "FnC"}),
        "GroupSubA2": _res(GROUP, LogGroupName={"Fn::Sub": "/aws/lambda/${FnA}"}),
        "GroupOdd": _res(GROUP, LogGroupName={1: "x", "a": ["b", {"c": 1.0}]}),
        "GroupNoName": _res(GROUP),
        # buckets: Data and Dup share a literal name, Logs has a Sub name; Computed is left out
        "Data": _res(BUCKET, BucketName="data-bucket", LoggingConfiguration={"DestinationBucketName": {
            "Ref": "Logs"}}),
        "Logs": _res(BUCKET, BucketName={"Fn::Sub": "${AWS::StackName}-logs"}),
        "Plain": _res(BUCKET, LoggingConfiguration={"DestinationBucketName": {
            "Fn::Sub": "${AWS::StackName}-logs"}}),
        "Dup": _res(BUCKET, BucketName="data-bucket", LoggingConfiguration={
            "DestinationBucketName": "data-bucket"}),
        "Computed": {"Type": BUCKET, "Properties": {"Fn::If": ["C", {"BucketName": "data-bucket"}, {}]}},
        "Count": _res(BUCKET, BucketName=1),
        # policies: by Ref, by the same literal or Sub name, through a computed value, elsewhere
        "P1": _res(POLICY, Bucket={"Ref": "Data"}),
        "P2": _res(POLICY, Bucket="data-bucket"),
        "P3": _res(POLICY, Bucket={"Fn::Sub": "${AWS::StackName}-logs"}),
        "P4": _res(POLICY, Bucket={"Fn::Sub": "${Plain}-x"}),
        "P5": _res(POLICY, Bucket="elsewhere"),
        "P6": _res(POLICY, Bucket={"Fn::GetAtt": ["Logs", "Arn"]}),
        "P7": _res(POLICY, Bucket=1.0),
        "P8": _res(POLICY),
    }}


def _values(view: TemplateView) -> list[Any]:
    """Lookup keys: every property value above, plus Ref / GetAtt / Sub of every id, plus misses."""
    found: list[Any] = ["alpha", "zzz", None, 1, True, {"Fn::Sub": "${AWS::StackName}-beta"}]
    for rid, res in view.resources.items():
        found += list(view.props(res).values())
        found += [{"Ref": rid}, {"Fn::GetAtt": [rid, "Arn"]}, {"Fn::GetAtt": f"{rid}.Arn"}, {"Fn::Sub": f"${{{rid}}}"}]
    return found


# ------------------------------------------------------------------ the scans they replaced


def _scan_aliases(view: TemplateView, kind: str, fn: str | None) -> list[str]:
    return [rid for rid, res in view.of_type(kind)
            if _lambda.named_function(view, view.props(res).get("FunctionName")) == fn]


def _scan_function_group(view: TemplateView, fid: str, props: dict) -> str | None:
    own = _alarms.text_of(props.get("FunctionName"))
    for gid, group in view.of_type(GROUP):
        name = view.props(group).get("LogGroupName")
        text = _alarms.text_of(name)
        if fid in set(referenced_names(name)) and (text is None or "/aws/lambda/" in text):
            return gid
        if own is not None and text == f"/aws/lambda/{own}":
            return gid
    return None


def _scan_log_group_named(view: TemplateView, names: list) -> str | None:
    """function_log_target's loop: the first group whose LogGroupName is one of `names`."""
    return next((lid for lid, log in view.of_type(GROUP) if view.props(log).get("LogGroupName") in names), None)


def _scan_bucket_ids(view: TemplateView) -> list[str]:
    return [rid for rid, res in view.of_type(BUCKET) if not is_intrinsic(res.get("Properties"))]


def _scan_bucket_named(view: TemplateView, value: Any) -> str | None:
    target = ref_target(value)
    if target is not None and view.type_of(target) == BUCKET:
        return target
    if value is None:
        return None
    return next((b for b in _scan_bucket_ids(view) if _s3.props_of(view, b).get("BucketName") == value), None)


def _scan_policies_of(view: TemplateView, rid: str) -> list[tuple[str, str]]:
    found = []
    for pid, res in view.of_type(POLICY):
        how = _s3._names_bucket(view, view.props(res).get("Bucket"), rid)
        if how:
            found.append((pid, how))
    return found


def _unmatched_policies(view: TemplateView) -> list[str]:
    """The indexed answer that `_s3.policy_of` reads for stray policies."""
    return list(view.memo(_s3._unmatched_policies))


def _scan_unmatched(view: TemplateView) -> list[str]:
    return [pid for pid, res in view.of_type(POLICY)
            if not any(_s3._names_bucket(view, view.props(res).get("Bucket"), b) for b in _scan_bucket_ids(view))]


def _scan_function_of_dimension(view: TemplateView, value: Any) -> str | None:
    functions = {rid: res for rid, res in view.of_type(FN, SAM_FN)}
    target = ref_target(value) or (getatt_target(value) or (None, None))[0]
    if target in functions:
        return target
    text = _alarms.text_of(value)
    for rid, res in functions.items():
        if text is not None and text == _alarms.text_of(view.props(res).get("FunctionName")):
            return rid
    return None


# ------------------------------------------------------------------ tests


def test_aliases_and_versions_match_the_scan() -> None:
    view = TemplateView(_template())
    for fn in [rid for rid, _ in view.of_type(FN, SAM_FN)] + [None, "Nope"]:
        assert _lambda.aliases_of(view, fn) == _scan_aliases(view, ALIAS, fn)
        assert _lambda.versions_of(view, fn) == _scan_aliases(view, VERSION, fn)
    assert _lambda.aliases_of(view, "FnA") == ["AliasA1", "AliasA2"]
    assert _lambda.aliases_of(view, "FnB") == ["AliasB"]  # through VersionB
    assert _lambda.versions_of(view, "FnA") == ["VersionA", "VersionA2"]
    assert _lambda.aliases_of(view, None) == ["AliasLiteral"]
    _lambda.aliases_of(view, "FnA").append("X")  # a copy: the memoised index is not changed
    assert _lambda.aliases_of(view, "FnA") == ["AliasA1", "AliasA2"]


def test_aliases_follow_the_data_after_invalidate() -> None:
    view = TemplateView(_template())
    assert _lambda.aliases_of(view, "FnC") == []
    view.resources["AliasC"] = _res(ALIAS, FunctionName={"Ref": "FnC"})
    view.invalidate()  # what the engine does after applying a patch's edits
    assert _lambda.aliases_of(view, "FnC") == _scan_aliases(view, ALIAS, "FnC") == ["AliasC"]


def test_log_group_lookups_match_the_scan() -> None:
    view = TemplateView(_template())
    functions = [rid for rid, _ in view.of_type(FN, SAM_FN)]
    for fid in functions + ["Data", "Nope"]:
        for value in _values(view):
            props = {"FunctionName": value}
            assert _logging.function_group(view, fid, props) == _scan_function_group(view, fid, props)
    for fid in functions:
        props = view.props(view.resources[fid])
        assert _logging.function_group(view, fid, props) == _scan_function_group(view, fid, props)
    assert _logging.function_group(view, "FnA", view.props(view.resources["FnA"])) == "GroupSubA"
    assert _logging.function_group(view, "FnC", {}) == "GroupJoinC"  # not GroupOtherC: not /aws/lambda/
    assert _logging.function_group(view, "FnB", view.props(view.resources["FnB"])) == "GroupSubB"
    texts = {_alarms.text_of(view.props(g).get("LogGroupName")) for _, g in view.of_type(GROUP)}
    assert _logging.group_names(view) == texts - {None}


def test_function_log_target_matches_the_scan() -> None:
    view = TemplateView(_template())
    for fid in [rid for rid, _ in view.of_type(FN, SAM_FN)]:
        literal = view.props(view.resources[fid]).get("FunctionName")
        names = [{"Fn::Sub": f"/aws/lambda/${{{fid}}}"}, {"Fn::Join": ["", ["/aws/lambda/", {"Ref": fid}]]}]
        if isinstance(literal, str):
            names.append(f"/aws/lambda/{literal}")
        target = _iam.function_log_target(view, fid)
        expected = _scan_log_group_named(view, names)
        assert (target.group if target and target.precreated else None) == expected
    assert _iam.function_log_target(view, "FnA").group == "GroupSubA"  # before GroupLiteralA, GroupSubA2
    assert _iam.function_log_target(view, "FnC").group == "GroupJoinC"
    assert _iam.function_log_target(view, "FnD").group == "GroupLiteralA"


def test_bucket_lookups_match_the_scan() -> None:
    view = TemplateView(_template())
    assert _s3.bucket_ids(view) == _scan_bucket_ids(view)
    for value in _values(view):
        assert _s3._bucket_named(view, value) == _scan_bucket_named(view, value)
    assert _s3._bucket_named(view, "data-bucket") == "Data"  # Dup (and Computed) come later
    assert _s3._bucket_named(view, {"Fn::Sub": "${AWS::StackName}-logs"}) == "Logs"
    assert _s3._bucket_named(view, 1.0) == _s3._bucket_named(view, True) == "Count"  # == as the scan
    for rid in view.resources:
        assert _s3.policies_of(view, rid) == _scan_policies_of(view, rid)
    assert _s3.policies_of(view, "Data") == [("P1", "exact"), ("P2", "exact")]
    assert _s3.policies_of(view, "Logs") == [("P3", "exact"), ("P6", "maybe")]
    assert _s3.policies_of(view, "Count") == [("P7", "exact")]
    assert _unmatched_policies(view) == _scan_unmatched(view) == ["P5", "P8"]
    assert _s3.access_log_destinations(view) == {"Logs": ["Data", "Plain"], "Data": ["Dup"]}


def test_function_of_dimension_matches_the_scan() -> None:
    view = TemplateView(_template())
    for value in _values(view):
        assert _alarms.function_of_dimension(view, value) == _scan_function_of_dimension(view, value)
    assert _alarms.function_of_dimension(view, "alpha") == "FnA"  # FnD has the same name, later
    assert _alarms.function_of_dimension(view, {"Fn::Sub": "${AWS::StackName}-beta"}) == "FnB"
    assert _alarms.function_of_dimension(view, {"Fn::GetAtt": "FnC.Arn"}) == "FnC"


def test_by_value_finds_what_equality_finds() -> None:
    index = ByValue()
    values = [1, 1.0, True, "1", {"a": 1, "b": [1, {"c": None}]}, {"b": [1.0, {"c": None}], "a": True},
              [1, 2], [2, 1], None, {1: "x"}, {"1": "x"}]
    for pos, value in enumerate(values):
        index.add(value, pos)
    for probe in values + [0, "x", [], {}]:
        assert index.find(probe) == [pos for pos, value in enumerate(values) if value == probe]
    deep: Any = "leaf"
    for _ in range(5000):  # nesting past the recursion limit: keys stop at a depth, and
        deep = [deep]       # find still tells values apart with ==
    assert value_key(deep) == value_key([[[[[[[[["other"]]]]]]]]])
    index.add(deep, "deep")
    assert index.find(deep) == ["deep"] and index.find([[[[[[[[["other"]]]]]]]]]) == []


def _scan_rest_methods_calling(view: TemplateView, fn: str) -> list[str]:
    """rest_methods_calling's loop before the index: every method, once per function."""
    names = _lambda.function_and_wrappers(view, fn)
    found = []
    for rid, _ in view.of_type("AWS::ApiGateway::Method"):
        uri = view.get(("Resources", rid, "Properties", "Integration", "Uri"))
        if uri is not None and names & set(referenced_names(uri)):
            found.append(rid)
    return found


def test_rest_methods_calling_matches_the_scan() -> None:
    data = _template()
    method = "AWS::ApiGateway::Method"
    uri = lambda value: _res(method, Integration={"Uri": value})  # noqa: E731
    data["Resources"].update({
        "M1": uri({"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${FnA.Arn}/invocations"}),
        "M2": uri({"Fn::Sub": ["arn:${X}/invocations", {"X": {"Ref": "AliasB"}}]}),
        "M3": uri({"Fn::Join": ["", ["arn:", {"Fn::GetAtt": ["FnC", "Arn"]}, "/invocations"]]}),
        "M4": _res(method),
        "M5": uri("arn:aws:lambda:literal"),
        "M6": uri({"Fn::Sub": "${FnA.Arn}${FnA.Arn}"}),
        "M7": uri({"Fn::Sub": "${VersionA}"}),
    })
    view = TemplateView(data)
    for fn in ("FnA", "FnB", "FnC", "FnD", "Missing"):
        assert _lambda.rest_methods_calling(view, fn) == _scan_rest_methods_calling(view, fn), fn
    assert _lambda.rest_methods_calling(view, "FnA") == ["M1", "M6", "M7"]  # file order, once each


def test_rest_methods_are_scanned_once_however_many_functions_ask(monkeypatch) -> None:
    resources = {}
    for i in range(20):
        resources[f"Fn{i}"] = _res(FN)
        resources[f"M{i}"] = _res("AWS::ApiGateway::Method", Integration={"Uri": {"Fn::Sub": f"${{Fn{i}.Arn}}"}})
    view = TemplateView({"Resources": resources})
    scans = []
    real = TemplateView.of_type
    monkeypatch.setattr(TemplateView, "of_type", lambda self, *types: (
        scans.append(types) if "AWS::ApiGateway::Method" in types else None, real(self, *types))[1])
    assert [_lambda.rest_methods_calling(view, f"Fn{i}") for i in range(20)] == [[f"M{i}"] for i in range(20)]
    assert len(scans) <= 1  # never a scan per function or role (they go through the referrers)


def _scan_naming(view: TemplateView, rtype: str, key: str, names: set[str]) -> list[str]:
    """The permission-source finders' loop before the index (LAM008): every resource of the type."""
    return [rid for rid, res in view.of_type(rtype) if names & set(referenced_names(view.props(res).get(key)))]


def test_permission_source_lookups_match_the_scan() -> None:
    data = _template()
    data["Resources"].update({
        "Rule1": _res("AWS::Events::Rule", Targets=[{"Arn": {"Fn::GetAtt": ["FnA", "Arn"]}, "Id": "a"}]),
        "Rule2": _res("AWS::Events::Rule", Targets=[{"Arn": {"Ref": "AliasB"}}, {"Arn": {"Fn::Sub": "${FnC.Arn}"}}]),
        "Rule3": _res("AWS::Events::Rule"),
        "Rule4": _res("AWS::Events::Rule", Targets={"Fn::If": ["C", [{"Arn": {"Ref": "FnA"}}], []]}),
        "Topic1": _res("AWS::SNS::Topic", Subscription=[{"Endpoint": {"Fn::GetAtt": "FnB.Arn"}, "Protocol": "lambda"}]),
        "Sub1": _res("AWS::SNS::Subscription", TopicArn={"Ref": "Topic1"}, Endpoint={"Fn::GetAtt": ["FnA", "Arn"]}),
        "Notify": _res(BUCKET, NotificationConfiguration={"LambdaConfigurations": [
            {"Function": {"Fn::GetAtt": ["FnA", "Arn"]}}, {"Function": {"Ref": "VersionB"}}]}),
    })
    view = TemplateView(data)
    lookups = [("AWS::Events::Rule", "Targets"), ("AWS::SNS::Topic", "Subscription"),
               ("AWS::SNS::Subscription", "Endpoint"), (BUCKET, "NotificationConfiguration")]
    for fn in ("FnA", "FnB", "FnC", "FnD", "Missing"):
        names = _lambda.function_and_wrappers(view, fn)
        for rtype, key in lookups:
            found = _lambda._naming(view, rtype, ("Properties", key), names)
            assert found == _scan_naming(view, rtype, key, names), (fn, rtype)
    assert _lambda._naming(view, "AWS::Events::Rule", ("Properties", "Targets"), {"FnA", "FnC"}) == \
        ["Rule1", "Rule2", "Rule4"]


def test_topic_policies_match_the_scan_of_every_resource() -> None:
    from autofix.semantics.alarms import TOPIC_POLICIES, _props, topic_policies, topic_problem

    resources = {
        "T1": {"Type": "AWS::SNS::Topic"}, "T2": {"Type": "AWS::SNS::Topic"},
        "P1": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "T1"}, {"Ref": "T2"}],
                                                               "PolicyDocument": {"Statement": []}}},
        "P2": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Fn::Sub": "${T2}"}]}},
        "P3": {"Type": "AWS::SNS::TopicInlinePolicy", "Properties": {"TopicArn": {"Ref": "T1"}}},
        "Other": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "T1"}]}},
        "Text": "not a resource",
    }
    index = topic_policies(resources)
    for topic in ("T1", "T2", "T3"):
        scan = [rid for rid, res in resources.items() if isinstance(res, dict) and res.get("Type") in TOPIC_POLICIES
                and topic in set(referenced_names([_props(res).get("Topics"), _props(res).get("TopicArn")]))]
        assert index.get(topic, []) == scan
        assert topic_problem(resources, topic, index) == topic_problem(resources, topic)


def test_policies_naming_a_role_match_the_scan_and_are_indexed_once(monkeypatch) -> None:
    from autofix.model.role_policies import POLICY_TYPES, policies_naming_role

    resources = {
        "RoleA": _res("AWS::IAM::Role"), "RoleB": _res("AWS::IAM::Role"),
        "P1": _res("AWS::IAM::Policy", Roles=[{"Ref": "RoleA"}, {"Ref": "RoleB"}]),
        "M1": _res("AWS::IAM::ManagedPolicy", Roles=[{"Ref": "RoleB"}]),
        "P2": _res("AWS::IAM::Policy", Roles=[{"Fn::If": ["C", {"Ref": "RoleA"}, {"Ref": "AWS::NoValue"}]}]),
        "P3": _res("AWS::IAM::Policy", Roles=["RoleA"]),  # a literal name, not a reference
        "P4": _res("AWS::IAM::Policy"),
    }
    view = TemplateView({"Resources": resources})
    scans = []
    real = TemplateView.of_type
    monkeypatch.setattr(TemplateView, "of_type", lambda self, *types: (scans.append(types), real(self, *types))[1])
    for role in ("RoleA", "RoleB", "RoleC"):
        scan = [res for _, res in real(view, *POLICY_TYPES) if role in set(referenced_names(view.props(res).get("Roles")))]
        assert policies_naming_role(view, role) == scan
    assert policies_naming_role(view, "RoleA") == [resources["P1"], resources["P2"]]
    assert len(scans) <= 1  # never a scan per function or role (they go through the referrers)

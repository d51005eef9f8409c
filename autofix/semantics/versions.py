"""A published Lambda version must carry the function's current code and configuration.

Every property of AWS::Lambda::Version is create-only: CloudFormation publishes it once and
never again, so an alias on it keeps the first deployment's code forever. cfn-fix names the
versions it creates `<Function>Version<HASH>` (HASH: 8 hex digits over the function's
version-locked properties) and renames them when the hash changes, as CDK's
`currentVersion` does; this invariant checks that the name still matches. A version whose
name has another shape was not made by cfn-fix and is not judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .model import Deployed, Violation

# The AWS::Lambda::Function properties a published version snapshots (aws-cdk's
# VERSION_LOCKED in aws-lambda/lib/function-hash.ts): a change to one of them only reaches an
# alias through a new version. CodeSigningConfigArn, ReservedConcurrentExecutions and Tags
# are not locked, and FunctionName is left out: renaming the function replaces it, and with
# it every version.
VERSION_LOCKED = ("Architectures", "Code", "DeadLetterConfig", "Description", "Environment",
                  "EphemeralStorage", "FileSystemConfigs", "Handler", "ImageConfig", "KmsKeyArn",
                  "Layers", "LoggingConfig", "MemorySize", "PackageType", "Role", "Runtime",
                  "RuntimeManagementConfig", "SnapStart", "Timeout", "TracingConfig", "VpcConfig")
HASH_LENGTH = 8
_HASHED = re.compile(rf"(?P<fn>[A-Za-z0-9]+)Version(?P<hash>[0-9A-F]{{{HASH_LENGTH}}})")


_TRUE, _FALSE = {"true", "yes", "on", "y"}, {"false", "no", "off", "n"}


def _canonical(value: Any) -> Any:
    """Plain data with `Fn::GetAtt` in one form and YAML 1.1 booleans spelled alike, so YAML and
    JSON spellings, and loaders of either YAML version, hash alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return "true" if value.lower() in _TRUE else "false"
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Fn::GetAtt"), str) and "." in value["Fn::GetAtt"]:
            return {"Fn::GetAtt": value["Fn::GetAtt"].split(".", 1)}
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


def code_hash(props: dict) -> str:
    """8 upper-case hex digits over the version-locked properties of a function."""
    import hashlib  # here, not at the top: the largest standard module a plain run would load

    locked = {k: _canonical(props[k]) for k in VERSION_LOCKED if k in props}
    text = json.dumps(locked, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH].upper()


def hashed_version_id(function: str, props: dict) -> str:
    return f"{function}Version{code_hash(props)}"


def hashed_function(version_id: str) -> str | None:
    """The function a `<Function>Version<HASH>` logical id names, else None."""
    match = _HASHED.fullmatch(version_id)
    return match.group("fn") if match else None


def _names(value: Any, function: str) -> bool:
    """The version's FunctionName is `!Ref function` or `!GetAtt function.Arn`."""
    if isinstance(value, dict) and value.get("Ref") == function:
        return True
    att = value.get("Fn::GetAtt") if isinstance(value, dict) and len(value) == 1 else None
    return att in ([function, "Arn"], f"{function}.Arn")


def stale_version(t: Deployed) -> Iterator[Violation]:
    """A cfn-fix version whose hash no longer matches its function's code and configuration."""
    for vid, res in t.of_type("AWS::Lambda::Version"):
        function = hashed_function(vid)
        fn = t.resources.get(function) if function else None
        if not isinstance(fn, dict) or fn.get("Type") != "AWS::Lambda::Function":
            continue
        if not _names(t.props(res).get("FunctionName"), str(function)):
            continue
        props = t.props(fn)
        if not props:
            continue  # opaque properties: nothing to compare
        expected = hashed_version_id(str(function), props)
        if vid != expected:
            yield Violation("stale_version", vid, f"publishes an earlier code or configuration of {function} "
                            f"(the current one is {expected}); the alias on it never serves the new code")


INVARIANTS = (stale_version,)

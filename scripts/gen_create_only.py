"""Generate autofix/create_only.py: which properties of each resource type are create-only.

    python3 scripts/gen_create_only.py          # rewrite the table
    python3 scripts/gen_create_only.py --check  # exit 1 when the committed table is stale

Source: `createOnlyProperties` of the provider schemas cfn-lint ships (region us-east-1),
JSON pointers such as /properties/BucketName or /properties/List/*/Name, turned into
property paths below Properties: ("BucketName",), ("List", "*", "Name"). Changing such a
property on a deployed resource replaces it (a new physical resource, the old one deleted).

SAM types get the create-only properties of the resource SAM generates for the properties
it passes through under a known name (SAM_PASS_THROUGH below); each one is checked against
the provider schema, so a mapping that stops being create-only drops out of the table.

STATELESS lists the few types whose replacement loses nothing (no data, no stream position,
no subscription confirmation): the engine applies a create-only change to those and reports
that it replaces the resource; it refuses one on every other type. Chosen by hand:
  * AWS::Lambda::Permission: a policy statement; re-added under a new statement id.
  * AWS::Lambda::Version: an immutable snapshot; a replacement publishes a new version.
  * AWS::ApiGateway::Deployment: an immutable snapshot of the API; replacing it redeploys.
  * AWS::Events::Rule: configuration only (Name is its one create-only property).
  * AWS::SNS::Subscription, only when its Protocol is application, firehose, lambda or sqs:
    those need no confirmation; an email, http(s) or sms subscriber would have to confirm
    the new subscription, and gets nothing until then.
Left out on purpose: AWS::Lambda::EventSourceMapping (a new mapping starts again from its
StartingPosition: a stream's records are read twice or skipped), AWS::Lambda::Alias and
stages (their ARN or URL is what callers outside the stack use), and every store of data.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "autofix" / "create_only.py"
REGION = "us-east-1"

# SAM type -> (generated type, {SAM property: property of the generated type it becomes}).
SAM_PASS_THROUGH: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::Serverless::Function": ("AWS::Lambda::Function", {
        "FunctionName": "FunctionName", "PackageType": "PackageType"}),
    "AWS::Serverless::SimpleTable": ("AWS::DynamoDB::Table", {"TableName": "TableName"}),
    "AWS::Serverless::StateMachine": ("AWS::StepFunctions::StateMachine", {
        "Name": "StateMachineName", "Type": "StateMachineType"}),
    "AWS::Serverless::Api": ("AWS::ApiGateway::Stage", {"StageName": "StageName"}),
    "AWS::Serverless::HttpApi": ("AWS::ApiGatewayV2::Stage", {"StageName": "StageName"}),
}

# Type -> None (always stateless) or (property, literal values for which it is stateless).
STATELESS: dict[str, tuple[str, tuple[str, ...]] | None] = {
    "AWS::ApiGateway::Deployment": None,
    "AWS::Events::Rule": None,
    "AWS::Lambda::Permission": None,
    "AWS::Lambda::Version": None,
    "AWS::SNS::Subscription": ("Protocol", ("application", "firehose", "lambda", "sqs")),
}

Table = dict[str, tuple[tuple[str, ...], ...]]


def pointer_path(pointer: str) -> tuple[str, ...] | None:
    """("A", "*", "B") for /properties/A/*/B (RFC 6901 escapes undone), None for other pointers."""
    steps = pointer.split("/")
    if len(steps) < 3 or steps[0] != "" or steps[1] != "properties":
        return None
    return tuple(step.replace("~1", "/").replace("~0", "~") for step in steps[2:])


def provider_table() -> Table:
    import importlib

    from cfnlint.schema import ResourceNotFoundError
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    region = importlib.import_module("cfnlint.data.schemas.providers." + REGION.replace("-", "_"))
    table: Table = {}
    for rtype in sorted(region.types):
        if not rtype.startswith("AWS::"):
            continue
        try:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, rtype).schema
        except ResourceNotFoundError:  # listed but not loadable: not a type we can vouch for
            continue
        paths = {pointer_path(p) for p in schema.get("createOnlyProperties", []) if isinstance(p, str)}
        paths.discard(None)
        if paths:
            table[rtype] = tuple(sorted(paths))  # type: ignore[arg-type]
    return table


def sam_table(provider: Table) -> Table:
    table: Table = {}
    for sam_type, (generated, names) in sorted(SAM_PASS_THROUGH.items()):
        create_only = set(provider.get(generated, ()))
        paths = sorted((sam,) for sam, prop in names.items() if (prop,) in create_only)
        if paths:
            table[sam_type] = tuple(paths)
    return table


def build() -> Table:
    provider = provider_table()
    return dict(sorted({**provider, **sam_table(provider)}.items()))


def render(table: Table) -> str:
    import cfnlint.version

    lines = [
        f'"""Generated by scripts/gen_create_only.py from cfn-lint {cfnlint.version.__version__} ({REGION});',
        'do not edit by hand. Read the script for what the tables mean and why."""',
        "",
        "# Resource type -> paths below Properties that are create-only (changing one replaces the",
        '# resource); "*" stands for any item of a list.',
        "CREATE_ONLY: dict[str, tuple[tuple[str, ...], ...]] = {",
        *(f'    "{t}": {paths!r},' for t, paths in table.items()),
        "}",
        "",
        "# Types whose replacement loses nothing: None, or (property, the literal values of it for",
        "# which that holds).",
        "STATELESS: dict[str, tuple[str, tuple[str, ...]] | None] = {",
        *(f'    "{t}": {rule!r},' for t, rule in sorted(STATELESS.items())),
        "}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _generated import write_or_check

    return write_or_check(TARGET, lambda: render(build()))


if __name__ == "__main__":
    sys.exit(main())

"""Generate autofix/create_only.py: which properties of each resource type are create-only.

    python3 scripts/gen_create_only.py          # rewrite the table
    python3 scripts/gen_create_only.py --check  # exit 1 when the committed table is stale

Source: `createOnlyProperties` of the provider schemas cfn-lint ships (region us-east-1, read
in cfn-lint 1.58's layout by scripts/_cfnlint_schemas.py, which refuses another),
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

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:  # the shared modules beside this script
    sys.path.insert(0, str(SCRIPTS))

import _cfnlint_schemas as schemas
from _generated import SourceRefused, write_or_check

ROOT = SCRIPTS.parent
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
    table: Table = {}
    for rtype, schema in schemas.provider_schemas(REGION):
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


# The table as one string, one line per type: the type, a tab, its paths separated by spaces,
# each path's steps by "/". A module of ~4,500 nested tuples cost ~1.5 ms to unmarshal on
# every run that fixes anything; a string is one copy, and CREATE_ONLY parses a type's line
# the first time it is asked for (the few types of one template).
TYPE_END, PATH_END, STEP_END = "\t", " ", "/"

MAPPING = '''

class _Table(Mapping):
    """Read-only mapping of _TABLE: a type's paths are parsed the first time they are asked for."""

    __slots__ = ("_parsed", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._parsed: dict[str, Paths | None] = {}  # None: not in the table

    def __getitem__(self, rtype: str) -> Paths:
        try:
            paths = self._parsed[rtype]
        except KeyError:
            paths = self._parsed[rtype] = self._parse(rtype) if isinstance(rtype, str) else None
        if paths is None:
            raise KeyError(rtype)
        return paths

    def _parse(self, rtype: str) -> Paths | None:
        if "\\n" in rtype or "\\t" in rtype:
            return None
        start = self._text.find(f"\\n{rtype}\\t")
        if start < 0:
            return None
        start += len(rtype) + 2
        line = self._text[start:self._text.index("\\n", start)]
        return tuple(tuple(path.split("/")) for path in line.split(" "))

    def __iter__(self) -> Iterator[str]:
        return (line.partition("\\t")[0] for line in self._text[1:-1].split("\\n"))

    def __len__(self) -> int:
        return self._text.count("\\n") - 1

    def __repr__(self) -> str:
        return f"<create-only paths of {len(self)} resource types>"
'''


def encode(table: Table) -> list[str]:
    """The lines of the table string (each ends in a newline; the string starts with one)."""
    for rtype, paths in table.items():
        names = [rtype, *(step for path in paths for step in path)]
        bad = [n for n in names if not n or any(c in n for c in (TYPE_END, PATH_END, STEP_END, "\n"))]
        if bad or not paths:
            raise SourceRefused(f"{rtype}: a type or property name the table string cannot hold: {bad or paths}")
    return [f"{rtype}{TYPE_END}{PATH_END.join(STEP_END.join(path) for path in paths)}\n"
            for rtype, paths in table.items()]


def render(table: Table) -> str:
    lines = [
        f'"""Generated by scripts/gen_create_only.py from {schemas.source(REGION)};',
        'do not edit by hand. Read the script for what the tables mean and why."""',
        "",
        "from collections.abc import Iterator, Mapping",
        "",
        "Paths = tuple[tuple[str, ...], ...]",
        "",
        "# One line per resource type: the type, a tab, then the paths below Properties that are",
        "# create-only (changing one replaces the resource), separated by spaces, each path's steps",
        '# by "/"; "*" stands for any item of a list. One string: unmarshalling it is one copy.',
        "_TABLE = (",
        '    "\\n"',
        *(f"    {line!r}" for line in encode(table)),
        ")",
        MAPPING.rstrip("\n"),
        "",
        "",
        "# Resource type -> paths below Properties that are create-only, as a read-only mapping.",
        "CREATE_ONLY: Mapping[str, Paths] = _Table(_TABLE)",
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
    return write_or_check(TARGET, lambda: render(build()))


if __name__ == "__main__":
    sys.exit(main())

"""The provider schemas bundled with the installed cfn-lint, read in cfn-lint 1.58's layout.

Layout (cfn-lint 1.58): cfnlint/data/schemas/
    version.json               {"schema_date": "..."}
    providers/<region>.json    resource type -> schema hash (SAM types apart, in sam.json)
    resources/<hash>.json      one provider schema

Read from the package, never from cfn-lint's user cache (`cfn-lint --update-specs` fills
~/.cache/aws/cfn-lint with newer schemas, which cfn-lint then prefers): a generated table
depends on the cfn-lint release alone. Any other layout is refused with `SourceRefused`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _generated import SourceRefused

LAYOUT = "cfnlint/data/schemas/providers/<region>.json (type -> hash) and resources/<hash>.json"


def _refuse(why: str) -> SourceRefused:
    import cfnlint.version

    return SourceRefused(
        f"cfn-lint {cfnlint.version.__version__} keeps its schemas in a layout this script does not"
        f" know ({why}); it reads cfn-lint 1.58's: {LAYOUT}. Install the test pins"
        " (pip install -e '.[test]') or port scripts/_cfnlint_schemas.py.")


def schemas_dir() -> Path:
    import cfnlint

    return Path(cfnlint.__file__).resolve().parent / "data" / "schemas"


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refuse(f"no {path.relative_to(schemas_dir())}") from None
    except json.JSONDecodeError as error:
        raise _refuse(f"{path.name} is not JSON: {error}") from None


def schema_date() -> str:
    date = _load(schemas_dir() / "version.json")
    if not isinstance(date, dict) or not isinstance(date.get("schema_date"), str):
        raise _refuse("version.json has no schema_date")
    return date["schema_date"]


def region_types(region: str) -> dict[str, str]:
    """Resource type -> schema hash, for the provider types (not SAM) of `region`."""
    types = _load(schemas_dir() / "providers" / f"{region}.json")
    if not isinstance(types, dict) or not all(isinstance(h, str) for h in types.values()):
        raise _refuse(f"providers/{region}.json is not a map of type to schema hash")
    return types


def provider_schemas(region: str) -> Iterator[tuple[str, dict]]:
    """(type, schema) of every AWS:: provider type of `region`, sorted by type."""
    resources = schemas_dir() / "resources"
    for rtype, digest in sorted(region_types(region).items()):
        if not rtype.startswith("AWS::"):
            continue
        schema = _load(resources / f"{digest}.json")
        if not isinstance(schema, dict) or schema.get("typeName") != rtype:
            raise _refuse(f"resources/{digest}.json is not the schema of {rtype}")
        yield rtype, schema


def source(region: str) -> str:
    """Where a table came from, for its header: 'cfn-lint 1.58.0 (schemas of 2026-10-20, us-east-1)'."""
    import cfnlint.version

    return f"cfn-lint {cfnlint.version.__version__} (schemas of {schema_date()[:10]}, {region})"

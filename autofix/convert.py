"""JSON <-> YAML conversion with cfn-flip, for users migrating a template's format."""

from __future__ import annotations


def convert_text(text: str, fmt: str) -> str:
    import cfn_flip  # imported only when conversion is asked for

    if fmt == "json":
        out = cfn_flip.to_json(text)
    elif fmt == "yaml":
        out = cfn_flip.to_yaml(text, clean_up=False)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return out if out.endswith("\n") else out + "\n"


def converted_path(path: str, fmt: str) -> str:
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return f"{stem}.{'json' if fmt == 'json' else 'yaml'}"

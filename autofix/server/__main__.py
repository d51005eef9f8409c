"""`python3 -m autofix.server` (and `cfn-fix server`): the language server over standard input and output."""

from __future__ import annotations

import sys

USAGE = """\
usage: cfn-fix server [--stdio]

Run the cfn-fix language server on standard input and output (the only transport; --stdio
is accepted for clients that pass it). Diagnostics show each pending fix; code actions apply
one patch, all safe fixes (source.fixAll.cfn-fix) or all fixes including unsafe ones
(source.fixAllUnsafe.cfn-fix). Files are never written by the server.
Options {"debounceMs": 150, "explainUrl": "https://.../{id}"}: as initialization options, or
as the editor's "cfn-fix" settings (workspace/configuration, workspace/didChangeConfiguration).
The nearest .cfn-fix.toml or pyproject.toml [tool.cfn-fix] applies to each file; open files
are diagnosed again when one changes (at the client's file event, else within seconds).
"""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        sys.stdout.write(USAGE)
        sys.exit(0)
    unknown = [a for a in args if a != "--stdio"]
    if unknown:
        sys.stderr.write(f"cfn-fix server: unknown argument {unknown[0]!r}\n{USAGE}")
        sys.exit(2)
    try:
        from .protocol import serve
    except ImportError as exc:  # pygls or lsprotocol missing: say how to get them
        sys.stderr.write(f"cfn-fix server: {exc}; install it with: pip install 'cfn-fix[server]'\n")
        sys.exit(2)
    serve()


if __name__ == "__main__":
    main()

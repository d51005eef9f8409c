"""`python3 -m autofix.server`: the language server over standard input and output."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .protocol import serve
    except ImportError as exc:  # pygls or lsprotocol missing: say how to get them
        sys.stderr.write(f"cfn-fix server: {exc}; install it with: pip install 'cfn-fix[server]'\n")
        sys.exit(2)
    serve()


if __name__ == "__main__":
    main()

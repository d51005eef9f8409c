"""The `cfn-fix` console script: answers `--version` without importing the CLI.

`autofix.cli` imports typer (about half of a bare start-up), and everything else lazily;
`cfn-fix --version` needs none of it. Any other invocation goes to `autofix.cli.main`.
"""

from __future__ import annotations

import sys

from . import __version__


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] == "--version":  # the same test as autofix.cli.main
        sys.stdout.write(f"cfn-fix {__version__}\n")
        sys.exit(0)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()

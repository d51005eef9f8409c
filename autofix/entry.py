"""The `cfn-fix` console script: answers `--version` without importing the CLI.

`cfn-fix --version` needs none of the CLI; the language server needs neither it nor typer.
Any other invocation goes to `autofix.cli.main`, which reads a plain run itself and builds the
typer app (about a quarter of a one-file run's start-up) only for anything else.
"""

from __future__ import annotations

import sys

from . import __version__


def guard_streams() -> None:
    """Give closed standard streams (`2>&-`, `>&-`, `<&-`) /dev/null instead.

    Otherwise the first file opened takes descriptor 1 or 2 (and a child such as git
    inherits it as its output), and `sys.stdout` or `sys.stderr` is None: what is checked,
    what is written and the exit code would then depend on where the output goes.
    """
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, closefd=False, errors="backslashreplace" if mode == "w" else "strict"))


def main() -> None:
    guard_streams()
    argv = sys.argv[1:]
    if argv and argv[0] == "--version":  # the same test as autofix.cli.main
        sys.stdout.write(f"cfn-fix {__version__}\n")
        sys.exit(0)
    if argv and argv[0] == "server":  # the language server needs neither typer nor the CLI
        from .server.__main__ import main as serve

        serve(argv[1:])
        return
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()

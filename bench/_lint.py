"""The cfn-lint the benchmark measures: the executable on PATH and the version it reports.

Asked of the executable itself, not of `import cfnlint`: the interpreter running the benchmark
may import another cfn-lint than the one PATH finds (a virtual environment, a pipx install).
"""

from __future__ import annotations

import shutil
import subprocess


def cfn_lint() -> tuple[str, str] | None:
    """(path, version) of the cfn-lint on PATH, version 'unknown' when it will not say; None without one."""
    exe = shutil.which("cfn-lint")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return exe, "unknown"
    words = (done.stdout or done.stderr).split()  # "cfn-lint 1.58.0"
    return exe, words[-1] if done.returncode == 0 and words else "unknown"

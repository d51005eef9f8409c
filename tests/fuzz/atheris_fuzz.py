"""Coverage-guided fuzzing of the whole pipeline with atheris (optional; not run by pytest).

    pip install atheris
    python tests/fuzz/atheris_fuzz.py -max_total_time=600 -artifact_prefix=/tmp/ [corpus_dir ...]

Seeds: give folders of templates (copies of ../shared/corpus files) as corpus directories;
libFuzzer keeps new interesting inputs there. A crash is an exception escaping `fix_bytes`,
or an "internal error" result that no report in .engine-bugs/ explains (the same rule as
the CI fuzz test in tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from autofix.api import build_patches, fix_bytes

from tests.test_fuzz import _known_bug

PATCHES = build_patches(unsafe=True)


def test_one_input(data: bytes) -> None:
    result = fix_bytes(data, "fuzz.yaml", PATCHES)
    if result.error.startswith("internal error") and not _known_bug(data, result):
        raise AssertionError(result.error)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

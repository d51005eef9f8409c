from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-fixtures", action="store_true",
                     help="rewrite *.out.* fixture files and *.messages snapshots from the current patches "
                          "(review the diff!)")


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))


os.environ.setdefault("NO_COLOR", "1")


# Hypothesis profiles (robustness tests): "ci" by default, HYPOTHESIS_PROFILE=long for thousands
# of examples, "dev" to iterate quickly without shrinking. "ci" is derandomized: every run tries
# the same examples, so a pass here is a pass in CI; "long" explores new ones each run.
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_SLOW_OK,
                          derandomize=True)
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=_SLOW_OK,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

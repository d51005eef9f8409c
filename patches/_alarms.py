"""Transitional alias of autofix.model.alarms for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import alarms

sys.modules[__name__] = alarms

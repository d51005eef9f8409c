"""Transitional alias of autofix.model.logs for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import logs

sys.modules[__name__] = logs

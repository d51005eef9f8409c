"""Transitional alias of autofix.model.parameters for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import parameters

sys.modules[__name__] = parameters

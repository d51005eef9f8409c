"""Transitional alias of autofix.model.lambdas for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import lambdas

sys.modules[__name__] = lambdas

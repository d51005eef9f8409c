"""Transitional alias of autofix.model.serving for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import serving

sys.modules[__name__] = serving

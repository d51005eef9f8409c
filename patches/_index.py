"""Transitional alias of autofix.model.indexes for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import indexes

sys.modules[__name__] = indexes

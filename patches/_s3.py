"""Transitional alias of autofix.model.buckets for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import buckets

sys.modules[__name__] = buckets

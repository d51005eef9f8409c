"""Transitional alias of autofix.model.iam for tests that still import it from here; delete once they do not."""

import sys

from autofix.model import iam

sys.modules[__name__] = iam

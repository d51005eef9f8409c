"""aws-sam-translator, the library AWS runs for the SAM transform, without AWS credentials."""

from __future__ import annotations

import os
from typing import Any

from .model import plain


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; offline, every name is unknown."""

    def load(self) -> dict:
        return {}


def translate(data: dict) -> tuple[dict | None, str | None]:
    """(translated template, None), or (None, why it could not be translated)."""
    try:
        from samtranslator.translator.transform import transform
    except ImportError:
        return None, "aws-sam-translator is not installed"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the translator fills in pseudo parameters
    try:
        return transform(plain(data), {}, _NoManagedPolicies()), None
    except Exception as exc:  # an invalid SAM template: judged as written
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]

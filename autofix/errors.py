"""Errors the engine reports as one clean line, never as a traceback."""

from __future__ import annotations


class TemplateError(Exception):
    """The input cannot be processed: not a template, not parseable, too large..."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col

    def where(self) -> str:
        if self.line is None:
            return ""
        return f"{self.line}:{self.col or 1}: " if self.col is not None else f"{self.line}: "


class NotATemplate(TemplateError):
    """Valid YAML/JSON that is not a CloudFormation template (skipped, not failed)."""


class EditError(Exception):
    """A patch proposed an edit that does not fit the template (a patch bug)."""

"""One error type for everything a user can get wrong, printed without a traceback."""

from __future__ import annotations


class GuidelineError(Exception):
    """A problem in the user's input, located by file, line and rule.

    The CLI prints ``file:line: [rule] message`` (and the hint) and exits non-zero.
    """

    def __init__(self, file: str, line: int, rule: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.rule = rule
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: [{self.rule}] {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text

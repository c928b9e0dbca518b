"""A finding: one problem in one file at one place, in the user's language. Never printed here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .i18n import finding_text

SEVERITIES = ("error", "red", "yellow")  # highest first


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    hint: str

    @property
    def place(self) -> str:
        """``file:line:column`` for a terminal, the file name on one line (it is whatever was committed)."""
        from .terminal import one_line

        return f"{one_line(self.file)}:{self.line}:{self.column}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


def make_finding(
    file: str, line: int, column: int, code: str, params: dict[str, Any] | None = None, severity: str = "error"
) -> Finding:
    msg, hint = finding_text(code, params or {})
    return Finding(file, max(line, 1), max(column, 1), code, severity, msg, hint)

"""The one exception tree and the exit codes (SPEC §6).

Every error a user can cause is a YilanError carrying a message and a hint, both already in the
user's language; the CLI turns it into ``path:line:column: 错误[CODE] message`` plus a hint line and
the exit code. Nothing else may reach the user as a traceback.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    FINDINGS = 1  # findings at or above --fail-on
    USAGE = 2  # usage error or data that prevents the command


class YilanError(Exception):
    """A problem the user can fix. ``code`` is a stable finding/error code."""

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        code: str = "E000",
        path: str = "",
        line: int = 0,
        column: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code
        self.path = path
        self.line = line
        self.column = column


class NotAWorkspace(YilanError):
    """No workspace here or above (U008): the hint says how to make one or where to run."""

    def __init__(self, message: str, hint: str = "", *, code: str = "U008", path: str = "") -> None:
        super().__init__(message, hint, code=code, path=path)


class SchemaError(YilanError):
    """schemas/ itself is broken: nothing can be evaluated (E400, naming the file and the field)."""

    def __init__(self, message: str, hint: str = "", *, code: str = "E400", path: str = "") -> None:
        super().__init__(message, hint, code=code, path=path)


class UsageError(YilanError):
    pass

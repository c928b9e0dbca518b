"""The real today, read in this one place, and the rule that a recorded fact is not dated after it.

Business dates of facts (a progress entry, a closing, an extension applied or approved, an assignment, a
visit, a reply, a document issued) cannot lie after the real today: a mistyped ``--date 2099-01-01`` would
otherwise be accepted and refuse every later entry of the matter (E307). ``--future`` lets a planned date
through. Deadlines (完成时限, 新时限, a milestone's 时限) and view dates (``--today`` of a read command) are
not facts and are never checked (docs/time.md, 日期的校验).
"""

from __future__ import annotations

from datetime import date

from .errors import UsageError


def real_today() -> date:
    """The machine's clock. Every command reads it through here, so a test can patch this one function."""
    return date.today()


def not_after_today(day: date, what: str, future: bool = False, text: str | None = None, hint: str = "") -> None:
    """Refuse (E323) the fact ``what`` dated ``day`` when that is after the real today, unless ``future``.

    ``text`` is the date as typed or as the cell held it: a form without a year (6月底) is shown with the
    date it was read as, and the hint names the year it took. ``hint`` replaces the usual way out.
    """
    today = real_today()
    if future or day <= today:
        return
    typed = text.strip() if text else ""
    shown = f"{typed}(即 {day})" if typed and typed != day.isoformat() else str(day)
    hint = hint or "如确属计划中的日期,加 --future;否则请改正日期(常见的是年份写错)"
    if typed and str(day.year) not in typed:
        hint += f";{typed} 没写年份,取的是 {day.year} 年,指别的年份时请写明年份"
    raise UsageError(f"{what} {shown} 晚于今天({today}):记录的是已经发生的事,日期不能在今天以后", hint, code="E323")

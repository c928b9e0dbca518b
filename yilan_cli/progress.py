"""Progress bars for work that can take more than a couple of seconds (issue 22).

``counted(items, total, label)`` yields ``items`` unchanged and, while it does, draws a rich progress bar
with counts ("生成网页  12,000/20,000") on standard error. The bar is shown only where a person watches:
standard error is a terminal, ``CI`` is not set (GitHub/Gitea/GitLab runners set it), ``YILAN_NO_PROGRESS``
is not set (``0``, ``false``, ``no`` or empty count as not set), and there are at least ``MIN_ITEMS`` items
(a county's 473 matters finish before a bar would help). In a pipe, a file or CI nothing is written, so
outputs and logs stay byte-identical. The bar is transient: it disappears when the work ends and leaves no
line behind.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .terminal import raw

T = TypeVar("T")

MIN_ITEMS = 1000  # below this the work ends in about a second even on an office laptop


def wanted(total: int, stream: Any = None, minimum: int | None = None) -> bool:
    """Whether a bar for ``total`` items would be shown on ``stream`` (standard error by default); ``minimum``:
    the fewest items worth a bar (fewer for slow items: a member repository's fetch takes seconds)."""
    if total < (MIN_ITEMS if minimum is None else minimum) or _on("CI") or _on("YILAN_NO_PROGRESS"):
        return False
    target = raw(stream if stream is not None else sys.stderr)
    isatty = getattr(target, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def counted(items: Iterable[T], total: int, label: str, stream: Any = None, minimum: int | None = None) -> Iterator[T]:
    """``items`` one by one, with a bar of ``total`` steps labelled ``label`` (Chinese, e.g. "读取事项")."""
    if not wanted(total, stream, minimum):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=raw(stream if stream is not None else sys.stderr), force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)

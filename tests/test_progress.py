"""progress.counted: a bar with counts on a terminal, nothing in a pipe, a file or CI (issue 22)."""

from __future__ import annotations

import io

import pytest

from yilan_cli import progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("YILAN_NO_PROGRESS", raising=False)


def test_terminal_shows_label_and_counts() -> None:
    tty = Tty()
    items = list(progress.counted(range(1500), 1500, "生成网页", tty))
    assert items == list(range(1500))  # the items pass through unchanged, in order
    shown = tty.getvalue()
    assert "生成网页" in shown and "1500/1500" in shown


@pytest.mark.parametrize(
    ("stream", "total", "env"),
    [
        (io.StringIO(), 5000, {}),  # a pipe or a file: not a terminal
        (Tty(), 999, {}),  # too little work for a bar
        (Tty(), 5000, {"CI": "true"}),  # a CI runner's log
        (Tty(), 5000, {"YILAN_NO_PROGRESS": "1"}),
    ],
)
def test_no_bar(stream: io.StringIO, total: int, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert list(progress.counted(iter(range(total)), total, "读取事项", stream)) == list(range(total))
    assert stream.getvalue() == ""

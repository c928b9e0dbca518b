"""progress.counted: a bar with counts on a terminal, nothing in a pipe, a file or CI (issue 22)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from yilan_cli import progress

from .conftest import REPO


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("YILAN_NO_PROGRESS", raising=False)


@pytest.mark.parametrize("env", [{}, {"CI": "false"}, {"YILAN_NO_PROGRESS": "0"}, {"CI": ""}])
def test_switches_set_off_do_not_hide_the_bar(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert progress.wanted(5000, Tty())


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


def test_a_real_terminal_sees_the_bar_and_a_pipe_does_not(tmp_path: Path) -> None:
    """The installed yilan on a pseudo-terminal: a cold export of 1,200 matters draws the bar on it; the same
    command in a pipe writes nothing to standard error and the same bytes to the file."""
    import os
    import pty
    import shutil
    import subprocess
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    ws = tmp_path / "ws"
    generate(1200, ws)
    yilan = shutil.which("yilan", path=str(Path(sys.executable).parent)) or "yilan"
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "YILAN_NO_PROGRESS")}
    args = [yilan, "export", "--format", "csv", "--today", "2022-06-30", "-o"]

    main, secondary = pty.openpty()
    p = subprocess.Popen([*args, str(tmp_path / "tty.csv")], cwd=ws, env=env, stdin=secondary, stdout=secondary,
                         stderr=secondary, close_fds=True)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: yilan ended
            break
        if not chunk:
            break
        seen += chunk
    assert p.wait() == 0
    os.close(main)
    shown = seen.decode("utf-8", errors="replace")
    assert "读取事项" in shown and "/1200" in shown

    shutil.rmtree(ws / ".yilan")  # cold again
    piped = subprocess.run([*args, str(tmp_path / "pipe.csv")], cwd=ws, env=env, capture_output=True)
    assert piped.returncode == 0 and piped.stderr == b""
    assert (tmp_path / "pipe.csv").read_bytes() == (tmp_path / "tty.csv").read_bytes()

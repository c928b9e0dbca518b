"""The console script: a Ctrl-C while Python is still loading yilan is an interruption, not a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:  # before the command took over (loading), or after it finished (exiting)
        sys.stderr.write("已中断。\n")
        raise SystemExit(130) from None
    except BrokenPipeError:  # the reader of a pipe (`| head`) stopped reading while Python flushed
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None

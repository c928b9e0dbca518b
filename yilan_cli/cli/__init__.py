"""The typer application: global options, then one small module per command group.

The cli modules deliberately do not use ``from __future__ import annotations``: typer would then
``eval`` every parameter annotation of every command on each run (~15 ms, see docs/performance.md).
"""

import contextlib
import gc
import sys
from typing import Annotated, Optional

import typer

from ..i18n import set_lang
from . import audit, clicktext, doctor, exchange, init, read, reports, research, supervision, write
from .common import STATE

app = typer.Typer(
    name="yilan",
    help="依兰督办台账工具:事项登记、进展更新、预警灯、督查通报。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"yilan {__version__}")
        raise typer.Exit()


@app.callback()
def _globals(
    root: Annotated[Optional[str], typer.Option("--root", help="工作区目录(默认从当前目录向上查找)")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="只改文件,不做 git 提交")] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", help="界面语言:zh(默认)或 en")] = None,
    author: Annotated[
        Optional[str], typer.Option("--author", help='代某单位记录时的提交人,如 "县住建局 <zjj@yilan.gov.cn>"')
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号")
    ] = False,
    allow_source_checkout: Annotated[
        bool, typer.Option("--allow-source-checkout", help="允许在 yilan 源代码目录中写入示例台账（默认拒绝）")
    ] = False,
) -> None:
    if allow_source_checkout or "yilan_cli.txn" in sys.modules:
        # only writes import txn, so a read pays nothing; a later run in the same process (tests) resets the flag
        from ..txn import allow_source_checkout as allow

        allow(allow_source_checkout)
    STATE.root = root
    STATE.no_commit = no_commit
    STATE.author = author
    set_lang(lang)
    from ..terminal import VisibleStream

    # whatever a file or a colleague wrote is printed, never obeyed by the terminal (docs/reliability.md)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, VisibleStream):
            setattr(sys, name, VisibleStream(stream))


init.register(app)
read.register(app)
write.register(app)
exchange.register(app)
reports.register(app)
supervision.register(app)
audit.register(app)
research.register(app)
doctor.register(app)
clicktext.install(app)  # click's own words (help, usage errors) in the user's language


def main() -> None:
    """Console-script entry point."""
    # A command runs for a moment and ends: reference counting frees what it drops, and the cyclic
    # collector would only re-scan the hundreds of thousands of tuples a large ledger loads
    # (~100 ms at 20,000 matters, docs/performance.md).
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        # the stream's declared encoding (PYTHONIOENCODING, the console's code page) is honoured; a
        # character it cannot carry becomes "?" instead of stopping the command
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
    app()

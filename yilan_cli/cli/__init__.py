"""The typer application: global options, then one small module per command group.

A command's module (and everything it imports) is imported only when that command runs or a help page lists
it: :data:`COMMANDS` names the module of each command, and :class:`LazyGroup` builds the click command from
that module on demand. ``yilan status`` therefore never imports the writers, the audit or the exchange code
(~50 ms at every size, docs/performance.md; tests/test_imports.py holds every read command to it).

The cli modules deliberately do not use ``from __future__ import annotations``: typer would then
``eval`` every parameter annotation of every command on each run (~15 ms, see docs/performance.md).
"""

import contextlib
import functools
import gc
import importlib
import sys
from typing import Annotated, Any, Optional

import click
import typer

from ..i18n import set_lang
from . import clicktext
from .common import STATE

# command name → the module of yilan_cli.cli whose register() defines it, in the order help lists them
# (tests/test_imports.py checks this table against what the modules register)
COMMANDS: dict[str, str] = {
    "init": "init",
    **dict.fromkeys(("status", "find", "show", "check", "schema"), "read"),
    **dict.fromkeys(("add", "update", "close", "signoff", "extend", "edit", "withdraw", "reinstate", "fmt", "undo",
                     "merge-file"), "write"),
    **dict.fromkeys(("import", "export"), "exchange"),
    **dict.fromkeys(("report", "notes", "rank", "site"), "reports"),
    **dict.fromkeys(("notice", "escalate", "accountability"), "supervision"),
    **dict.fromkeys(("history", "diff", "sync", "audit"), "audit"),
    "assignments": "assignments",
    "city": "city",
    "research": "research",
    "doctor": "doctor",
}


@functools.cache
def commands_of(module: str) -> dict[str, click.Command]:
    """The click commands that ``yilan_cli.cli.<module>``'s register() defines, built as the app builds them."""
    sub = typer.Typer()
    importlib.import_module(f"{__name__}.{module}").register(sub)
    clicktext.install(sub)
    group = typer.main.get_group(sub)
    return dict(group.commands)


class LazyGroup(clicktext.Group):
    """The root group: its commands come from :data:`COMMANDS`, each module imported when first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        module = COMMANDS.get(cmd_name)
        return None if module is None else commands_of(module).get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:  # help_page lists them instead
        pass

app = typer.Typer(
    name="yilan",
    cls=LazyGroup,
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

"""click's and typer's own words — help pages, usage errors — in the user's language (docs/writing.md, 命令行).

Left alone, click prints English of its own ("Usage:", "Missing option '--lead-unit'.", "No such command")
and typer's rich help cuts long lines with "…". Every yilan command is a :class:`Command` and every group
a :class:`Group` (:func:`install`), which

- write their help as plain text with Chinese headers (用法, 参数, 选项, 命令, （必填）, 默认值), wrapped by
  display width (a CJK character takes two columns) to the terminal, at most 80 columns, never cut;
- turn click's usage errors into yilan's own ``错误[C00x] …`` line and hint (exit 2, SPEC §6);
- print their overview and exit 0 when called without arguments (``yilan`` alone).

``--lang en`` (read from the command line before parsing, so a parse error is in English too) or
``YILAN_LANG=en`` gives the same pages and errors in English.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import typer
from typer.core import TyperCommand, TyperGroup

from ..errors import UsageError
from ..i18n import lang, set_lang

WIDTH = 80  # the widest help page: an office console, a document pasted from it

# key: (zh, en)
_WORDS: dict[str, tuple[str, str]] = {
    "usage": ("用法：", "Usage: "),
    "arguments": ("参数：", "Arguments:"),
    "options": ("选项：", "Options:"),
    "commands": ("命令：", "Commands:"),
    "other_commands": ("其他命令：", "Other commands:"),
    "OPTIONS": ("[选项]", "[OPTIONS]"),
    "COMMAND": ("命令 [参数]...", "COMMAND [ARGS]..."),
    "required": ("（必填）", " [required]"),
    "default": ("（默认值：{value}）", " [default: {value}]"),
    "help": ("显示本帮助并退出", "Show this message and exit."),
    "more": ("运行 {command} 命令 -h 查看一个命令的用法和选项", "run {command} COMMAND -h for a command's usage and options"),
    "text": ("文字", "TEXT"),
    "integer": ("整数", "INTEGER"),
    "number": ("数字", "NUMBER"),
    "path": ("路径", "PATH"),
    "C001": ("没有这个命令：{name}。", "no such command: {name}."),
    "C001.suggest": ("您是否想写 {name}？", " Did you mean {name}?"),
    "C001.hint": ("{command} -h 列出全部命令", "{command} -h lists every command"),
    "C002": ("没有这个选项：{name}。", "no such option: {name}."),
    "C002.global": ("{name} 是全局选项，要写在命令名之前：{root} {name} {command} …",
                    "{name} is a global option: it goes before the command ({root} {name} {command} …)"),
    "C003.option": ("缺少必填选项 {name}", "missing option {name}"),
    "C003.argument": ("缺少必填参数 {name}", "missing argument {name}"),
    "C004.range": ("{name} 的值 {value} 不在 {range} 之间", "{name}: {value} is not in the range {range}"),
    "C004.integer": ("{name} 的值 {value} 不是整数", "{name}: {value} is not an integer"),
    "C004.number": ("{name} 的值 {value} 不是数字", "{name}: {value} is not a number"),
    "C004.choice": ("{name} 的值 {value} 不是可选的值（可选：{choices}）", "{name}: {value} is not one of {choices}"),
    "C004.other": ("{name} 的值不正确：{detail}", "invalid value for {name}: {detail}"),
    "C005.needs_value": ("选项 {name} 后面要写一个值", "option {name} requires a value"),
    "C005.no_value": ("选项 {name} 不带值", "option {name} does not take a value"),
    "C005.extra": ("多余的参数：{args}", "unexpected extra arguments: {args}"),
    "C005.no_command": ("缺少命令", "missing command"),
    "C005.other": ("命令行有误：{detail}", "usage error: {detail}"),
    "hint": ("用法：{usage}；{command} -h 查看全部选项", "usage: {usage}; {command} -h shows every option"),
    "hint.short": ("{command} -h 查看用法和全部选项", "{command} -h shows the usage and every option"),
    "aborted": ("已取消。", "Aborted."),
}

# the argument names the commands declare, as the usage line shows them
_ARGUMENTS: dict[str, str] = {
    "LEDGER": "台账", "LEDGERS": "台账", "ID": "编号", "MATTER_ID": "编号", "PERIOD": "期间", "NUMBER": "文号",
    "PATH": "路径", "FILE": "文件", "[REV..REV]": "[提交范围]",
}

# the overview's sections, in order; a command not listed falls under 其他命令
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("查看与查找：", "Look and find:", ("status", "show", "find", "history", "diff", "check")),
    ("登记与更正：", "Record and correct:", ("add", "update", "close", "signoff", "extend", "edit", "withdraw",
                                             "reinstate", "undo", "fmt")),
    ("导入导出：", "Import and export:", ("import", "export", "schema")),
    ("通报与督办：", "Reports and supervision:", ("report", "notes", "rank", "site", "notice", "escalate",
                                                   "accountability", "research")),
    ("工作区与同步：", "Workspace and sync:", ("init", "sync", "assignments", "doctor", "audit", "merge-file")),
)


def w(key: str, **params: object) -> str:
    zh, en = _WORDS[key]
    text = en if lang() == "en" else zh
    return text.format(**params) if params else text


# --- display width ------------------------------------------------------------------------------

def width_of(text: str) -> int:
    """Columns ``text`` takes on a terminal: a wide (CJK, full-width) character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_NO_LINE_START = set("，。、：；）》」』】！？…,.:;)!?%")


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns: at spaces, or between two CJK characters;
    a line does not start with closing punctuation (，。）…). A single token wider than ``width`` is split."""
    tokens = re.findall(r"[A-Za-z0-9_\-./<>=\[\]|'\"@#$%&*+~`^{}]+|\s+|.", text)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if tok.isspace():
            if line:
                line += " "
            continue
        if width_of(line) + width_of(tok) <= width:
            line += tok
            continue
        if tok[0] in _NO_LINE_START and len(line) > 1 and width_of(line[-1]) == 2:  # carry the last character over
            lines.append(line[:-1].rstrip())
            line = line[-1] + tok
        else:
            if line.strip():
                lines.append(line.rstrip())
            line = tok
        while width_of(line) > width:  # a path or an option longer than the page
            cut = width
            while width_of(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def page_width() -> int:
    """The terminal's width (``COLUMNS`` honoured), at most :data:`WIDTH`, at least 40."""
    return max(40, min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns))


def _rows(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Two columns: the term, then its description wrapped beside it (or below, when the term is long)."""
    if not rows:
        return []
    col = min(max(width_of(term) for term, _ in rows), 24) + 4
    out: list[str] = []
    for term, desc in rows:
        text = wrap(desc, width - col) if desc else []
        if width_of(term) + 4 > col:
            out.append(f"  {term}")
            out.extend(" " * col + line for line in text)
            continue
        first = text[0] if text else ""
        out.append((f"  {term}" + " " * (col - 2 - width_of(term)) + first).rstrip())
        out.extend(" " * col + line for line in text[1:])
    return out


# --- what a help page shows ---------------------------------------------------------------------

def _argument_label(param: click.Parameter) -> str:
    name = (param.metavar or param.name or "").upper()
    label = _ARGUMENTS.get(name, name) if lang() != "en" else name
    if param.nargs == -1:
        label += "..."
    return label if param.required or label.startswith("[") else f"[{label}]"


def _metavar(param: click.Option) -> str:
    if param.is_flag or param.count:
        return ""
    if param.metavar:
        return param.metavar
    kind = param.type
    if isinstance(kind, click.Choice):
        return "[" + "|".join(str(c) for c in kind.choices) + "]"
    if isinstance(kind, click.IntRange):
        low, high = kind.min, kind.max
        return w("integer") + (f" {low}–{high}" if low is not None and high is not None else "")
    if isinstance(kind, click.types.IntParamType):
        return w("integer")
    if isinstance(kind, click.types.FloatParamType):
        return w("number")
    if isinstance(kind, click.Path):
        return w("path")
    return w("text")


def _option_row(param: click.Option, ctx: click.Context) -> tuple[str, str]:
    names = ", ".join(sorted(param.opts, key=len))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    metavar = _metavar(param)
    term = f"{names} {metavar}" if metavar else names
    if "--help" in param.opts and not param.expose_value:
        return term, w("help")
    desc = param.help or ""
    default = param.default
    if param.show_default and not param.is_flag and default not in (None, "", (), []) and not callable(default):
        shown = param.show_default if isinstance(param.show_default, str) else default
        desc += w("default", value=shown)
    if param.required:
        desc += w("required")
    return term, desc.strip()


def _description(cmd: click.Command) -> str:
    text = (cmd.help or "").split("\f")[0]
    return " ".join(text.split("\n\n")[0].split())


def usage(ctx: click.Context) -> str:
    """``yilan add [选项] 台账`` — the command path, then what it takes."""
    cmd = ctx.command
    parts = [ctx.command_path, w("OPTIONS")]
    parts += [_argument_label(p) for p in cmd.params if isinstance(p, click.Argument)]
    if isinstance(cmd, click.Group):
        parts.append(f"[{w('COMMAND')}]" if cmd.invoke_without_command else w("COMMAND"))
    return " ".join(parts)


def help_page(ctx: click.Context) -> str:
    """The whole help page of ``ctx.command`` as text, each line at most :func:`page_width` columns."""
    width = page_width()
    cmd = ctx.command
    lines = wrap(w("usage") + usage(ctx), width)
    if cmd.help:
        for para in cmd.help.split("\f")[0].strip().split("\n\n"):
            lines.append("")
            lines += ["  " + line for line in wrap(" ".join(para.split()), width - 2)]
    args = [p for p in cmd.params if isinstance(p, click.Argument) and getattr(p, "help", None)]
    if args:
        lines += ["", w("arguments")]
        lines += _rows([(_argument_label(p).strip("[]"),
                         (getattr(p, "help", "") or "") + (w("required") if p.required else "")) for p in args], width)
    options = [_option_row(p, ctx) for p in cmd.get_params(ctx) if isinstance(p, click.Option) and not p.hidden]
    if options:
        lines += ["", w("options")]
        lines += _rows(options, width)
    if isinstance(cmd, click.Group):
        commands = {name: sub for name in cmd.list_commands(ctx)
                    if (sub := cmd.get_command(ctx, name)) is not None and not sub.hidden}
        if ctx.parent is None:  # the overview: grouped
            listed: set[str] = set()
            for zh, en, names in SECTIONS:
                rows = [(n, _description(commands[n])) for n in names if n in commands]
                listed.update(n for n, _ in rows)
                if rows:
                    lines += ["", en if lang() == "en" else zh, *_rows(rows, width)]
            rest = [(n, _description(c)) for n, c in commands.items() if n not in listed]
            if rest:
                lines += ["", w("other_commands"), *_rows(rest, width)]
        else:
            lines += ["", w("commands"), *_rows([(n, _description(c)) for n, c in commands.items()], width)]
        lines += ["", *wrap(w("more", command=ctx.command_path), width)]
    if cmd.epilog:
        lines += ["", *wrap(" ".join(cmd.epilog.split()), width)]
    return "\n".join(lines)


# --- usage errors -------------------------------------------------------------------------------

def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "?"
    if isinstance(param, click.Argument):
        return _argument_label(param).strip("[]")
    return max(param.opts, key=len)


def _value(message: str) -> str:
    """The value quoted in click's message (``'abc' is not a valid integer.``, ``120 is not in the range …``)."""
    m = re.match(r"^'?(.*?)'? is not ", message, re.S)
    return m.group(1) if m else ""


def _range(kind: Any) -> str:
    low, high = kind.min, kind.max
    if low is not None and high is not None:
        return f"{low}–{high}"
    return f"≥{low}" if low is not None else f"≤{high}"


# an option a command does not have, that a user reaching for it needs another way to: (command, option) → how
_ELSEWHERE = {
    ("edit", "--deadline"): ("完成时限不用 edit 更正：延期用 yilan extend 编号 --to 新时限 --reason 理由 --approved-by 批准人；"
                             "交办时就录错的，报督查室按延期审批后记录", "the deadline is moved by yilan extend, with approval"),
    ("edit", "--assigned"): ("交办日期不能更正（此前各期的统计以它为准）；确属误录，用 yilan withdraw 撤销后重新 add",
                             "the date of assignment cannot be corrected; withdraw and add again"),
    ("edit", "--indicator"): ("新增量化指标用 --add-indicator 名称=目标[单位]；已有指标的目标不更正（改变此前的通报），"
                              "确有错误请在 --reason 中说明并新增一个正确的指标",
                              "add an indicator with --add-indicator; an existing target is not corrected"),
    ("edit", "--milestone"): ("新增节点用 --add-milestone 名称=时限；节点完成用 yilan update 编号 --milestone 名称=完成日期",
                              "add a milestone with --add-milestone; record it met with yilan update --milestone"),
    ("edit", "--progress"): ("进度用 yilan update 编号 --progress 60 记录", "progress is recorded by yilan update"),
}


def _elsewhere(ctx: click.Context, option: str) -> str | None:
    """What to do instead of an option this command lacks: another command's way (:data:`_ELSEWHERE`), or — for
    a global option typed after the command (``yilan edit … --no-commit``) — where it goes."""
    name = ctx.info_name or ""
    said = _ELSEWHERE.get((name, option))
    if said is not None:
        return said[0] if lang() == "zh" else said[1]
    root = ctx.find_root()
    if root is not ctx and any(option in p.opts for p in root.command.params):
        return w("C002.global", name=option, root=root.info_name or "yilan", command=name)
    return None


def as_usage_error(e: click.ClickException, command: str = "yilan") -> UsageError:
    """One of click's errors as yilan's own usage error (exit 2): Chinese words, the usage line in the hint.

    ``command`` is the command path the hint names when click did not say in which command it happened."""
    ctx = getattr(e, "ctx", None)
    hint = w("hint", usage=usage(ctx), command=ctx.command_path) if ctx else w("hint.short", command=command)
    if isinstance(e, click.NoSuchOption):
        message = w("C002", name=e.option_name)
        elsewhere = _elsewhere(ctx, e.option_name) if ctx else None
        if elsewhere:
            return UsageError(message, elsewhere, code="C002")
        if e.possibilities:
            message += w("C001.suggest", name=sorted(e.possibilities)[0])
        return UsageError(message, hint, code="C002")
    if isinstance(e, click.MissingParameter):
        which = "C003.argument" if isinstance(e.param, click.Argument) else "C003.option"
        return UsageError(w(which, name=_param_name(e.param)), hint, code="C003")
    if isinstance(e, click.BadParameter):
        name, kind, value = _param_name(e.param), getattr(e.param, "type", None), _value(e.message)
        if isinstance(kind, click.types._NumberRangeBase) and " is not in the range " in e.message:
            message = w("C004.range", name=name, value=value, range=_range(kind))
        elif isinstance(kind, click.types.IntParamType) and value:
            message = w("C004.integer", name=name, value=value)
        elif isinstance(kind, click.types.FloatParamType) and value:
            message = w("C004.number", name=name, value=value)
        elif isinstance(kind, click.Choice) and value:
            message = w("C004.choice", name=name, value=value, choices="、".join(map(str, kind.choices)))
        else:
            message = w("C004.other", name=name, detail=e.message)
        return UsageError(message, hint, code="C004")
    if isinstance(e, click.BadOptionUsage):
        if re.search(r"requires (an argument|\d+ arguments)", e.message):
            return UsageError(w("C005.needs_value", name=e.option_name), hint, code="C005")
        if "does not take a value" in e.message:
            return UsageError(w("C005.no_value", name=e.option_name), hint, code="C005")
    if e.message.startswith("Missing command"):
        return UsageError(w("C005.no_command"), w("C001.hint", command=ctx.command_path if ctx else command),
                          code="C005")
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", e.message)
    if extra:
        return UsageError(w("C005.extra", args=extra.group(1)), hint, code="C005")
    return UsageError(w("C005.other", detail=e.format_message()), hint, code="C005")


@contextmanager
def _yilan_errors(command: Callable[[], str]) -> Iterator[None]:
    """click's usage errors → yilan's message and exit code; a command called without what it needs → help."""
    from .common import fail

    try:
        yield
    except click.exceptions.NoArgsIsHelpError as e:
        typer.echo(help_page(e.ctx))
        raise click.exceptions.Exit(0) from None
    except click.ClickException as e:
        if not isinstance(e, click.UsageError):
            typer.echo(f"{w('C005.other', detail=e.format_message())}", err=True)
            raise click.exceptions.Exit(e.exit_code) from None
        error = as_usage_error(e, command())
        fail(error)
        raise click.exceptions.Exit(error.exit_code) from None
    except UsageError as e:
        fail(e)
        raise click.exceptions.Exit(e.exit_code) from None
    except click.Abort:
        typer.echo(w("aborted"), err=True)
        raise click.exceptions.Exit(1) from None


def early_lang(args: list[str]) -> None:
    """``--lang en`` takes effect before parsing, so that errors in parsing speak it too."""
    for i, arg in enumerate(args):
        if arg == "--":
            return
        if arg == "--lang" and i + 1 < len(args):
            set_lang(args[i + 1])
        elif arg.startswith("--lang="):
            set_lang(arg.split("=", 1)[1])


class Command(TyperCommand):
    """A yilan command: help in the user's language; see the module docstring."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(help_page(ctx) + "\n")

    def get_usage(self, ctx: click.Context) -> str:
        return w("usage") + usage(ctx)


class Group(TyperGroup):
    """A yilan command group: as :class:`Command`, plus one suggestion for a mistyped command name."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(help_page(ctx) + "\n")

    def get_usage(self, ctx: click.Context) -> str:
        return w("usage") + usage(ctx)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if parent is None:
            early_lang(args)
            extra.setdefault("max_content_width", WIDTH)
        with _yilan_errors(lambda: info_name or "yilan"):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # a subcommand's parse error happens here: the hint names it (click does not always say)
        with _yilan_errors(lambda: " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))):
            return super().invoke(ctx)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not ctx.resilient_parsing and not name.startswith("-"):
            import difflib

            message = w("C001", name=name)
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:
                message += w("C001.suggest", name=close[0])
            raise UsageError(message, w("C001.hint", command=ctx.command_path), code="C001")
        return click.Group.resolve_command(self, ctx, args)


# click's prompts (typer.confirm …) take their words from gettext: these, in the user's language
_PROMPTS: dict[str, str] = {
    "Error: invalid input": "请回答 y（是）或 n（否）",
    "Repeat for confirmation": "请再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: {message}": "错误：{message}",
    "Press any key to continue...": "按任意键继续……",
}


def _prompt_text(message: str) -> str:
    return message if lang() == "en" else _PROMPTS.get(message, message)


def install(app: typer.Typer) -> None:
    """Make every command of ``app`` (and of its sub-apps) a :class:`Command`, every group a :class:`Group`,
    and click's prompts speak the user's language. Call it after all commands are registered."""
    click.termui._ = _prompt_text  # type: ignore[attr-defined]
    if app.info.cls is None or not isinstance(app.info.cls, type):
        app.info.cls = Group
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command
    for group in app.registered_groups:
        if group.typer_instance is not None:
            install(group.typer_instance)

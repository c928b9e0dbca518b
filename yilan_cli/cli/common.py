"""What every command shares: global options, the workspace, dates, and the one place where
exceptions become messages and exit codes."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from ..errors import UsageError, YilanError
from ..i18n import t

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Globals:
    root: str | None = None
    no_commit: bool = False
    author: str | None = None


STATE = Globals()

TodayOpt = Annotated[Optional[str], typer.Option("--today", help="评估日期,默认今天(如 2022-06-30、2022年6月底)")]
FutureOpt = Annotated[bool, typer.Option("--future", help="允许今天以后的日期(确属计划中的日期时才用)")]


def fail(e: YilanError) -> None:
    """Print ``path:line:column: 错误[CODE] message`` and the hint on stderr."""
    from ..terminal import one_line

    where = ""
    if e.path:
        where = f"{one_line(e.path)}:{e.line or 1}:{e.column or 1}: "
    typer.echo(f"{where}{t('severity.error')}[{e.code}] {e.message}", err=True)
    if e.hint:
        typer.echo(f"  {t('hint')}: {e.hint}", err=True)


def handled(fn: F) -> F:
    """Run a command body; YilanError → message + exit code; a bug → short message, exit 3."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **_typed_text(kwargs))
        except YilanError as e:
            fail(e)
            raise typer.Exit(e.exit_code) from None
        except typer.Exit:
            raise
        except BrokenPipeError:  # `yilan history | head`: the reader has what it wanted
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Abort, KeyboardInterrupt):
            typer.echo("已中断。", err=True)  # what was saved or not is said by the write itself
            raise typer.Exit(130) from None
        except Exception as e:
            if os.environ.get("YILAN_DEBUG"):
                raise
            typer.echo(f"{t('severity.error')}[E999] {t('internal', detail=f'{type(e).__name__}: {e}')}", err=True)
            typer.echo(f"  {t('hint')}: {t('hint.internal')}", err=True)
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def _typed_text(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Typed or pasted text as a file can hold it: characters no Word/Excel file can carry (the line break
    \\v that text copied from Word brings) become spaces, and the user is told."""
    from ..terminal import NOT_XML, xml_safe

    def clean(v: Any) -> Any:
        if isinstance(v, str) and NOT_XML.search(v):
            return xml_safe(v)
        if isinstance(v, list) and any(isinstance(x, str) and NOT_XML.search(x) for x in v):
            return [xml_safe(x) if isinstance(x, str) else x for x in v]
        return v

    cleaned = {k: clean(v) for k, v in kwargs.items()}
    if any(cleaned[k] is not kwargs[k] for k in kwargs):
        typer.echo("提示:输入中有 Word/Excel 无法容纳的控制字符(如从 Word 复制带来的换行),已换成空格", err=True)
    return cleaned


def workspace(as_recorded: str | None = None) -> Any:
    """The workspace — or, with ``as_recorded`` (a commit or a date), the ledgers as git held them then.

    Recording time, not business time: the files are read from the object database (``git archive`` into a
    temporary folder removed at exit); the work tree and the index are not touched.
    """
    from ..workspace import find_root, load

    root = find_root(explicit=STATE.root)
    if not as_recorded:
        return load(root)
    import atexit
    import shutil
    import tempfile

    from .. import history
    from ..periods import DateError, parse_day

    if history.git_dir(root) is None:
        raise UsageError(f"{root} 不是 git 仓库,没有历史记录", "在台账仓库中使用 --as-recorded", code="G002")
    try:
        now = real_today()
        day = parse_day(as_recorded, now)
        typed_year(day.year, as_recorded)
        # a day not over yet is "as recorded now" (git cannot compare dates past 2099 anyway)
        sha = history.resolve(root, "HEAD") if day >= now else history.commit_before(root, day.isoformat())
        if sha is None:
            raise UsageError(f"{day} 及以前没有任何提交", "换一个更晚的日期", code="G008")
    except DateError:
        sha = history.resolve(root, as_recorded)
        if not sha:
            raise UsageError(f"找不到提交:{as_recorded}", "写提交号(如 4ef070f4)、分支名或日期(如 2022-07-01)",
                             code="G008") from None
    tmp = Path(tempfile.mkdtemp(prefix="yilan-recorded-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    history.export_tree(root, sha, tmp)
    return load(tmp)


AsRecordedOpt = Annotated[
    Optional[str], typer.Option("--as-recorded", help="按某次提交或某日 git 中记录的台账(记录时间)来计算")
]


def real_today() -> date:
    """The machine's clock, read in one place (clock.real_today, which tests patch)."""
    from .. import clock

    return clock.real_today()


def today_arg(text: str | None, context: date | None = None) -> date:
    """``--today`` as users type it: a view date, any day; the real clock only when it is not given.

    A date without a year (6月底) takes the year of ``context`` — the period a command reports on (its last
    day), so ``report 2022Q2 --today 6月底`` is 2022-06-30 — else of the real today."""
    real = real_today()
    if not text:
        return real
    day = parse_day_arg(text, context or real)
    if context is None:
        this_year(text, day, "评估日")
    return day


def this_year(text: str, day: date, what: str) -> None:
    """Say on stderr which year a date typed without one was given from the clock (9月30日 → 2026-09-30): a
    view or a fact of the wrong year reads as plausible figures, so the choice is never silent."""
    from ..periods import DateError, YearMissing, parse_day

    try:
        parse_day(text, None)
    except YearMissing:
        typer.echo(t("year_from_clock", what=what, text=text.strip(), day=day.isoformat()), err=True)
    except DateError:
        pass


def fact_day(text: str | None, what: str, future: bool = False, context: date | None = None) -> date:
    """The business date of a fact a command records (``--date``, ``--assigned``, ``--approved-on`` …), as typed.

    Not typed: the real today. A date without a year (6月底, 12月31日) takes the year of ``context`` — the
    command's own business date, e.g. the 申请日期 of an extension — or, with none, of the real today (the
    user types it now). A date after the real today is refused (E323) unless ``future`` (``--future``):
    a mistyped 2099-01-01 would otherwise block every later entry of the matter (docs/time.md, 日期的校验).
    """
    today = real_today()
    if not text:
        return today
    day = parse_day_arg(text, context or today)
    not_after_today(day, what, future, text)
    if context is None:
        this_year(text, day, what)
    return day


def matter_day(text: str | None, what: str, future: bool, matter: Any) -> tuple[date, str | None]:
    """The date of a fact recorded on ``matter`` (``update``/``close``/``signoff --date``), read under the lock.

    A date without a year (6月底, 12月31日) is the first such day on or after the matter's last 进展 entry
    (else its 交办日期): the matter is the business context, never the clock's year — 6月底 typed in 2026 for a
    2022 matter whose last report is 2022-06-28 is 2022-06-30. The second value says which date it became and
    why, for the command to print (nothing chosen silently). Otherwise as :func:`fact_day` (E323 after today).
    """
    from ..periods import DateError, YearMissing, parse_day

    if text:
        try:
            parse_day(text, None)
        except YearMissing:
            anchor = max((u.date for u in matter.updates), default=matter.assigned)
            day = parse_day_arg(text, anchor)
            if day < anchor:
                day = parse_day_arg(text, date(anchor.year + 1, 1, 1))
            not_after_today(day, what, future, text)
            basis = "最后一条进展" if matter.updates else "交办日期"
            return day, f"{what} {text} 记为 {day}(该事项{basis}为 {anchor},取其后最近的 {text})"
        except DateError:
            pass
    return fact_day(text, what, future), None


def not_after_today(day: date, what: str, future: bool = False, text: str | None = None) -> None:
    """The one rule for facts (clock.not_after_today): after the real today only with ``--future`` (E323)."""
    from .. import clock

    clock.not_after_today(day, what, future, text)


TYPED_YEARS = (1900, 2100)  # a typed date outside is a typo (2202 for 2022), and would overflow date arithmetic


def typed_year(year: int, text: str) -> None:
    """Refuse a typed date or period outside 1900–2100 (E214)."""
    if not TYPED_YEARS[0] <= year <= TYPED_YEARS[1]:
        raise UsageError(f"{text} 的年份 {year} 不在 {TYPED_YEARS[0]}–{TYPED_YEARS[1]} 年之间", "请核对年份,如 2022-07-31",
                         code="E214")


def deadline_arg(text: str, after: date) -> date:
    """A 时限 as typed (``--deadline``, ``--milestone``/``--add-milestone``, ``extend --to``): a date without a
    year is the first such day on or after ``after`` — the date it is set on (交办日期, the update's date):
    1月底 set on 2022-12-01 is 2023-01-31, never a deadline already past when it was set. A deadline is
    naturally after today and is never checked against it."""
    from ..periods import DateError, YearMissing, parse_day

    try:
        parse_day(text, None)
    except YearMissing:
        day = parse_day_arg(text, after)
        return day if day >= after else parse_day_arg(text, date(after.year + 1, 1, 1))
    except DateError:
        pass
    return parse_day_arg(text, after)


def parse_day_arg(text: str, today: date) -> date:
    """A typed date (periods.parse_day); not a date: E203; shaped like one that does not exist
    (2022-02-30): E204; a year outside 1900–2100: E214."""
    from ..periods import DateError, NoSuchDay, parse_day

    try:
        day = parse_day(text, today)
    except NoSuchDay:
        raise UsageError(t("err.no_such_day", text=text), t("hint.no_such_day"), code="E204") from None
    except DateError:
        raise UsageError(t("err.bad_date", text=text), t("hint.bad_date"), code="E203") from None
    typed_year(day.year, text)
    return day


DOCUMENT_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}


def document_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """The format of a document written to ``output``: ``--format`` if given, else the file's extension
    (通报.docx → docx), else the first of ``allowed``. A contradiction (``--format md -o 通报.docx``), an
    extension the command cannot write, or without ``--format`` any other extension (通报.pdf) is refused
    (E506): a .docx or .pdf full of Markdown reported as success is worse than no file."""
    by_name = DOCUMENT_SUFFIXES.get(output.suffix.lower()) if output is not None else None
    suffix = output.suffix if output is not None else ""
    if fmt is None and by_name is None and re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix):  # 通报.pdf without --format
        raise UsageError(f"输出文件 {output.name if output else ''} 的扩展名 {suffix} 不是本命令能写的格式",
                         f"这个命令可写:{', '.join(allowed)};把文件名改为 .{allowed[0]} 等扩展名"
                         + (",需要 PDF 请用 WPS/Word 打开 .docx 另存" if suffix.lower() == ".pdf" else ""), code="E506")
    if fmt is None:
        fmt = by_name if by_name in allowed else allowed[0]
    fmt = choice(fmt, allowed)
    if by_name is not None and by_name != fmt:
        assert output is not None
        raise UsageError(f"输出文件 {output.name} 的扩展名是 {output.suffix},与 --format {fmt} 不符",
                         f"去掉 --format(按扩展名写 {by_name}),或把文件名改为 .{fmt}" if by_name in allowed
                         else f"这个命令可写:{', '.join(allowed)};把文件名改为其中之一的扩展名", code="E506")
    return fmt


def choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UsageError(t("err.bad_option", text=value), t("hint.bad_option", values=", ".join(allowed)), code="C004")
    return value


MANAGED = ("ledgers", "schemas", "reports", "research", "report_templates", "report_notes", ".git")


@functools.lru_cache(maxsize=8)
def _root_of(explicit: str | None, cwd: str) -> Path | None:
    from ..workspace import find_root

    try:
        return find_root(Path(cwd), explicit=explicit).resolve()
    except YilanError:
        return None


def _refuse_link(path: Path) -> None:
    """An output inside the workspace is never written through a link (E114): the folder could have been
    committed as a link to anywhere."""
    from ..filecheck import link_on_the_way

    root = _root_of(STATE.root, os.getcwd())
    link = link_on_the_way(path, root) if root else None
    if link is not None:
        raise UsageError(f"输出位置 {link} 是符号链接,已拒绝写入(它可能指向工作区以外)",
                         "删除这个链接(它可能是别人提交的),或用 -o 换一个位置", code="E114", path=str(path))


def _refuse_managed(path: Path) -> None:
    """An output never lands among the workspace's own records (it would overwrite the register, a matter …)."""
    _refuse_link(path)
    root = _root_of(STATE.root, os.getcwd())
    if root is None:
        return
    target = path.resolve()
    for name in MANAGED:
        folder = root / name
        if target == folder or folder in target.parents:
            raise UsageError(f"-o 指向了工作区自己的 {name}/ 文件夹:{path}",
                             "输出文件放到工作区以外,或工作区下的其他文件夹(如 输出/)", code="E504")


def _unusable(path: Path, e: OSError) -> UsageError:
    """An output path the system cannot take (a name longer than 255 bytes, a loop of links …), in words."""
    import errno

    hint = ("文件名太长(一个名字最多约 80 个汉字);换一个短一些的名字" if e.errno == errno.ENAMETOOLONG
            else "换一个可写的位置")
    return UsageError(f"无法使用输出位置 {path}:{e.strerror or e}", hint, code="E504")


def output_file(path: Path, records: bool = False) -> Path:
    """A file the user named with ``-o``: its folder is created; a folder, a place among the workspace's own
    records (unless ``records``: `yilan schema` writes schemas/matter.schema.json) or an unwritable place is refused."""
    try:
        return _output_file(path, records)
    except OSError as e:
        raise _unusable(path, e) from None


def _output_file(path: Path, records: bool) -> Path:
    if not (records and path.suffix == ".json" and path.resolve().parent.name == "schemas"):
        _refuse_managed(path)  # `yilan schema` may write schemas/*.json, nothing else among the records
    if path.is_dir():
        raise UsageError(f"-o 指定的 {path} 是一个文件夹", f"写成文件名,如 -o {path / '通报.docx'}", code="E504")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"无法创建输出文件夹 {path.parent}:{e.strerror or e}", "换一个可写的位置", code="E504") from None
    return path


def output_dir(path: Path, create: bool = True) -> Path:
    """A folder the user named with ``-o`` (created when missing, unless ``create`` is off: a check made before
    anything is decided); an existing file there, or the workspace's own records, are refused."""
    try:
        return _output_dir(path, create)
    except OSError as e:
        raise _unusable(path, e) from None


def _output_dir(path: Path, create: bool) -> Path:
    _refuse_managed(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"-o 指定的 {path} 是一个文件,不是文件夹", "写一个文件夹名,如 -o 督办通知单", code="E504")
    if not create:
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"无法创建输出文件夹 {path}:{e.strerror or e}", "换一个可写的位置", code="E504") from None
    return path


def write_output(path: Path, document: str | bytes, make_folder: bool = False) -> None:
    """Write a rendered document (text as UTF-8 with LF), never through a link inside the workspace (E114);
    ``make_folder`` creates the file's folder first. A failure is said in Chinese, not as a traceback."""
    try:
        _refuse_link(path)
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(document, bytes):
            path.write_bytes(document)
        else:
            path.write_text(document, encoding="utf-8", newline="\n")
    except OSError as e:
        raise _write_failed(path, e) from None


def _write_failed(path: Path, e: OSError) -> YilanError:
    from ..txn import disk_full_error, no_space

    if no_space(e):
        return disk_full_error()
    return UsageError(f"无法写入 {path}:{e.strerror or e}", "文件可能正被 WPS/Word 打开,关闭后重试,或换一个位置",
                      code="E504")


class PageWriter:
    """Writes the many files of one output folder (the dashboard): each file replaced in one step — written to
    a temporary file beside it, then renamed into place — so a web server serving the folder meanwhile sends
    the old page or the new one, never half of one. As write_output: never through a link inside the
    workspace (E114), failures said in Chinese. The workspace is looked up once, each folder made once."""

    def __init__(self) -> None:
        self.root = _root_of(STATE.root, os.getcwd())
        # a file outside the workspace is never checked (link_on_the_way: None); told by its text, cheaply
        self.inside = os.path.normcase(os.path.join(self.root, "")) if self.root else None
        self.folders: set[str] = set()

    def save(self, path: Path, document: str | bytes) -> None:
        from ..filecheck import replace_file

        try:
            self._refuse_link(path)
            folder = os.path.dirname(path)
            if folder not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            replace_file(os.fspath(path), document if isinstance(document, bytes) else document.encode("utf-8"))
        except OSError as e:
            raise _write_failed(path, e) from None

    def remove(self, path: Path) -> None:
        """Delete a file yilan wrote earlier (the page of a matter that no longer exists)."""
        try:
            self._refuse_link(path)
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as e:
            raise UsageError(f"无法删除 {path}:{e.strerror or e}", "检查该文件夹的权限,或换一个位置",
                             code="E504") from None

    def _refuse_link(self, path: Path) -> None:
        from ..filecheck import link_on_the_way

        if self.root is None or self.inside is None \
                or not os.path.normcase(os.path.abspath(path)).startswith(self.inside):
            return
        link = link_on_the_way(path, self.root)
        if link is not None:
            raise UsageError(f"输出位置 {link} 是符号链接,已拒绝写入(它可能指向工作区以外)",
                             "删除这个链接(它可能是别人提交的),或用 -o 换一个位置", code="E114", path=str(path))


def warn_invalid(findings: list[Any]) -> None:
    """Name each invalid file on stderr; the valid matters are still listed or exported (SPEC §6)."""
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return
    first: dict[str, Any] = {}
    for f in errors:
        first.setdefault(f.file, f)
    typer.echo(t("invalid_files", n=len(first)), err=True)
    for f in first.values():
        typer.echo(t("invalid_file", place=f.place, message=f"[{f.code}] {f.message}"), err=True)
    typer.echo(t("run_check"), err=True)


def out(text: str) -> None:
    """One message or document on stdout (control characters are shown visibly by the stream)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


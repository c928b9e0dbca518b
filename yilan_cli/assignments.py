"""市级交办事项 (city assignments): the file a city workspace writes, as a county reads it.

A city office keeps ``assignments/<编号>.yaml`` in its own git repository (SPEC §7, City level)::

    编号: SJ-001
    事项: 推进县域重点产业项目落地
    任务来源: 市委常委会2026年第20次会议
    目标要求: 年底前完成……
    交办日期: 2026-11-30
    完成时限: 2027-03-31
    交办对象: [依兰县, 通河县]

:func:`assignment_text` writes it (the city side), :func:`parse_assignment` reads it (the county side);
``parse_assignment(assignment_text(a), rel) == a`` for every assignment :func:`check_assignment` accepts.
The city repository is untrusted input: anything off this shape is refused with a UsageError A001–A008
that names the file and the field, never an internal error. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import UsageError
from .terminal import NOT_XML, escaped, one_line

ASSIGNMENTS_DIR = "assignments"
ASSIGNMENT_PREFIX = "SJ"
ONGOING = "长期"  # 完成时限 of a standing task (models.ONGOING)
MAX_ASSIGNMENT_BYTES = 1 << 20  # an assignment is a few hundred bytes; 1 MiB stops a runaway file
MAX_LINE = 500  # characters of a one-line field (事项, 任务来源, one 交办对象)
MAX_TARGET = 10_000  # characters of 目标要求
MAX_MEMBERS = 1_000  # names in 交办对象
YEARS = (1900, 2100)  # as every typed or stored date (cli.common.TYPED_YEARS)

ID_RE = re.compile(rf"{ASSIGNMENT_PREFIX}-[0-9]{{1,6}}")
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# a name written bare inside [ … ]: no flow or YAML indicator anywhere, no blank (依兰县, 通河县); others quoted
_PLAIN_IN_FLOW = re.compile(r"[^\s,\[\]{}:#&*!|>'\"%@`?\-][^\s,\[\]{}:#\"']*")
# terminal control (C0 but TAB and LF, DEL, C1, bidi marks and overrides, line/paragraph separators: as
# terminal._CONTROL) and what no Word/Excel file can hold (terminal.NOT_XML)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FIELDS = ("编号", "事项", "任务来源", "目标要求", "交办日期", "完成时限", "交办对象")
_REQUIRED = ("编号", "事项", "交办日期", "完成时限", "交办对象")
_HINT = "请市委市政府督查室更正这个交办文件（yilan city assign 写出的文件不会有这个问题）；本次没有接收任何事项"


@dataclass(frozen=True)
class Assignment:
    """One 市级交办事项. ``deadline`` is a date or 长期; ``to`` the member counties, as the city names them."""

    id: str
    title: str
    assigned: date
    deadline: date | str
    to: tuple[str, ...]
    target: str | None = None
    source: str | None = None


def _refuse(code: str, rel: str, field: str, detail: str, hint: str = _HINT) -> UsageError:
    where = f"的“{field}”" if field else ""
    return UsageError(f"市级交办文件 {one_line(rel)} {where}{detail}", hint, code=code)


def _shown(value: Any) -> str:
    """A value quoted in a message: short, every control character written out."""
    text = value if isinstance(value, str) else repr(value)
    text = _CONTROL.sub(lambda m: escaped(m.group()), NOT_XML.sub(lambda m: escaped(m.group()), text))
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= 40 else text[:40] + "…"


def _text(value: Any, rel: str, field: str, *, lines: bool = False, read: bool = False, code: str = "A006") -> str:
    """A text field: a string, not empty, without control characters; one line unless ``lines`` (目标要求).
    As ``read`` from a file its ends are trimmed (after the control characters are judged); an Assignment
    made in code must come trimmed (what a file can give back)."""
    if not isinstance(value, str):
        raise _refuse(code, rel, field, f"应为文本，现为 {_shown(value)}")
    bad = _CONTROL.search(value) or NOT_XML.search(value)
    if bad:
        raise _refuse(code, rel, field, f"含有控制字符 {escaped(bad.group())}：{_shown(value)}")
    if read:
        value = value.strip()
    elif value != value.strip():
        raise _refuse(code, rel, field, f"首尾有空白：{_shown(value)}")
    if not value:
        raise _refuse(code, rel, field, "不能为空")
    if not lines and ("\n" in value or "\t" in value):
        raise _refuse(code, rel, field, f"应为一行文字，不能有换行或制表符：{_shown(value)}")
    limit = MAX_TARGET if lines else MAX_LINE
    if len(value) > limit:
        raise _refuse(code, rel, field, f"超过 {limit} 个字符（{len(value)} 个）")
    return value


def _day(value: Any, rel: str, field: str, *, ongoing: bool = False) -> date | str:
    """A date YYYY-MM-DD of 1900–2100 (or 长期, when ``ongoing``)."""
    if ongoing and value == ONGOING:
        return ONGOING
    form = "YYYY-MM-DD 日期" + ("或 长期" if ongoing else "")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DAY_RE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _refuse("A007", rel, field, f"不是有效的日期：{_shown(value)}") from None
    else:
        raise _refuse("A007", rel, field, f"应为{form}，现为 {_shown(value)}")
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _refuse("A007", rel, field, f"年份 {day.year} 不在 {YEARS[0]}–{YEARS[1]} 年之间")
    return day


def check_assignment(a: Assignment, rel: str | None = None) -> Assignment:
    """``a`` itself when it is an assignment a county accepts, else the UsageError (A005–A008) naming the
    field — the city writer calls it (through :func:`assignment_text`) before anything is written."""
    rel = rel or f"{ASSIGNMENTS_DIR}/{a.id}.yaml"
    if not isinstance(a.id, str) or not ID_RE.fullmatch(a.id):
        raise _refuse("A005", rel, "编号", f"应为 {ASSIGNMENT_PREFIX}- 加1–6位数字（如 {ASSIGNMENT_PREFIX}-001），"
                                          f"现为 {_shown(a.id)}")
    _text(a.title, rel, "事项")
    if a.source is not None:
        _text(a.source, rel, "任务来源")
    if a.target is not None:
        _text(a.target, rel, "目标要求", lines=True)
    if not isinstance(a.assigned, date) or _day(a.assigned, rel, "交办日期") != a.assigned:
        raise _refuse("A007", rel, "交办日期", f"应为日期，现为 {_shown(a.assigned)}")
    if not (isinstance(a.deadline, date) or a.deadline == ONGOING):
        raise _refuse("A007", rel, "完成时限", f"应为日期或 长期，现为 {_shown(a.deadline)}")
    _day(a.deadline, rel, "完成时限", ongoing=True)
    if isinstance(a.deadline, date) and a.deadline < a.assigned:
        raise _refuse("A007", rel, "完成时限", f"{a.deadline.isoformat()} 早于交办日期 {a.assigned.isoformat()}")
    if not isinstance(a.to, tuple) or not a.to:
        raise _refuse("A008", rel, "交办对象", "应为至少一个县（市、区）名称的清单，如 [依兰县, 通河县]")
    if len(a.to) > MAX_MEMBERS:
        raise _refuse("A008", rel, "交办对象", f"超过 {MAX_MEMBERS} 个名称")
    for i, name in enumerate(a.to):
        _text(name, rel, f"交办对象[{i + 1}]", code="A008")
    twice = next((x for i, x in enumerate(a.to) if x in a.to[:i]), None)
    if twice is not None:
        raise _refuse("A008", rel, "交办对象", f"{_shown(twice)} 写了两次")
    return a


def parse_assignment(text: str, rel: str) -> Assignment:
    """The assignment that ``text`` (the file ``rel`` = ``assignments/<编号>.yaml`` of the city repository)
    holds; anything off the shape above is a UsageError naming the file and the field:

    A001 larger than 1 MiB · A002 not UTF-8 text (NUL bytes) · A003 not YAML, or not fields (键: 值) ·
    A004 a field missing or one the format does not have · A005 编号 not SJ-<digits> or not the file's name ·
    A006 a text empty, not text, with control characters, a line break in a one-line field, too long ·
    A007 a date not YYYY-MM-DD of 1900–2100, 完成时限 before 交办日期 · A008 交办对象 not a list of names.
    """
    from .yamlio import fast_load

    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_ASSIGNMENT_BYTES:
        raise _refuse("A001", rel, "", f"大于 1 MiB（{size} 字节），不是交办文件")
    if "\0" in text:
        raise _refuse("A002", rel, "", "含有 NUL 字节，不是文本文件")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        data = fast_load(text)
    except RecursionError:
        raise _refuse("A003", rel, "", "不是有效的 YAML（嵌套过深）") from None
    except Exception as e:  # noqa: BLE001 - libyaml's errors and yamlio.YamlProblem: any of them is "not YAML"
        raise _refuse("A003", rel, "", f"不是有效的 YAML{_where(e)}") from None
    if not isinstance(data, dict):
        raise _refuse("A003", rel, "", f"应为字段（键: 值），现为 {_shown(data)}")
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise _refuse("A004", rel, _shown(unknown[0]), f"不是交办文件的字段（字段有：{'、'.join(FIELDS)}）")
    missing = [k for k in _REQUIRED if data.get(k) is None]
    if missing:
        raise _refuse("A004", rel, missing[0], "缺少内容")
    stem = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
    if data["编号"] != stem:
        raise _refuse("A005", rel, "编号", f"为 {_shown(data['编号'])}，与文件名 {_shown(stem)} 不一致")
    to = data["交办对象"]
    if not isinstance(to, list):
        raise _refuse("A008", rel, "交办对象", f"应为名称清单（如 [依兰县, 通河县]），现为 {_shown(to)}")
    a = Assignment(
        id=data["编号"],
        title=_text(data["事项"], rel, "事项", read=True),
        assigned=_as_day(_day(data["交办日期"], rel, "交办日期")),
        deadline=_day(data["完成时限"], rel, "完成时限", ongoing=True),
        to=tuple(_text(x, rel, f"交办对象[{i + 1}]", read=True, code="A008") for i, x in enumerate(to[:MAX_MEMBERS + 1])),
        target=None if data.get("目标要求") is None else _text(data["目标要求"], rel, "目标要求", lines=True, read=True),
        source=None if data.get("任务来源") is None else _text(data["任务来源"], rel, "任务来源", read=True),
    )
    return check_assignment(a, rel)


def _as_day(value: date | str) -> date:
    assert isinstance(value, date)  # _day without ongoing returns a date
    return value


def _where(e: BaseException) -> str:
    """Where the parser stopped (line), when it says."""
    line = getattr(e, "line", 0) or (getattr(getattr(e, "problem_mark", None), "line", -1) + 1)
    return f"（第 {line} 行附近）" if isinstance(line, int) and line > 0 else ""


def assignment_text(a: Assignment) -> str:
    """The canonical file of ``a`` (the city writer's; :func:`check_assignment` first, so a county never
    receives what it would refuse): keys in the order of the format, dates ``YYYY-MM-DD``, 交办对象 in one
    ``[…]`` line, a 目标要求 of several lines as a ``|`` block."""
    import io

    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    from .yamlio import STR_TAG, flow_seq, plain_tag, rt_yaml

    check_assignment(a)
    doc = CommentedMap()
    doc["编号"] = a.id
    doc["事项"] = a.title
    if a.source is not None:
        doc["任务来源"] = a.source
    if a.target is not None:
        doc["目标要求"] = LiteralScalarString(a.target) if "\n" in a.target else a.target
    doc["交办日期"] = a.assigned.isoformat()
    doc["完成时限"] = a.deadline.isoformat() if isinstance(a.deadline, date) else a.deadline
    doc["交办对象"] = flow_seq([x if _PLAIN_IN_FLOW.fullmatch(x) and plain_tag(x) == STR_TAG else DoubleQuotedScalarString(x)
                              for x in a.to])
    buf = io.StringIO()
    rt_yaml().dump(doc, buf)
    return buf.getvalue()

"""Write commands: add, update, close, signoff, extend, withdraw, reinstate, fmt. Each is one transaction, one commit."""

from collections.abc import Callable
from datetime import date as date_
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ExitCode, UsageError, YilanError
from ..i18n import t
from ..terminal import inline
from .common import (
    STATE,
    FutureOpt,
    deadline_arg,
    fact_day,
    handled,
    matter_day,
    not_after_today,
    out,
    parse_day_arg,
    workspace,
)

DateOpt = Annotated[Optional[str], typer.Option(
    "--date", help="业务日期,默认今天(如 2022-06-30、6月底;不写年份为今年);不能晚于今天,除非加 --future")]


def register(app: typer.Typer) -> None:
    app.command("add", help="新增事项:自动分配永不重复的编号,最后一行输出新编号。")(add)
    app.command("update", help="记录一次进展(进度、情况、问题、下步措施、指标、节点)。")(update)
    app.command("close", help="办结事项(--stage 为阶段性办结)。")(close)
    app.command("signoff", help="销号:已办结事项经审核、批准后销号。")(signoff)
    app.command("extend", help="记录延期:新时限、理由、批准人、批准日期。")(extend)
    app.command("edit", help="更正事项的基本字段（事项、牵头单位、配合单位等），须写明理由。")(edit)
    app.command("withdraw", help="撤销事项（误录或经领导决定取消）：自撤销日期起不计入总数、灯色和各项比率，记录保留。")(withdraw)
    app.command("reinstate", help="恢复已撤销的事项：自恢复日期起重新计入。")(reinstate)
    app.command("fmt", help="把事项文件整理成统一格式(--check 只检查不改)。")(fmt)
    app.command("undo", help="撤销上一次 yilan 命令的提交(生成一个新的撤销提交)。")(undo)
    app.command("merge-file", help="git 合并驱动(由 git 调用):事项文件按进展条目合并。")(merge_file)


class WriteRefused(YilanError):
    """The result of an edit would be invalid: nothing is written."""

    def __init__(self, findings: list[Any], message: str | None = None, *, located: bool = True) -> None:
        from ..render import finding_lines

        lines = [finding_lines(f, located) for f in findings]
        super().__init__(message or t("err.invalid_result"), "\n".join(lines), code=findings[0].code)


# each 名称=值 option: what its value is, and an example (the hint of a value written without "=")
_PAIR_FORMS = {
    "--indicator": ("名称=值", "年底存栏肉牛=1200"), "--add-indicator": ("名称=目标[单位]", "户厕改造=1200户"),
    "--milestone": ("名称=日期", "完成招标=8月底"), "--add-milestone": ("名称=时限", "完成招标=8月底"),
    "--set": ("字段=值", "总投资万元=6800"),
}
_DATED_PAIRS = ("--milestone", "--add-milestone")  # 名称：日期 reads too (a date has no colon)


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    """``名称=值`` options as typed (``＝`` too; for milestones also ``：``) → {名称: 值}. Without a separator
    or a name, or a name given twice: E213 with the option's own example."""
    form, example = _PAIR_FORMS.get(what, ("名称=值", "名称=值"))
    out_: dict[str, str] = {}
    for v in values or []:
        v = v.replace("＝", "=")
        if what in _DATED_PAIRS and "=" not in v:
            v = v.replace("：", "=", 1).replace(":", "=", 1)
        key, sep, value = v.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} 应写成 {form}：{v}", f"例如 {what} {example}", code="E213")
        if key.strip() in out_:  # which of two values was meant? never the last one silently
            raise UsageError(f"{what} 给了 {key.strip()} 两次:{out_[key.strip()]} 和 {value.strip()}", "每个名称只写一次",
                             code="E213")
        out_[key.strip()] = value.strip()
    return out_


def _validated(ws: Any, text: str, rel: str, *, new: bool = False) -> Any:
    """The record ``text`` makes at ``rel``, or WriteRefused with its findings — for a ``new`` matter (add)
    without the file's place: no such file exists, nothing was written."""
    from ..checks import check_text

    ledger_key, stem = Path(rel).parent.name, Path(rel).stem
    record, findings = check_text(ws, text, rel, ledger_key, stem)
    if record is None:
        raise WriteRefused(findings, t("err.invalid_new") if new else None, located=not new)
    return record


def _dated_edit(matter_id: str, action: str, verb: str, typed: str | None, what: str, future: bool,
                fn: Callable[[Any, Any, date_], str]) -> None:
    """:func:`_edit` for a fact dated ``--date``: the date is read under the lock against the matter it is
    recorded on (common.matter_day) and handed to ``fn(tree, validated, day)``; how a date typed without a
    year was read is printed after the subject — never chosen silently."""
    said: list[str] = []

    def apply(tree: Any, v: Any) -> str:
        day, why = matter_day(typed, what, future, v.matter)
        said.extend([why] if why else [])
        return fn(tree, v, day)

    _edit(matter_id, action, verb, apply)
    for line in said:
        out(inline(line))


def _edit(matter_id: str, action: str, verb: str, fn: Callable[[Any, Any], str]) -> None:
    """Under the lock: read the matter, apply ``fn(tree, validated)``, validate, write, commit."""
    from ..txn import Transaction
    from ..yamlio import dump, positioned_load
    from .read import matter_path

    ws = workspace()
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
        rel = ws.rel(matter_path(ws, matter_id))
        tx.refuse_dirty([rel])
        text = tx.read(rel) or ""  # CRLF and BOM never leak into a write
        record = _validated(ws, text, rel)
        tree = positioned_load(text)
        summary = fn(tree, record)
        new_text = dump(tree)
        _validated(ws, new_text, rel)
        tx.write(rel, new_text)
        subject = inline(f"{verb} {record.matter.id} {record.matter.title}:{summary}")
        tx.commit(subject, action, record.matter.id)
    out(subject)


def _new_items(indicator: list[str] | None, milestone: list[str] | None, day: date_,
               opts: tuple[str, str] = ("--indicator", "--milestone"), *,
               assigned: date_ | None = None) -> tuple[list[Any], list[Any]]:
    """``名称=目标[单位][:类型]`` and ``名称=时限`` as typed → new 量化指标 and 节点 entries (edits.indicator_item,
    edits.milestone_item), set on ``day`` (the 交办日期 for add, the update's or edit's date). Set on a day after
    the matter's ``assigned`` they carry 设立日期 ``day``: no view before it shows them. A 时限 without a year
    is the first such day on or after ``day`` (common.deadline_arg); a 时限 is naturally after today."""
    from ..edits import indicator_item, milestone_item

    since = day if assigned is not None and day > assigned else None
    indicators = [indicator_item(name, value, since) for name, value in _pairs(indicator, opts[0]).items()]
    milestones = [milestone_item(name, deadline_arg(value, day), since)
                  for name, value in _pairs(milestone, opts[1]).items()]
    return indicators, milestones


@handled
def add(
    ledger: Annotated[str, typer.Argument(help="台账(键、前缀或中文名)")],
    title: Annotated[str, typer.Option("--title", help="事项名称")],
    lead_unit: Annotated[str, typer.Option("--lead-unit", help="牵头单位(须已登记)")],
    deadline: Annotated[str, typer.Option("--deadline", help="完成时限,如 2022-08-31、8月底、年底、长期")],
    leader: Annotated[Optional[list[str]], typer.Option("--leader", help="牵头领导,可多次")] = None,
    co_unit: Annotated[Optional[list[str]], typer.Option("--co-unit", help="配合单位,可多次")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="任务来源")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="目标要求")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    assigned: Annotated[Optional[str], typer.Option("--assigned", help="交办日期,默认今天;不能晚于今天,除非加 --future")] = None,
    cycle: Annotated[Optional[str], typer.Option("--cycle", help="报告周期:月 季 半年 年")] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="标签,可多次")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="台账扩展字段 名称=值,可多次")] = None,
    task_force: Annotated[Optional[str], typer.Option("--task-force", help="所属专班（编号或名称，如 TF04）")] = None,
    indicator: Annotated[Optional[list[str]], typer.Option(
        "--indicator", help="量化指标 名称=目标[单位][:类型]，如 户厕改造=1200户，可多次")] = None,
    milestone: Annotated[Optional[list[str]], typer.Option(
        "--milestone", help="节点 名称=时限，如 主体完工=9月底，可多次")] = None,
    future: FutureOpt = False,
) -> None:
    from ..edits import new_matter, next_id, one_line, read_last_id, task_force_name
    from ..leaders import for_matter
    from ..models import ONGOING
    from ..query import resolve_ledgers
    from ..txn import Transaction
    from ..yamlio import dump

    ws = workspace()
    lg = ws.ledgers[resolve_ledgers(ws, [ledger])[0]]
    title = one_line(title)
    lead_unit = _unit_or_as_typed(ws, lead_unit)
    co_unit = [_unit_or_as_typed(ws, x) for x in listed(co_unit)]
    leader = for_matter(ws, listed(leader))
    tag = listed(tag)
    day = fact_day(assigned, "交办日期", future)
    from ..periods import ONGOING_WORDS

    due = ONGOING if deadline.strip() in ONGOING_WORDS else deadline_arg(deadline, day).isoformat()
    force = task_force_name(ws, task_force) if task_force and task_force.strip() else None
    indicators, milestones = _new_items(indicator, milestone, day)
    folder = ws.root / "ledgers" / lg.key
    seq_rel = f"ledgers/{lg.key}/.last-id"
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
        issued = read_last_id(tx.read(seq_rel), seq_rel)
        present = [p.stem for p in folder.glob("*.yaml")] if folder.is_dir() else []
        matter_id = next_id(lg, issued, present)
        rel = f"ledgers/{lg.key}/{matter_id}.yaml"
        tree = new_matter(ws, lg, matter_id, title=title, lead_unit=lead_unit, deadline=due, assigned=day,
                          leaders=leader or [], co_units=co_unit or [], source=source, target=target, owner=owner,
                          cycle=cycle, tags=tag or [], extra=_pairs(set_, "--set"), task_force=force,
                          indicators=indicators, milestones=milestones)
        text = dump(tree)
        _validated(ws, text, rel, new=True)
        tx.refuse_dirty([rel, seq_rel])
        tx.write(rel, text)
        tx.write(seq_rel, f"{int(matter_id.split('-')[1])}\n")
        tx.commit(f"新增 {matter_id} {title}", "add", matter_id)
    out(inline(f"新增 {matter_id} {title}({lg.name},牵头单位 {lead_unit},完成时限 {due})"))
    out(matter_id)


@handled
def update(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    progress_: Annotated[Optional[str], typer.Option(
        "--progress", metavar="进度", help="进度 0–100,可带百分号,如 60 或 60%")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="进展情况")] = None,
    date: DateOpt = None,
    problem: Annotated[Optional[str], typer.Option("--problem", help="存在问题")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", help="下步措施")] = None,
    indicator: Annotated[Optional[list[str]], typer.Option("--indicator", help="量化指标 名称=完成值,可多次")] = None,
    milestone: Annotated[Optional[list[str]], typer.Option("--milestone", help="节点 名称=完成日期,可多次")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="推进中(重新打开)或 中止")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="报告人(单位或个人)")] = None,
    add_indicator: Annotated[Optional[list[str]], typer.Option(
        "--add-indicator", help="新增量化指标 名称=目标[单位][:类型]，可多次")] = None,
    add_milestone: Annotated[Optional[list[str]], typer.Option("--add-milestone", help="新增节点 名称=时限，可多次")] = None,
    future: FutureOpt = False,
) -> None:
    from .. import edits
    from ..indicators import parse_figure

    progress = progress_arg(progress_)
    if progress is None and not any(x and str(x).strip() for x in (note, problem, next_, status)) and not indicator \
            and not milestone and not add_indicator and not add_milestone:
        raise UsageError("没有要记录的内容:一条进展至少要有进度、情况、问题、措施、指标、节点或状态之一",
                         "例如 yilan update ZB-001 --progress 60 --note 完成主体施工", code="E320")
    indicators, units = {}, {}
    for name, value in _pairs(indicator, "--indicator").items():
        figure = parse_figure(value)
        if figure is None:
            raise UsageError(f"指标值不是数字：{name}={value}", "例如 --indicator 年底存栏肉牛=1200 或 =1,200头", code="E212")
        indicators[name], units[name] = figure
    typed = _pairs(milestone, "--milestone")

    def apply(tree: Any, v: Any, day: date_) -> str:
        milestones = {}
        for name, value in typed.items():
            met = milestones[name] = parse_day_arg(value, day)  # a date without a year is in the year of --date
            not_after_today(met, f"节点“{name}”的完成日期", future, value)
        new_indicators, new_milestones = _new_items(add_indicator, add_milestone, day,
                                                    ("--add-indicator", "--add-milestone"), assigned=v.matter.assigned)
        summary = edits.update(tree, v.matter, day, progress=progress, note=note, problem=problem, next_steps=next_,
                               indicators=indicators, milestones=milestones, state=status, reporter=by,
                               new_indicators=new_indicators, new_milestones=new_milestones, units=units)
        if add_indicator or add_milestone:
            not_sealed(day, "新增指标、节点的设立日期")
        return summary

    _dated_edit(matter_id, "update", "更新", date, "进展日期", future, apply)


def progress_arg(text: str | None) -> int | None:
    """``--progress`` as typed: a whole number 0–100, with or without a per cent sign (60, 60%, ６０％ — the
    form Excel import accepts, sheets.cell_progress). Not a whole number: E205; outside 0–100: E206."""
    if text is None:
        return None
    from ..lookup import plain

    digits = plain(text).removesuffix("%").strip()
    if not (digits.isascii() and digits.isdigit()):
        raise UsageError(f"--progress 应为0–100的整数：{text}", "写进度的百分数，如 --progress 60 或 --progress 60%",
                         code="E205")
    if int(digits) > 100:
        raise UsageError(f"--progress 超出0–100：{text}", "进度是完成的百分数，最大为100", code="E206")
    return int(digits)


@handled
def close(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    date: DateOpt = None,
    note: Annotated[Optional[str], typer.Option("--note", help="办结情况")] = None,
    stage: Annotated[bool, typer.Option("--stage", help="阶段性办结(仍需按期报告)")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="报告人")] = None,
    future: FutureOpt = False,
) -> None:
    from .. import edits

    _dated_edit(matter_id, "close", "阶段性办结" if stage else "办结", date, "办结日期", future,
                lambda tree, v, day: edits.close(tree, v.matter, day, note=note, stage=stage, reporter=by))


@handled
def signoff(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="审核人(如 县委督查室)")],
    approver: Annotated[str, typer.Option("--approver", help="批准人(如 常务副县长)")],
    evidence: Annotated[Optional[list[str]], typer.Option("--evidence", help="佐证材料,可多次")] = None,
    date: DateOpt = None,
    future: FutureOpt = False,
) -> None:
    from .. import edits

    _dated_edit(matter_id, "signoff", "销号", date, "销号日期", future,
                lambda tree, v, day: edits.signoff(tree, v.matter, day, reviewer=reviewer, approver=approver,
                                                   evidence=evidence or []))


@handled
def extend(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    to: Annotated[str, typer.Option("--to", help="新时限")],
    reason: Annotated[str, typer.Option("--reason", help="延期理由")],
    date: Annotated[Optional[str], typer.Option("--date", help="申请日期,默认今天;不能晚于今天,除非加 --future")] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", help="批准人")] = None,
    approved_on: Annotated[Optional[str], typer.Option("--approved-on", help="批准日期,默认同申请日期")] = None,
    future: FutureOpt = False,
) -> None:
    from .. import edits
    from ..status import deadline_at

    applied = fact_day(date, "延期申请日期", future)
    new_deadline = deadline_arg(to, applied)  # a deadline: naturally after today, never checked against it
    approved = fact_day(approved_on, "延期批准日期", future, context=applied) if approved_on else applied

    def apply(tree: Any, v: Any) -> str:
        current = deadline_at(v.record(), max(applied, approved).toordinal())
        return edits.extend(tree, v.matter, to=new_deadline, reason=reason, applied=applied, approver=approved_by,
                            approved=approved, current=None if current is None else date_.fromordinal(current))

    _edit(matter_id, "extend", "延期", apply)


def listed(values: list[str] | None) -> list[str]:
    """A list option as typed (``--co-unit``, ``--leader``, ``--tag``): each value may itself be a list
    written the Chinese way (县财政局、县水务局 / 钱某，孙某 / 民生;重点), split as a sheet's list cell is
    (sheets.cell_list) — never stored as one name; blanks collapsed (edits.one_line), each name once, in order."""
    from ..edits import one_line
    from ..sheets import cell_list

    parts = (one_line(p) for v in values or [] for p in cell_list(v))
    return list(dict.fromkeys(p for p in parts if p))


def not_sealed(day: date_, what: str) -> None:
    """A withdrawal, reinstatement or an indicator/milestone set on ``day``: refused (E344) when ``day`` is on or
    before the 评估日 of a document already issued (reports/issued.yaml) — what was signed and sent is not
    changed by a record dated into it; read under the writers' lock, like the register itself."""
    from ..issuing import read_register, sealed
    from ..workspace import find_root

    latest = sealed(read_register(find_root(explicit=STATE.root)))
    if latest is not None and day <= latest[0]:
        raise UsageError(f"{what}{day}不晚于已印发的{latest[1]}的评估日{latest[0]}，已印发文书依据的记载不能再改变",
                         "用评估日之后的日期（如今天）记录；已印发的文书确有错误，应另行发文更正", code="E344")


def _unit_or_as_typed(ws: Any, text: str) -> str:
    """A typed 牵头单位 read as every ``--unit`` is (住建局 → 县住建局, lookup.unit_name); one that names no unit
    is left as typed, for the file's validation to refuse (E305, with the closest names)."""
    from ..lookup import unit_name

    try:
        return unit_name(ws, text)
    except UsageError:
        return text


@handled
def edit(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    reason: Annotated[str, typer.Option("--reason", help="更正的理由（写进提交说明，history 中显示）")],
    title: Annotated[Optional[str], typer.Option("--title", help="事项名称")] = None,
    lead_unit: Annotated[Optional[str], typer.Option("--lead-unit", help="牵头单位（须已登记）")] = None,
    co_unit: Annotated[Optional[list[str]], typer.Option("--co-unit", help="配合单位，可多次；替换原有的全部配合单位")] = None,
    leader: Annotated[Optional[list[str]], typer.Option("--leader", help="牵头领导，可多次；替换原有的全部牵头领导")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="目标要求")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="责任人")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="任务来源")] = None,
    task_force: Annotated[Optional[str], typer.Option("--task-force", help="所属专班（编号或名称）")] = None,
    cycle: Annotated[Optional[str], typer.Option("--cycle", help="报告周期：月 季 半年 年")] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="标签，可多次；替换原有的全部标签")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="台账扩展字段 名称=值，可多次")] = None,
    add_indicator: Annotated[Optional[list[str]], typer.Option(
        "--add-indicator", help="新增量化指标 名称=目标[单位][:类型]，可多次")] = None,
    add_milestone: Annotated[Optional[list[str]], typer.Option("--add-milestone", help="新增节点 名称=时限，可多次")] = None,
    date: Annotated[Optional[str], typer.Option(
        "--date", help="新增指标、节点的设立日期（自该日起计入，此前的通报不变），默认今天")] = None,
    future: FutureOpt = False,
) -> None:
    """Correct core fields of a matter (docs/writing.md, 更正): one commit ``更正 ID 事项:改动;理由:…`` with
    ``Yilan-Action: edit``. A list option replaces the whole list; an empty value (``--owner ""``) removes an
    optional field. What the file holds is read under the writers' lock; the result is validated like add
    (E305 unknown unit …). No reason: E335; nothing given: E334; values equal to the file's: E334."""
    from .. import edits

    why = " ".join(reason.split())
    if not why:
        raise UsageError("更正须写明理由：--reason 不能为空", "例如 --reason 交办时牵头单位写错", code="E335")
    values: dict[str, Any] = {}
    for key, value in (("事项", title), ("牵头单位", lead_unit), ("目标要求", target), ("责任人", owner),
                       ("任务来源", source), ("报告周期", cycle)):
        if value is not None:
            values[key] = value.strip() if key == "目标要求" else edits.one_line(value)
    for key, items in (("配合单位", co_unit), ("牵头领导", leader), ("标签", tag)):
        if items is not None:
            values[key] = listed(items)
    ws = workspace()
    if values.get("牵头单位"):
        values["牵头单位"] = _unit_or_as_typed(ws, values["牵头单位"])
    if values.get("配合单位"):
        values["配合单位"] = [_unit_or_as_typed(ws, x) for x in values["配合单位"]]
    if values.get("牵头领导"):
        from ..leaders import for_matter

        values["牵头领导"] = for_matter(ws, values["牵头领导"])
    if task_force is not None:
        values["专班"] = edits.task_force_name(ws, task_force) if task_force.strip() else ""
    extra = _pairs(set_, "--set")
    if not values and not extra and not add_indicator and not add_milestone:
        raise UsageError("没有要更正的内容：至少给出一个字段的新值",
                         "例如 yilan edit ZB-003 --lead-unit 县住建局 --reason 交办时单位写错", code="E334")

    day = fact_day(date, "设立日期", future)

    def apply(tree: Any, v: Any) -> str:
        if (add_indicator or add_milestone) and day < v.matter.assigned:
            raise UsageError(f"设立日期{day}早于交办日期{v.matter.assigned}", "请核对 --date（默认今天）", code="E312")
        indicators, milestones = _new_items(add_indicator, add_milestone, day, ("--add-indicator", "--add-milestone"),
                                            assigned=v.matter.assigned)
        ledger = ws.ledgers.get(v.ledger)
        summary = edits.correct(tree, v.matter, values, indicators=indicators, milestones=milestones,
                                ledger=ledger, extra=extra)
        if add_indicator or add_milestone:
            not_sealed(day, "新增指标、节点的设立日期")
        return f"{summary}；理由：{why}"

    _edit(matter_id, "edit", "更正", apply)


@handled
def withdraw(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    reason: Annotated[str, typer.Option("--reason", help="撤销理由（如 重复录入、县政府常务会议决定取消）")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="批准人（如 常务副县长）")],
    date: Annotated[Optional[str], typer.Option(
        "--date", help="撤销日期，默认今天；自该日起不计入统计；不能晚于今天，除非加 --future")] = None,
    future: FutureOpt = False,
) -> None:
    """撤销 (docs/format.md, 撤销与恢复): one 撤销 record, one commit (Yilan-Action: withdraw)."""
    from .. import edits

    def apply(tree: Any, v: Any, day: date_) -> str:
        summary = edits.withdraw(tree, v.matter, day, reason=reason, approver=approved_by)
        not_sealed(day, "撤销日期")  # after the matter's own refusals (E340–E343), which say more
        return summary

    _dated_edit(matter_id, "withdraw", "撤销", date, "撤销日期", future, apply)


@handled
def reinstate(
    matter_id: Annotated[str, typer.Argument(metavar="ID", help="事项编号")],
    reason: Annotated[str, typer.Option("--reason", help="恢复理由")],
    date: Annotated[Optional[str], typer.Option(
        "--date", help="恢复日期，默认今天；自该日起重新计入统计；不能晚于今天，除非加 --future")] = None,
    future: FutureOpt = False,
) -> None:
    """恢复 a withdrawn matter: one 恢复 record, one commit (Yilan-Action: reinstate)."""
    from .. import edits

    def apply(tree: Any, v: Any, day: date_) -> str:
        summary = edits.reinstate(tree, v.matter, day, reason=reason)
        not_sealed(day, "恢复日期")
        return summary

    _dated_edit(matter_id, "reinstate", "恢复", date, "恢复日期", future, apply)


@handled
def fmt(
    check: Annotated[bool, typer.Option("--check", help="只检查,有未规范的文件时退出码为 1")] = False,
    migrate: Annotated[bool, typer.Option("--migrate",
                                          help="把旧格式量化指标的 完成 移入记录它的进展(按 git 历史),逐项说明")] = False,
) -> None:
    from ..migrate import migrate_workspace, summary
    from ..txn import Transaction

    ws = workspace()
    if migrate and not check and STATE.no_commit:  # in git, a later hand commit of it would read as rewritten entries
        from ..history import git_dir

        if git_dir(ws.root) is not None:
            raise UsageError("--migrate 不能与 --no-commit 同用", "迁移须由 yilan 提交(Yilan-Action: fmt),审计才认得出它",
                             code="E326")
    if check:
        drift = _drift(ws)
        found = migrate_workspace(ws) if migrate else []
        migrated = {x.rel: x.text for x in found if x.text is not None}
        rest = [rel for rel in drift if rel not in migrated]
        for rel in rest:
            out(f"{rel}: 格式不规范(运行 yilan fmt 整理)")
        for line in [y for x in found for y in x.lines] + ([summary(found, done=False)] if migrate else []):
            out(line)
        if rest or not migrate:
            out(f"{len(rest)} 个文件需要整理" if rest else "全部事项文件格式规范")
        if drift or migrated:
            raise typer.Exit(ExitCode.FINDINGS)
        return
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
        drift = _drift(ws, tx)  # computed under the lock: a write that landed before it is kept
        found = migrate_workspace(ws) if migrate else []  # likewise (yilan_cli/migrate.py)
        migrated = {x.rel: str(x.text) for x in found if x.text is not None}
        for rel, text in migrated.items():
            _validated(ws, text, rel)
        rest = [rel for rel in drift if rel not in migrated]
        texts = {**drift, **migrated}
        if texts:
            tx.refuse_dirty(list(texts))
            for rel, text in texts.items():
                tx.write(rel, text)
            subject = f"格式化 {len(rest)} 个事项文件"
            if migrated:
                subject = f"迁移量化指标 {len(migrated)} 个事项文件" + (f",{subject}" if rest else "")
            tx.commit(subject, "fmt")
    for line in [y for x in found for y in x.lines] + ([summary(found, done=True)] if migrate else []):
        out(line)
    if rest or not migrate:
        out(f"已整理 {len(rest)} 个事项文件" if rest else "全部事项文件格式规范,无需整理")


def _drift(ws: Any, tx: Any = None) -> dict[str, str]:
    """The canonical text of every valid matter file that is not canonical yet (rel → text)."""
    from ..checks import check_text
    from ..edits import key_order
    from ..filecheck import linked
    from ..progress import counted
    from ..store import matter_files
    from ..yamlio import MAX_FILE_BYTES, canonical, dump, positioned_load

    drift: dict[str, str] = {}
    files = matter_files(ws.root)
    for path in counted(files, len(files), "检查格式"):
        rel = ws.rel(path)
        if linked(path, rel) or path.stat().st_size > MAX_FILE_BYTES:
            continue  # `yilan check` reports it (E114, E100); fmt never reads or writes through a link
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n")
        record, _ = check_text(ws, text, rel, path.parent.name, path.stem)
        if record is None:
            continue  # `yilan check` reports it; fmt does not guess what a broken file meant
        new = dump(canonical(positioned_load(text), key_order(ws.ledgers.get(path.parent.name))))
        if new.encode("utf-8") != raw:
            drift[rel] = new
    return drift


# what undo will not take back, and what to do instead: the first commit, an undo, and documents already
# issued (their numbers went out on paper; a correction is a new document)
_NOT_UNDONE = {
    "": ("不是 yilan 命令做的提交", "yilan undo 只撤销 yilan 命令刚做的那次提交;这次手工提交({sha})请报督查室核对,"
                                   "由提交人用 yilan 命令另行更正——删除或改动已有记录会被 yilan audit 视为篡改"),
    "init": ("是初始化提交", "初始化提交不能撤销;不要的工作区直接删除文件夹即可"),
    "undo": ("是撤销提交", "撤销不能再撤销;需要恢复时,用原来的命令(如 yilan update)重新记录"),
    "issue": ("是印发登记,文号已发出", "需要更正请另行发文;重新生成已印发的文件用 --as-issued"),
    "escalate": ("是督办升级文书的印发登记,文号已发出", "需要更正请另行发文"),
}


def _confirmed(question: str) -> bool:
    """y/N on the terminal; no answer (input closed, as in a script or ``< /dev/null``) is N, never an abort
    with exit 130 — the script is told to pass ``--yes``."""
    import click

    try:
        return typer.confirm(question, default=False)
    except click.exceptions.Abort:
        out("（没有读到回答，按“否”处理；在脚本中请加 --yes）")
        return False


def _undo_target(root: Path) -> Any:
    """The commit ``undo`` would take back (HEAD, made by a yilan command), or a refusal saying why not."""
    from .. import history

    commits = history.log(root, "-1", "--no-renames")
    if not commits:
        raise UsageError("仓库里还没有提交", "", code="U001")
    last = commits[0]
    if last.action in _NOT_UNDONE or not last.action:
        what, instead = _NOT_UNDONE[last.action or ""]
        raise UsageError(f"最近一次提交“{last.subject}”{what},不能撤销", instead.format(sha=last.sha[:8]), code="U002")
    me = history.run_git(root, "var", "GIT_AUTHOR_IDENT", check=False).stdout.rsplit(">", 1)[0].rpartition("<")[2]
    if last.email and me and last.email != me and not STATE.author:
        raise UsageError(f"最近一次提交“{last.subject}”是 {last.author} 做的(可能是从台账服务器同步来的同事的修改),"
                         "yilan undo 只撤销您自己刚做的修改",
                         f"需要更正时,与 {last.author} 商量后用相应命令(如 yilan update、yilan extend)另行记录", code="U006")
    if len(history.parents(root, last.sha)) != 1:
        raise UsageError(f"最近一次提交“{last.subject}”的上一个版本不在本仓库中(浅克隆或合并提交),无法确定它改了什么",
                         "在完整克隆的仓库中撤销(git fetch --unshallow 取回全部历史),或用 git revert", code="U003")
    return last


def _undo_changes(root: Path, commit: Any) -> list[Any]:
    """The commit's file changes (paths relative to the workspace, which may be a sub-folder: history.log).

    The ID record is never rolled back: an undone 新增 must not give its number out again.
    """
    return [c for c in commit.changes if not c.new_path.endswith(".last-id")]


def _undo_paths(changes: list[Any]) -> list[str]:
    return list(dict.fromkeys([c.new_path for c in changes] + [c.old_path for c in changes]))


@handled
def undo(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问,直接撤销")] = False,
) -> None:
    """Revert the last yilan command's commit as one new commit (files as they were before it).

    The commit is the one that was last when the command was given (and shown, unless ``--yes``); under the
    lock it must still be the newest commit of each of its files, so a write acknowledged meanwhile is never
    reverted with it.
    """
    from .. import history
    from ..txn import Transaction, refuse_source_checkout

    ws = workspace()
    root = ws.root
    refuse_source_checkout(root)  # before the last commit is named: in the tool's checkout it is a developer's
    last = _undo_target(root)
    changes = _undo_changes(root, last)
    paths = _undo_paths(changes)
    out(f"将撤销:{last.date} {last.author} {last.subject}")
    for p in paths:
        out(f"  {p}")
    if not yes and not _confirmed("确认撤销?"):
        out("未撤销。")
        raise typer.Exit(1)
    with Transaction(root, commit=not STATE.no_commit, author=STATE.author) as tx:
        newer = [p for p in paths if history.last_commit_of(root, p) != last.sha]
        if newer:
            raise UsageError(f"{newer[0]} 又有了新的提交,“{last.subject}”已不是它最近的修改,未撤销",
                             "运行 yilan history 查看最近的修改;需要时重新运行 yilan undo", code="U004")
        tx.refuse_dirty(paths)
        with history.Blobs(root) as blobs:
            for c in changes:
                before = blobs.text(c.old_blob)
                if c.new_path != c.old_path or before is None:
                    tx.delete(c.new_path)  # added (or renamed to here) by the command: remove it
                if before is not None:
                    tx.write(c.old_path, before)
        tx.commit(f"撤销:{last.subject}", "undo", trailers={"Yilan-Undoes": last.sha})
    out(f"已撤销:{last.subject}")


def merge_file(
    base: Annotated[Path, typer.Argument(help="%O 共同祖先")],
    ours: Annotated[Path, typer.Argument(help="%A 本地版本(结果写回这里)")],
    theirs: Annotated[Path, typer.Argument(help="%B 远端版本")],
) -> None:
    from ..merge import merge_file as merge

    raise typer.Exit(merge(base, ours, theirs))

"""The periodic circular (督查通报): a typed context built from the data, rendered by jinja2 templates.

A report depends only on the data, the period and the options — never on the time it is generated —
so the same inputs give the same bytes. Templates run in jinja2's SandboxedEnvironment with
StrictUndefined; a workspace's report_templates/<kind>.<format>.j2 replaces the shipped one of the same
name. docs/reports.md documents every field of the context for template authors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .asof import indicator_at
from .errors import YilanError
from .gongwen import Frame, Organ, frame, paragraphs, style, style_markdown, zh_date
from .indicators import assess, implausible
from .ranking import GroupRanking, method_text, standings
from .records import figure_text
from .research import summary as research_summary
from .status import CATEGORIES, LIGHTS, STATES, Status, evaluate, percent, summarize, withdrawn
from .terminal import inline

if TYPE_CHECKING:
    from .leaders import Leader
    from .periods import Period
    from .records import Record
    from .workspace import Workspace

KINDS = {"month": ("monthly", "月报"), "quarter": ("quarterly", "季度通报"), "half": ("half", "半年评估"),
         "year": ("annual", "年度总结")}
MARK = "内部资料 注意保存"


@dataclass(frozen=True)
class Line:
    """One matter as a report lists it."""

    id: str
    ledger: str  # ledger name (Chinese)
    title: str
    unit: str
    leaders: str
    state: str
    deadline: str  # YYYY-MM-DD or 长期
    progress: int
    expected: str  # 73.4% or —
    light: str  # 红/黄/蓝/绿/无 (rules.yaml names)
    overdue_days: int
    lag: str  # 53.9 or —
    reasons: str
    closed_on: str


@dataclass(frozen=True)
class LedgerRow:
    name: str
    total: int
    red: int
    yellow: int
    blue: int
    green: int
    closed: int
    stage_closed: int
    completion_rate: str  # 办结率（含阶段性办结）
    completion: float  # the same rate as a number 0–100, for charts
    full_rate: str = "—"  # 完全办结率


@dataclass(frozen=True)
class UnitLights:
    unit: str
    total: int
    red: int
    yellow: int
    blue: int
    green: int
    none: int


@dataclass(frozen=True)
class TaskForceRow:
    id: str
    name: str
    level: str
    leader: str
    total: int
    red: int
    yellow: int
    blue: int
    green: int
    closed: int  # 已办结 + 已销号 + 阶段性办结
    progress: str  # mean progress of its matters, e.g. 63%


@dataclass(frozen=True)
class Movement:
    id: str
    title: str
    unit: str
    start: int
    end: int


@dataclass(frozen=True)
class IndicatorRow:
    ledger: str
    id: str
    title: str
    name: str
    unit: str
    target: str
    done: str  # the value at the report's date (asof.indicator_at), "—" before the first observation
    rate: str  # the 完成情况 cell by 类型 (indicators.assess): 81.7%, 达标（超3.7个百分点）, 未达标（差1.5个百分点）, —
    kind: str = "数量"  # 类型: 数量, 增速, 比率 or 越低越好
    # the same as numbers, for a template that computes: the value (None before the first observation), the
    # target, 达标 (None without a value), 完成率 in percent (数量 only) and 完成 − 目标 (percentage points for 增速/比率)
    value: float | None = None
    target_value: float = 0.0
    met: bool | None = None
    rate_value: float | None = None
    gap: float | None = None

    @property
    def done_text(self) -> str:
        """完成 with its unit, or "—" alone when nothing was reported by then."""
        return self.done if self.done == "—" else self.done + self.unit


@dataclass(frozen=True)
class Annex:
    """One 附件 of a circular: its title (附件说明 and the page's heading) and a table; no rows prints 无。"""

    title: str
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    text: tuple[str, ...] = ()  # paragraphs instead of a table (附件 赛马计分办法)


@dataclass
class Withdrawn:
    """A matter withdrawn (撤销) at the report's evaluation date; ``date`` the ISO date of its withdrawal."""

    id: str
    title: str
    date: str


COUNTIES = "县（市、区）"  # what a city circular's tables name in place of 台账, 牵头单位 and 单位


@dataclass
class Report:
    """Everything a report template can use (docs/reports.md)."""

    kind: str  # monthly | quarterly | half | annual
    kind_name: str  # 月报 | 季度通报 | 半年评估 | 年度总结
    title: str
    office: str
    period: str  # 2022Q2
    period_label: str  # 2022年第二季度
    first: str
    last: str
    today: str  # the evaluation date (the period's last day unless --today)
    leader: str | None  # --leader resolved (leaders.py): 常务副县长孙某, or a title; only the matters they lead
    mark: str
    total: int
    lights: dict[str, int]  # red/yellow/blue/green/none → count
    light_names: dict[str, str]
    by_state: dict[str, int]  # 未启动 … 中止 → count
    closed: int
    stage_closed: int
    overdue: int
    completion_rate: str  # 47.6%
    on_time_rate: str
    by_ledger: list[LedgerRow]
    by_unit: list[UnitLights]  # lights per lead unit, most red first (the chart "lights by unit")
    schedule: dict[str, int]  # 欠进度/达进度/超进度/持续推进/已完成/中止 → count
    achievements: str  # report_notes/<period>.md, section 主要成效
    requirements: str  # report_notes/<period>.md, section 下步工作要求
    progressed: list[Movement]
    closed_in_period: list[Line]
    added_in_period: list[Line]
    ranking: list[GroupRanking]
    problems: list[Line]  # overdue, lagging, then milestones missed
    overdue_list: list[Line]
    lagging_list: list[Line]
    missing_reports: list[Line]
    indicators: list[IndicatorRow]
    task_forces: list[TaskForceRow] = field(default_factory=list)  # quarterly and half-year reports only
    research: str = ""  # the 一线调研 paragraph of 总体情况 (year to date at ``today``); empty: nobody tracked
    ranking_method: list[str] = field(default_factory=list)  # 附件 赛马计分办法, one sentence each; empty: no ranking
    ranking_note: str = ""  # a leader's report: why it ranks nothing (the ranking is the county circular's)
    number: str = ""  # 发文字号, once issued (依督通〔2022〕3号)
    issued_on: str = ""  # 印发日期 (ISO), once issued: the 成文日期 printed
    full_rate: str = "—"  # 完全办结率: (已办结 + 已销号) ÷ total
    organ: Organ = field(default_factory=Organ)  # rules.yaml 公文: who issues, 主送, 抄送, 联系人
    extra: dict[str, Any] = field(default_factory=dict)
    withdrawn: list[Withdrawn] = field(default_factory=list)  # 撤销 at ``today``: outside every figure above
    data_note: str = ""  # a city circular: members whose data are not current or have invalid files (cli.city)
    level: str = "county"  # "city": a city office's circular over its member counties (federation.federated)

    @property
    def frame(self) -> Frame:
        """The 公文 frame (gongwen.Frame): 版头, 主送, 导语, 结语, 附件说明, 署名, 成文日期, 版记."""
        leader = self.leader
        return frame(self.organ, mark=self.mark, title=self.title, number=self.number,
                     day=self.issued_on or self.today, addressee=leader or self.organ.addressee,
                     opening=self.opening, closing="特此通报。", copy_to="" if leader else None,
                     attachments=tuple(a.title for a in self.annexes))

    @property
    def ledger_heading(self) -> str:
        """The per-ledger tables' first column: a city circular has one row per county (federation.federated)."""
        return COUNTIES if self.level == "city" else "台账"

    @property
    def unit_heading(self) -> str:
        """The lead-unit column: a city circular's matters are led, for the city, by their county (federation)."""
        return COUNTIES if self.level == "city" else "牵头单位"

    @property
    def ranked_heading(self) -> str:
        """The 赛马 table's column of what is ranked: units, or a city's counties."""
        return COUNTIES if self.level == "city" else "单位"

    @property
    def annexes(self) -> list[Annex]:
        """The 附件, each printed on a page of its own (md, html and docx alike)."""
        return [
            Annex("超期事项清单", ("编号", "事项", self.unit_heading, "完成时限", "超期天数", "进度"),
                  [(m.id, m.title, m.unit, m.deadline, f"{m.overdue_days}天", f"{m.progress}%") for m in self.overdue_list]),
            Annex("滞后事项清单", ("编号", "事项", self.unit_heading, "进度", "序时进度", "滞后（百分点）"),
                  [(m.id, m.title, m.unit, f"{m.progress}%", m.expected, m.lag) for m in self.lagging_list]),
            Annex("本期办结事项清单", ("编号", "事项", self.unit_heading, "状态", "办结日期"),
                  [(m.id, m.title, m.unit, m.state, m.closed_on) for m in self.closed_in_period]),
            *([Annex("赛马计分办法", text=tuple(self.ranking_method))] if self.ranking_method else []),
        ]

    @property
    def opening(self) -> str:
        """导语: why, what and 现将……通报如下：."""
        leaders = "市委、市政府" if self.level == "city" else "县委、县政府"
        return style(f"为推动{leaders}决策部署落地见效，{self.organ.printer}对{self.period_label}督办事项落实情况"
                     f"进行了督查（按业务日期统计，评估日为{zh_date(self.today)}）。现将有关情况通报如下：")

    @property
    def as_of(self) -> str:
        """截至期末（2022年6月30日） — or 截至评估日 when the report is evaluated before the period ends."""
        word = "期末" if self.today == self.last else "评估日"
        return f"截至{word}（{zh_date(self.today)}）"

    @property
    def overview(self) -> str:
        """总体情况's first paragraph: counts at the evaluation date and the three named rates."""
        lights = "、".join(f"{self.light_names[k]}{self.lights[k]}项" for k in ("red", "yellow", "blue", "green"))
        return style(f"{self.as_of}，共督办事项{self.total}项，其中已办结{self.closed}项、阶段性办结{self.stage_closed}项，"
                     f"超期{self.overdue}项；办结率（含阶段性办结）{self.completion_rate}，完全办结率{self.full_rate}，"
                     f"按期办结率{self.on_time_rate}。预警灯：{lights}。{self.withdrawn_sentence}{self.data_note}")

    @property
    def withdrawn_sentence(self) -> str:
        """The overview's last sentence when matters are withdrawn at ``today`` (empty otherwise, so a circular
        of a period before any withdrawal is unchanged): 另有撤销事项2项（ZB-003 标题，2022年7月15日撤销；…），不计入上述统计。"""
        if not self.withdrawn:
            return ""
        items = "；".join(f"{w.id} {w.title}，{zh_date(w.date)}撤销" for w in self.withdrawn)
        return f"另有撤销事项{len(self.withdrawn)}项（{items}），不计入上述统计。"

    @property
    def achievement_paragraphs(self) -> list[str]:
        """主要成效 as the paragraphs Word and HTML print (gongwen.paragraphs); empty while unwritten."""
        return paragraphs(self.achievements)

    @property
    def requirement_paragraphs(self) -> list[str]:
        """下步工作要求 likewise."""
        return paragraphs(self.requirements)

    @property
    def rates_note(self) -> str:
        """The rates defined once in each document (status.Summary)."""
        return RATES_NOTE

    @property
    def period_progress(self) -> str:
        """本期进展's first paragraph: what moved within the period (本期), not the year to date."""
        return style(f"本期（{zh_date(self.first)}至{zh_date(self.last)}）进度有变化的事项{len(self.progressed)}项，"
                     f"本期办结{len(self.closed_in_period)}项，本期新增{len(self.added_in_period)}项。")


RATES_NOTE = ("注：办结率（含阶段性办结）＝（已办结＋已销号＋阶段性办结）÷督办事项数；完全办结率＝（已办结＋已销号）÷督办事项数；"
              "按期办结率＝在完成时限（含批准延期）内办结的事项÷（已办结＋已销号）。督办事项数为截至期末已交办的全部事项。")


def _line(ws: Workspace, r: Record, st: Status) -> Line:
    from .render import light_name, reasons

    return Line(
        id=r.id, ledger=ws.ledgers[r.ledger].name, title=r.title, unit=r.lead_unit, leaders="、".join(r.leaders),
        state=st.state, deadline=st.deadline.isoformat() if st.deadline else "长期", progress=st.progress,
        expected="—" if st.expected is None else percent(st.expected),
        light=light_name(st.light, ws.rules), overdue_days=st.overdue_days,
        lag="—" if st.lag is None else f"{int(st.lag * 10 + 0.5) / 10:.1f}", reasons=";".join(reasons(st, ws.rules)),
        closed_on=st.closed_on.isoformat() if st.closed_on else "",
    )


NOTE_SECTIONS = ("主要成效", "下步工作要求")  # the ## headings of report_notes/<period>.md the office writes
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def notes_skeleton(period: Period) -> str:
    """A new report_notes/<period>.md: a title and each section's heading over a line saying what goes there."""
    what = {"主要成效": "本期督办工作取得的主要成效", "下步工作要求": "下一阶段的工作要求"}
    body = "".join(f"\n## {name}\n\n<!-- 在此撰写{what[name]},段落之间空一行;写好后删除这一行 -->\n"
                   for name in NOTE_SECTIONS)
    return f"# {period.label}督办通报文稿\n{body}"


def written(text: str) -> str:
    """A notes section as it goes into a document: without the skeleton's comment lines."""
    return _COMMENT.sub("", text).strip()


def missing_notes(notes: dict[str, str]) -> list[str]:
    """The sections of NOTE_SECTIONS not written yet (absent, empty, or only the skeleton's comment)."""
    return [name for name in NOTE_SECTIONS if not written(notes.get(name, ""))]


def read_notes(root: Path, period: Period) -> dict[str, str]:
    """report_notes/<period>.md: the staff-written sections, keyed by their ## heading."""
    from .filecheck import linked

    rel = f"report_notes/{period.code}.md"
    path = root / rel
    if linked(path, rel):
        raise TemplateFailed(f"{rel} 是符号链接(或在链接的文件夹中),已拒绝读取",
                             "工作区中的文件必须是普通文件;请删除链接,把文件本身放进来", code="E114")
    if not path.exists():
        return {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in _notes_lines(path, rel):
        m = re.match(r"^##\s+(.+?)\s*$", line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


def _notes_lines(path: Path, rel: str) -> list[str]:
    """The notes' lines as a Word document can hold them: UTF-8 (E101), no character XML cannot carry (E116;
    ``\\v`` pasted from Word is a line break, as ``str.splitlines`` reads it)."""
    from .terminal import NOT_XML, escaped

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TemplateFailed(f"{rel} 无法读取:{e.strerror or e}", "report_notes/ 中每期一个 .md 文本文件",
                             code="E104", path=rel) from None
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise TemplateFailed(f"{rel} 不是 UTF-8 编码的文本(可能是 GBK)", "用 UTF-8 重新保存(WPS/记事本:另存为,编码选 UTF-8)",
                             code="E101", path=rel, line=raw[: e.start].count(b"\n") + 1) from None
    for number, line in enumerate(lines, 1):
        bad = NOT_XML.search(line)
        if bad:
            raise TemplateFailed(f"{rel} 含有 Word/Excel 文件无法容纳的字符 {escaped(bad.group())}", "删除该字符",
                                 code="E116", path=rel, line=number, column=bad.start() + 1)
    return lines


def build(ws: Workspace, records: list[Record], period: Period, today: date | None = None,
          leader: str | None = None) -> Report:
    """The report context for ``period``, evaluated at its last day (or ``today``), on business dates."""
    d = today or period.last
    d_ord = d.toordinal()
    chosen = known_filter(ws, records, None, leader)
    mine = [r for r in records if r.assigned <= d_ord and (chosen is None or chosen.covers(r.leaders))]
    # withdrawn at d (status.withdrawn): in no total, light, rate or ranking — named once in 总体情况
    pulled = sorted((r for r in mine if r.withdrawals and withdrawn(r, d_ord)), key=lambda r: (r.ledger, r.id))
    everyone = mine  # the ranking leaves out, at each date it scores, what is withdrawn then (ranking.rank)
    gone = {r.path for r in pulled}
    mine = [r for r in mine if r.path not in gone]
    evaluated = [(r, evaluate(r, d, ws.rules)) for r in mine]
    s = summarize([st for _, st in evaluated])
    kind, kind_name = KINDS[period.kind]
    before = date.fromordinal(period.first.toordinal() - 1)  # progress "at the start" = at the day before
    by_ledger = []
    for key, lg in ws.ledgers.items():
        sts = [st for r, st in evaluated if r.ledger == key]
        if sts:
            ls = summarize(sts)
            by_ledger.append(LedgerRow(lg.name, ls.total, ls.lights["red"], ls.lights["yellow"], ls.lights["blue"],
                                       ls.lights["green"], ls.closed, ls.stage_closed, percent(ls.completion_rate),
                                       round(ls.completion_rate or 0.0, 1), percent(ls.full_rate)))
    by_unit = []
    for unit in ws.units:
        sts = [st for r, st in evaluated if r.lead_unit == unit]
        if sts:
            c = {light: sum(1 for st in sts if st.light == light) for light in LIGHTS}
            by_unit.append(UnitLights(unit, len(sts), c["red"], c["yellow"], c["blue"], c["green"], c["none"]))
    by_unit.sort(key=lambda u: (-u.red, -u.yellow, -u.total, u.unit))
    lines = [(r, st, _line(ws, r, st)) for r, st in evaluated]
    lines.sort(key=lambda x: (LIGHTS.index(x[1].light), -x[1].overdue_days, -(x[1].lag or 0), x[0].ledger, x[0].id))
    progressed = []
    for r, st in evaluated:
        start_progress = evaluate(r, before, ws.rules).progress if r.assigned <= before.toordinal() else 0
        if st.progress != start_progress:
            progressed.append(Movement(r.id, r.title, r.lead_unit, start_progress, st.progress))
    progressed.sort(key=lambda m: (-(m.end - m.start), m.id))
    indicators = []
    for r, _ in evaluated:
        for name, measure, target, typed, observed, since in r.indicators:
            if since > d.toordinal():
                continue  # set after the evaluation day: not in this circular (asof, 设立日期)
            done = indicator_at(observed, d.toordinal())
            a = assess(typed, target, done, measure)
            doubt = "（数值存疑，请核实）" if implausible(a) else ""  # check's Y003: never printed as if plain
            indicators.append(IndicatorRow(ws.ledgers[r.ledger].name, r.id, r.title, name, measure or "", figure_text(target),
                                           figure_text(done), a.text + doubt, typed, done, target, a.met, a.rate, a.gap))
    task_forces = []
    if kind in ("quarterly", "half"):
        levels = {"县级": 0, "部门": 1, "乡镇": 2}
        for tf in sorted(ws.task_forces, key=lambda x: (levels.get(x.level, 3), x.id)):
            sts = [st for r, st in evaluated if r.task_force in (tf.name, tf.id)]
            c = {light: sum(1 for st in sts if st.light == light) for light in LIGHTS}
            done = sum(1 for st in sts if st.state in ("已办结", "已销号", "阶段性办结"))
            mean = f"{round(sum(st.progress for st in sts) / len(sts))}%" if sts else "—"
            task_forces.append(TaskForceRow(tf.id, tf.name, tf.level, tf.leader, len(sts), c["red"], c["yellow"],
                                            c["blue"], c["green"], done, mean))
    notes = read_notes(ws.root, period)
    overdue = [ln for r, st, ln in lines if st.overdue_days > 0]
    lagging = [ln for r, st, ln in lines if st.overdue_days == 0 and st.category == "欠进度"]
    # a yellow light for a missed milestone alone (XW-002 at 06-30) is a problem too; one for a missing report
    # alone has its own section (七、未按期报告): every red and yellow matter is listed somewhere, by its reasons
    missed = [ln for r, st, ln in lines if st.missed_milestones and ln not in overdue and ln not in lagging]
    leader_part = f"（{chosen.label}分管）" if chosen else ""
    # a leader's matters are a subset: ranking units on them (with their own 黑榜) would not be fair (issue 19)
    ranking = [] if leader else standings(ws, everyone, period, d)
    method = [] if leader else method_text(ws.rules, ws.ledgers.values(), annual=period.kind == "year",
                                           city=ws.level == "city")
    note = f"本报告只含{chosen.label if chosen else leader}牵头的事项，不单独排名；赛马排名以全县督查通报为准。" if leader else ""
    # 一线调研 is the county's own system (its leaders' field days): a city circular has no such paragraph
    research = "" if ws.level == "city" else style(research_summary(ws, period.year, d, leader))
    return Report(
        kind=kind, kind_name=kind_name, title=f"关于{period.label}重点工作督办落实情况的{kind_name}{leader_part}",
        office=ws.rules.office, period=period.code, period_label=period.label, first=period.first.isoformat(),
        last=period.last.isoformat(), today=d.isoformat(), leader=chosen.label if chosen else None, mark=MARK, total=s.total,
        lights=dict(s.lights), light_names={k: ws.rules.light_names.get(k, k) for k in LIGHTS},
        by_state={state: sum(1 for _, st in evaluated if st.state == state) for state in STATES},
        closed=s.closed, stage_closed=s.stage_closed, overdue=s.overdue, completion_rate=percent(s.completion_rate),
        on_time_rate=percent(s.on_time_rate), full_rate=percent(s.full_rate), organ=ws.rules.organ,
        by_ledger=by_ledger, by_unit=by_unit,
        schedule={c: sum(1 for _, st in evaluated if st.category == c) for c in CATEGORIES},
        achievements=MdSafe(style_markdown(written(notes.get("主要成效", "")))),
        requirements=MdSafe(style_markdown(written(notes.get("下步工作要求", "")))),
        progressed=progressed,
        closed_in_period=[ln for r, st, ln in lines if st.closed_on and period.first <= st.closed_on <= period.last],
        added_in_period=[ln for r, st, ln in lines if period.first.toordinal() <= r.assigned],
        ranking=ranking, problems=overdue + lagging + missed, overdue_list=overdue,
        lagging_list=lagging,
        missing_reports=[ln for r, st, ln in lines if st.missing_period],
        indicators=indicators, task_forces=task_forces, research=research,
        ranking_method=method, ranking_note=note,
        level=ws.level,
        withdrawn=[Withdrawn(r.id, r.title, date.fromordinal(max(w for w, back in r.withdrawals if w <= d_ord)).isoformat())
                   for r in pulled],
    )


# --------------------------------------------------------------------------- templates
class TemplateFailed(YilanError):
    pass


class MdSafe(str):
    """Markdown that is meant as structure (the staff's own report_notes sections, an escaped cell)."""


_MD_INLINE = re.compile(r"([\\`*_~&\[\]<>|])")  # ~ strikes through and fences; & starts an entity
_MD_LEADING = re.compile(r"^(\s*)([#>]|[-+=]+(?=\s|$)|\d+(?=[.)](?:\s|$)))")  # --- and === rule or underline


def md_text(value: Any) -> str:
    """Any value interpolated into a Markdown document, as text and never as structure: line breaks folded,
    HTML and Markdown punctuation escaped, a leading heading, quote or list marker neutralised. Applied to
    every ``{{ … }}`` of the md templates by default (jinja2 ``finalize``); MdSafe passes as it is."""
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return ""
    text = inline(value)
    text = _MD_INLINE.sub(r"\\\1", text)
    m = _MD_LEADING.match(text)
    if m is None:
        return text
    at = m.end() if m.group(2)[0].isdigit() else m.start(2)  # 1. → 1\.   # → \#
    return text[:at] + "\\" + text[at:]


def md_cell(value: Any) -> str:
    """A Markdown table cell: text as md_text makes it (| escaped too), so a title cannot break the table."""
    return MdSafe(md_text(value))


def styled(value: Any) -> Any:
    """A value as a 公文 prints it (gongwen.style), unless it is markup meant as structure (MdSafe, Markup)."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, (MdSafe, Markup)):
        return style(value)
    if isinstance(value, date):
        return zh_date(value)
    return value


def environment(root: Path, fmt: str, document: bool = False) -> Any:
    """The sandboxed jinja2 environment for ``fmt`` templates; ``document``: every value goes through the 公文
    text pass (:func:`styled`) — circulars and the office's single documents, not the dashboard site."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape

    from .workspace import package_data_dir

    class PlainFiles(FileSystemLoader):
        """The workspace's templates, never read through a link (it could pull any file into a circular)."""

        def get_source(self, environment: Any, template: str) -> Any:
            from .filecheck import linked

            for folder in self.searchpath:
                path = Path(folder) / template
                if linked(path, f"report_templates/{template}"):
                    raise TemplateFailed(f"模板 report_templates/{template} 是符号链接(或在链接的文件夹中),已拒绝读取",
                                         "模板必须是 report_templates/ 中的普通文件;请删除链接,把文件本身放进来", code="E114")
            return super().get_source(environment, template)

    loader = ChoiceLoader([PlainFiles(str(root / "report_templates")),
                           FileSystemLoader(str(package_data_dir("report_templates")))])
    env = _sandbox()(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True,
                     autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                     trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = (lambda v: md_cell(styled(v))) if document else md_cell
    env.filters["structure"] = MdSafe  # a macro's output (gongwen.md.j2): its values were escaped inside it
    if fmt == "md":  # escaping by format, by default: a value is never Markdown structure
        env.finalize = (lambda v: md_text(styled(v))) if document else md_text
    elif document:
        env.finalize = styled
    return env


@functools.cache
def _sandbox() -> Any:
    """SandboxedEnvironment, with ``x.name`` on a plain dict (a page's rows and fields) looked up as the item
    directly: the same result as its getattr — a plain dict has no attribute but those in dir(dict), which still
    go through the sandbox — without raising and catching an AttributeError for every value a page prints (the
    dashboard's index prints 20,000 rows)."""
    from jinja2.sandbox import SandboxedEnvironment

    methods = frozenset(dir(dict))

    class Sandbox(SandboxedEnvironment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict and attribute not in methods:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return Sandbox


def render(ws: Workspace, report: Report, fmt: str, template: str | None = None) -> str:
    """Render ``report`` with ``<kind>.<fmt>.j2`` (or ``template``); a template error is a YilanError."""
    name = template or f"{report.kind}.{fmt}.j2"
    if "/" in name or "\\" in name or name.startswith("."):
        raise TemplateFailed(f"模板名不正确:{name}", "模板名只能是 report_templates/ 下的文件名", code="T001")
    return render_template(environment(ws.root, fmt, document=True), name, "报告", r=report)


# a template is the workspace's own code, committed by anyone: it may run this long and write this much
TEMPLATE_SECONDS = 120
TEMPLATE_CHARS = 256 * 2**20


@contextmanager
def _time_limit(seconds: float, name: str, what: str) -> Iterator[None]:
    """Stop a template that runs longer than ``seconds`` (T006). Needs SIGALRM, so only on POSIX and in
    the main thread; elsewhere the size limit and Ctrl-C remain."""
    import signal
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TemplateFailed(f"{what}模板 {name} 运行超过 {seconds:g} 秒,已停止",
                             "模板中可能有过大的循环(如两层 range);请简化该模板", code="T006")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_template(env: Any, name: str, what: str, **context: Any) -> str:
    """``name`` rendered with ``context``; every failure — missing, forbidden, broken or failing at run time
    (1/0, a loop too large, endless recursion, more than TEMPLATE_SECONDS or TEMPLATE_CHARS) — is a
    TemplateFailed naming the template and its line."""
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError

    try:
        with _time_limit(TEMPLATE_SECONDS, name, what):
            chunks = env.get_template(name).generate(**context)
            parts: list[str] = []
            size = 0
            while batch := list(islice(chunks, 256)):  # counted a batch at a time: a dashboard renders 20,000 pages
                size += sum(map(len, batch))
                if size > TEMPLATE_CHARS:
                    raise TemplateFailed(f"{what}模板 {name} 的输出超过 {TEMPLATE_CHARS // 2**20} MB,已停止",
                                         "模板中可能有过大的循环;请简化该模板", code="T006")
                parts += batch
            return "".join(parts)
    except YilanError:
        raise
    except TemplateNotFound as e:
        missing = e.name if isinstance(e.name, str) else name
        raise TemplateFailed(f"找不到{what}模板:{missing}" + (f"(在 {name} 中引用)" if missing != name else ""),
                             "模板放在 report_templates/ 下,名为 <种类>.<格式>.j2;只能引用其中的文件", code="T002") from None
    except SecurityError as e:
        raise TemplateFailed(f"{what}模板 {name} 试图做不允许的操作:{e}", "模板只能读取报告数据,不能调用内部方法",
                             code="T003") from None
    except TemplateError as e:
        lineno = getattr(e, "lineno", None) or _template_line(e, name)
        where = f"第 {lineno} 行" if lineno else ""
        raise TemplateFailed(f"{what}模板 {name} {where}有错误:{e.message or e}",
                             "请对照 docs/reports.md 检查模板中的字段名和语法", code="T004") from None
    except Exception as e:  # noqa: BLE001 - a template is the workspace's own code: whatever it raises is its error
        lineno = _template_line(e, name)
        where = f"第 {lineno} 行" if lineno else ""
        raise TemplateFailed(f"{what}模板 {name} {where}运行出错:{type(e).__name__}: {str(e)[:200]}",
                             "模板中的计算或循环出了错(如除以零、循环过大、无限递归);请改正该行", code="T005") from None


def _template_line(e: BaseException, name: str) -> int | None:
    """The template line where ``e`` was raised (jinja2 maps its frames back to the template source)."""
    import traceback

    line = None
    for tb in traceback.extract_tb(e.__traceback__):
        if tb.filename.replace("\\", "/").endswith(f"/{name}") or tb.filename == name:
            line = tb.lineno
    return line


# --------------------------------------------------------------------------- 督办通知单
@dataclass
class Notice:
    """One 督办通知单: a unit's red and yellow matters, why, and the date to reply by."""

    unit: str
    office: str
    date: str  # the evaluation (and issue) date
    reply_by: str
    items: list[Line]
    mark: str = MARK
    title: str = "督办通知单"
    number: str = ""  # 依督办〔2022〕7号, once issued
    organ: Organ = field(default_factory=Organ)
    shared: frozenset[str] = frozenset()  # titles several registered people answer to (leaders.answers_to)

    @property
    def frame(self) -> Frame:
        """主送 the unit; 抄送 the county leaders who lead the listed matters — by the names the matters give,
        leaving out a title several registered people share (分管副县长 names nobody on paper)."""
        from .leaders import key

        leaders = list(dict.fromkeys(x for m in self.items for x in m.leaders.split("、") if x and key(x) not in self.shared))
        return frame(self.organ, mark=self.mark, title=self.title, number=self.number, day=self.date,
                     addressee=self.unit, opening="", closing="特此通知。", copy_to="、".join(leaders))

    @property
    def warning(self) -> str:
        """亮红灯、黄灯预警 naming only the lights the listed matters have, by their rules.yaml names (灯.名称), red
        first: 亮黄灯预警 for a unit whose matters are all yellow. One sentence for notice.md.j2 and notice_docx."""
        return f"亮{'、'.join(dict.fromkeys(m.light for m in self.items))}预警"


def known_filter(ws: Workspace, records: list[Record], unit: str | None, leader: str | None) -> Leader | None:
    """Refuse (E327) a ``--unit`` that is not registered, with the closest names: an unknown name made an empty
    document and exit 0 (issue 19). ``--leader`` is resolved against schemas/people.yaml and the matters'
    牵头领导 (leaders.select: E327 unknown, E328 a title several people hold); the resolved leader, or None."""
    from .leaders import select
    from .lookup import unit_name

    if unit is not None:
        unit_name(ws, unit)  # a registered unit, or one written without its 县 (lookup.unit_name), else E327
    return select(ws, records, leader)


def notices(ws: Workspace, records: list[Record], today: date, unit: str | None = None,
            leader: str | None = None) -> list[Notice]:
    """One notice per lead unit with red or yellow matters at ``today`` (listing only that unit's matters)."""
    chosen = known_filter(ws, records, unit, leader)
    if unit is not None:
        from .lookup import unit_name

        unit = unit_name(ws, unit)  # 住建局 → 县住建局
    from datetime import timedelta

    d = today.toordinal()
    by_unit: dict[str, list[tuple[Record, Status]]] = {}
    for r in records:
        if r.assigned > d or (unit and r.lead_unit != unit) or (chosen and not chosen.covers(r.leaders)):
            continue
        st = evaluate(r, today, ws.rules)
        if st.light in ("red", "yellow"):
            by_unit.setdefault(r.lead_unit, []).append((r, st))
    out = []
    reply_by = (today + timedelta(days=ws.rules.reply_days)).isoformat()
    shared = _shared_titles(ws) if by_unit else frozenset()
    for name in [u for u in ws.units if u in by_unit] + sorted(u for u in by_unit if u not in ws.units):
        items = sorted(by_unit[name], key=lambda x: (LIGHTS.index(x[1].light), -x[1].overdue_days, x[0].id))
        out.append(Notice(name, ws.rules.office, today.isoformat(), reply_by, [_line(ws, r, st) for r, st in items],
                          organ=ws.rules.organ, shared=shared))
    return out


def _shared_titles(ws: Workspace) -> frozenset[str]:
    """The names several people of schemas/people.yaml answer to, as matters may write them."""
    from .leaders import answers_to
    from .research import load_people

    return frozenset(name for name, who in answers_to(load_people(ws)).items() if len(who) > 1)


def render_notice(ws: Workspace, n: Notice, fmt: str) -> str:
    """A 督办通知单 from notice.<fmt>.j2: ``n`` the notice, ``g`` its 公文 frame."""
    return render_document(ws, f"notice.{fmt}.j2", "督办通知单", n=n, g=n.frame)


def render_escalation(ws: Workspace, esc: Any) -> str:
    """A 提示单 / 督办单 / 通报批评 / 问责移交 document (escalation.py) from escalation.md.j2 (``e``, frame ``g``)."""
    from .escalation import escalation_frame

    return render_document(ws, "escalation.md.j2", esc.kind, e=esc, g=escalation_frame(esc, ws.rules.organ))


def render_accountability(ws: Workspace, acc: Any) -> str:
    """The referral letter from accountability.md.j2 (``a``, frame ``g``)."""
    from .escalation import referral_frame

    return render_document(ws, "accountability.md.j2", "问责移交清单", a=acc, g=referral_frame(acc, ws.rules.organ))


def render_document(ws: Workspace, name: str, what: str, **context: Any) -> str:
    """One of the office's single documents (notices, escalations, referrals) from its template."""
    return render_template(environment(ws.root, "md", document=True), name, what, **context)

"""督导问责 ("2+2"): replies to notices, the escalation ladder, and the accountability referral list. Pure.

Every supervision document is an entry of reports/issued.yaml (issuing.py): the routine 督办通知单 that
``yilan notice --issue`` prints, then the ladder configured in rules.yaml (default 提示单 蓝 → 督办单 橙 →
通报批评 红 → 问责移交). A unit's written reply is recorded on the document's entry (回复日期, 回复内容).

A matter's chain (:func:`chains`, the one lookup escalate and accountability share) is the register's
documents that list it, in issue order — as issued by day D for the ladder, all of them for the referral
letter, which documents the register as it stands; its level is the highest rung reached
(督办通知单 = 0; a routine notice issued later does not reset it). At day D the chain moves one rung up
when, after the last document's reply deadline (D > 回复期限), that document has no reply recorded by D or
the matter is still red at D — and the matter is not closed. Steps are grouped into one document per
unit and rung. The last rung (问责移交) goes to the discipline commission and the conduct office with the
chain of documents and replies as evidence.

The referral list (``accountability``) names the matters that at D are overdue by more than N days, were
red at D and at the ends of the M−1 months before, or have K documents not answered by their deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .gongwen import Frame, Organ, frame
from .periods import iso_day
from .report import MARK
from .status import CLOSED, Status, counted, evaluate

if TYPE_CHECKING:
    from .records import Record
    from .workspace import Workspace

NOTICE = "督办通知单"
FINISHED = (*CLOSED, "阶段性办结")


def kinds(ws: Workspace) -> list[str]:
    """The document kinds of the ladder, the routine notice first."""
    return [NOTICE, *(name for name, _, _ in ws.rules.ladder)]


@dataclass(frozen=True)
class Doc:
    """One issued supervision document as the register holds it."""

    number: str
    kind: str
    level: int  # 0 = 督办通知单, i = the i-th rung of the ladder
    unit: str
    issued: date
    reply_by: date | None
    matters: tuple[str, ...]
    replied: date | None = None
    reply: str = ""

    def answered_by(self, d: date) -> bool:
        return self.replied is not None and self.replied <= d

    def ignored_at(self, d: date) -> bool:
        """Past its deadline at ``d`` without a reply in time (a late reply is still an ignored notice)."""
        if self.reply_by is None or d <= self.reply_by:
            return False
        return self.replied is None or self.replied > self.reply_by or self.replied > d

    def reply_words(self, d: date | str | None = None) -> str:
        """未回复, or the reply as of ``d`` (templates pass the document's date as text); without ``d``, the reply
        as the register records it (the referral letter: a reply recorded after its evaluation day is shown)."""
        d = date.fromisoformat(d) if isinstance(d, str) else d
        if self.replied is None or (d is not None and self.replied > d):
            return "未回复" if self.reply_by is not None else "—"  # a referral expects no reply
        late = self.reply_by is not None and self.replied > self.reply_by
        return f"{self.replied.isoformat()}{'逾期' if late else ''}回复:{self.reply}"


def documents(ws: Workspace, entries: list[dict[str, Any]]) -> list[Doc]:
    """The register's supervision documents, in issue order (the register's order breaks same-day ties)."""
    levels = {k: i for i, k in enumerate(kinds(ws))}
    out = []
    for e in entries:
        kind = str(e.get("种类", ""))
        issued = iso_day(e.get("印发日期"))
        if kind not in levels or issued is None:
            continue
        out.append(Doc(str(e.get("编号", "")), kind, levels[kind], str(e.get("单位", "")), issued,
                       iso_day(e.get("回复期限")), tuple(str(x) for x in e.get("事项") or []), iso_day(e.get("回复日期")),
                       str(e.get("回复内容", ""))))
    return sorted(out, key=lambda x: x.issued)  # stable


def chains(ws: Workspace, entries: list[dict[str, Any]], until: date | None = None) -> dict[str, tuple[Doc, ...]]:
    """matter ID → every document of the register ``entries`` that lists it (督办通知单 and each rung of the
    ladder), oldest first; with ``until``, only those issued by that day. A matter no document lists is absent."""
    out: dict[str, list[Doc]] = {}
    for doc in documents(ws, entries):
        if until is None or doc.issued <= until:
            for m in dict.fromkeys(doc.matters):
                out.setdefault(m, []).append(doc)
    return {m: tuple(docs) for m, docs in out.items()}


@dataclass(frozen=True)
class Step:
    """One matter moving one rung up."""

    matter: str
    title: str
    unit: str
    light: str
    reasons: tuple[str, ...]  # 逾期未回复 / 仍为红灯
    basis: Doc  # the document it escalates from
    chain: tuple[Doc, ...]


@dataclass
class Escalation:
    """A document to issue: one unit, one rung, its matters."""

    kind: str
    color: str
    level: int
    unit: str
    date: str
    reply_by: str
    steps: list[Step]
    office: str
    referral_to: tuple[str, ...] = ()  # the last rung only
    number: str = ""
    mark: str = MARK
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.referral_to:
            return f"关于移交{self.unit}有关问题线索的函"
        return self.label if self.kind.endswith("单") else f"关于对{self.unit}的{self.kind}"  # …的通报批评

    @property
    def label(self) -> str:
        """The rung as a sentence names it: 蓝色提示单, 橙色督办单, 通报批评."""
        return f"{self.color}色{self.kind}" if self.color and self.kind.endswith("单") else self.kind


def plan(ws: Workspace, records: list[Record], entries: list[dict[str, Any]], today: date) -> list[Escalation]:
    """The documents the ladder calls for at ``today`` (nothing is written)."""
    ladder = ws.rules.ladder
    by_id = {r.id: r for r in records}
    grouped: dict[tuple[int, str], list[Step]] = {}
    for mid, chain in chains(ws, entries, today).items():
        last = chain[-1]  # the latest demand made of the unit: its deadline and its reply decide
        level = max(doc.level for doc in chain)  # a routine notice issued later does not reset the ladder
        r = by_id.get(mid)
        if r is None or level >= len(ladder) or last.reply_by is None or today <= last.reply_by:
            continue
        if not counted(r, today.toordinal()):  # 撤销 from its date: nothing more is demanded of the unit
            continue
        st = evaluate(r, today, ws.rules)
        if st.state in FINISHED:
            continue
        reasons = []
        if not last.answered_by(today):
            reasons.append(f"{last.number} 逾期未回复")
        if st.light == "red":
            reasons.append("仍为红灯")
        if reasons:
            step = Step(mid, r.title, r.lead_unit, st.light, tuple(reasons), last, chain)
            grouped.setdefault((level, r.lead_unit), []).append(step)
    reply_by = (today + timedelta(days=ws.rules.reply_days)).isoformat()
    order = {u: i for i, u in enumerate(ws.units)}
    out = []
    for (level, unit), steps in sorted(grouped.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 999), kv[0][1])):
        name, color, _ = ladder[level]
        top = level == len(ladder) - 1
        out.append(Escalation(name, color, level + 1, unit, today.isoformat(), "" if top else reply_by,
                              sorted(steps, key=lambda s: s.matter), ws.rules.office,
                              ws.rules.referral_to if top else ()))
    return out


def register_records(ws: Workspace, found: list[Escalation], numbers: list[str], sha: str) -> list[dict[str, Any]]:
    out = []
    for esc, number in zip(found, numbers, strict=True):
        esc.number = number
        rec: dict[str, Any] = {"编号": number, "种类": esc.kind, "单位": esc.unit, "印发日期": esc.date}
        if esc.reply_by:
            rec["回复期限"] = esc.reply_by
        if esc.referral_to:
            rec["移交"] = list(esc.referral_to)
        rec.update({"事项": [s.matter for s in esc.steps],
                    "依据": sorted({s.basis.number for s in esc.steps}), "源提交": sha})
        out.append(rec)
    return out


# --------------------------------------------------------------------------- the referral list
@dataclass(frozen=True)
class Referral:
    id: str
    title: str
    unit: str  # 牵头单位
    leaders: str  # 牵头领导, 、-joined
    owner: str  # 责任人, 未填写 when the matter names none
    deadline: str
    progress: int
    overdue_days: int
    red_months: int  # consecutive month-end evaluations (D first) found red
    ignored: int  # documents not answered by their deadline
    reasons: tuple[str, ...]
    chain: tuple[Doc, ...]  # every register document listing the matter, oldest first (chains)


@dataclass
class Accountability:
    title: str
    office: str
    period: str
    period_label: str
    today: str
    referral_to: tuple[str, ...]
    thresholds: str
    items: list[Referral]
    mark: str = MARK
    written: str = ""  # 成文日期 (ISO): --date, else the evaluation day


def month_ends_before(d: date, n: int) -> list[date]:
    """``d`` and the last days of the ``n − 1`` months before d's month, newest first."""
    out = [d]
    cursor = d.replace(day=1)
    for _ in range(n - 1):
        cursor = cursor - timedelta(days=1)
        out.append(cursor)
        cursor = cursor.replace(day=1)
    return out


def red_run(r: Record, d: date, ws: Workspace, months: int) -> int:
    """How many of the evaluation points (d, then the previous month ends) in a row found the matter red."""
    n = 0
    for point in month_ends_before(d, months):
        if point.toordinal() < r.assigned or evaluate(r, point, ws.rules).light != "red":
            break
        n += 1
    return n


def referrals(ws: Workspace, records: list[Record], entries: list[dict[str, Any]], d: date, period_code: str,
              period_label: str, written: date | None = None) -> Accountability:
    """The matters to refer at ``d`` (thresholds in rules.yaml 督导问责.问责移交条件), each with its 牵头单位,
    牵头领导, 责任人 and its chain of documents in the register ``entries`` issued by the letter's 成文日期
    ``written`` (default ``d``; never before it), with their replies as known that day: a letter written after
    the period (``--date``) lists the notices sent since, and never cites a document or reply dated after it
    (True to time: the same letter re-made later is the same). Counts of unanswered documents are at ``d``."""
    rules = ws.rules
    written = written or d
    all_chains = chains(ws, entries, written)
    items = []
    for r in records:
        if not counted(r, d.toordinal()):  # not yet assigned, or 撤销 at d: never referred
            continue
        st: Status = evaluate(r, d, rules)
        chain = all_chains.get(r.id, ())
        ignored = sum(1 for doc in chain if doc.ignored_at(d))
        run = red_run(r, d, ws, rules.refer_red_months)
        reasons = []
        if st.overdue_days > rules.refer_overdue_days:
            reasons.append(f"超期 {st.overdue_days} 天(超过 {rules.refer_overdue_days} 天)")
        if run >= rules.refer_red_months:
            reasons.append(f"连续 {run} 个月红灯")
        if ignored >= rules.refer_ignored:
            reasons.append(f"{ignored} 份督办文书逾期未回复")
        if reasons:
            items.append(Referral(r.id, r.title, r.lead_unit, "、".join(r.leaders), r.owner or "未填写",
                                  st.deadline.isoformat() if st.deadline else "长期", st.progress, st.overdue_days, run,
                                  ignored, tuple(reasons), chain))
    items.sort(key=lambda x: (-len(x.reasons), -x.overdue_days, x.id))
    thresholds = (f"超期超过 {rules.refer_overdue_days} 天,或连续 {rules.refer_red_months} 个月红灯,"
                  f"或 {rules.refer_ignored} 份以上督办文书逾期未回复")
    return Accountability(f"关于{period_label}督办事项问责移交清单的函", rules.office, period_code, period_label,
                          d.isoformat(), rules.referral_to, thresholds, items, written=written.isoformat())


# --------------------------------------------------------------------------- 公文 frames
def escalation_frame(e: Escalation, organ: Organ) -> Frame:
    """An escalation document's 公文 frame: 主送 the unit (a referral: the discipline bodies); 通报批评 is
    copied to every township and department; 结语 by kind (特此通知。/特此通报。/特此函告。)."""
    if e.referral_to:
        addressee, closing, copy_to = "、".join(e.referral_to), "特此函告。", ""
    elif e.kind == "通报批评":
        addressee, closing, copy_to = e.unit, "特此通报。", "全县各乡镇、县直各部门"
    else:
        addressee, closing, copy_to = e.unit, "特此通知。", ""
    return frame(organ, mark=e.mark, title=e.title, number=e.number, day=e.date, addressee=addressee,
                 opening="", closing=closing, copy_to=copy_to)


def referral_frame(a: Accountability, organ: Organ) -> Frame:
    """The referral letter's 公文 frame: a 函 to the discipline commission and the conduct office."""
    return frame(organ, mark=a.mark, title=a.title, number="", day=a.written or a.today,
                 addressee="、".join(a.referral_to),
                 opening="", closing="特此函告。", copy_to="")

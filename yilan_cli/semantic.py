"""What changed in a matter between two versions of its file, in the office's words. Pure.

``changes(before, after)`` compares two parsed matter documents (Chinese keys as stored; None when the file
did not exist) and names every change, one :class:`Change` each:

* ``added`` / ``deleted`` — the matter itself;
* ``field`` — one field (事项, 牵头单位, 配合单位, 牵头领导, 完成时限, 目标要求, 专班, 标签, 状态, 办结日期, an
  extension field …), before → after;
* ``entry_added`` / ``entry_changed`` / ``entry_removed`` — one entry of a record list: a 进展 (keyed by its
  日期), a 延期 (by 申请日期), the 销号 record, a 量化指标 or a 节点 (by 名称); a changed entry names the keys
  that differ, each before → after;
* ``dated`` — an old-format 量化指标 完成 moved into a 进展 entry's 指标 (``update``, ``fmt --migrate``).

Derived from those, for briefs that summarise a period: ``closed``, ``reopened``, ``progress`` (the latest
进度) and ``deadline`` (完成时限 as extended) — marked ``derived``. ``history`` shows the concrete changes,
``diff`` the derived ones and every change the derived ones do not explain, ``audit`` judges the concrete
ones against the commit's action (docs/audit.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CLOSED = ("已办结", "已销号", "阶段性办结")
# Yilan-Action trailer → the word leaders read; a commit without the trailer was made by hand
ACTIONS = {"add": "新增", "update": "更新", "close": "办结", "signoff": "销号", "extend": "延期", "fmt": "格式化",
           "import": "导入", "init": "初始化", "issue": "印发", "undo": "撤销",
           "withdraw": "撤销事项", "reinstate": "恢复事项",
           "research": "一线调研", "reply": "记录回复", "escalate": "督办升级", "notes": "通报文稿", "edit": "更正",
           "assignments-pull": "接收市级交办",
           "city-assign": "市级交办",
           "": "手工编辑"}
# record lists: the office's word → the key that tells one entry from another
RECORDS = {"进展": "日期", "延期": "申请日期", "销号": "日期", "量化指标": "名称", "节点": "名称", "撤销": "日期", "恢复": "日期"}
APPEND_ONLY = ("进展", "延期", "销号", "撤销", "恢复")  # records only ever appended to: changing one rewrites the past
APPROVAL = ("批准人", "批准日期")  # a 延期 applied earlier is approved by filling these in
ENTRY_WORDS = {"进展": "进展", "延期": "延期申请", "销号": "销号记录", "量化指标": "指标", "节点": "节点",
               "撤销": "撤销记录", "恢复": "恢复记录"}


@dataclass(frozen=True)
class Change:
    """One change to one matter. ``part`` is the field or record list (its Chinese key); ``key`` tells
    which entry (a 进展's 日期, a 节点's 名称); ``fields`` are the keys that differ in a changed entry."""

    kind: str
    part: str = ""
    key: str = ""
    before: Any = None
    after: Any = None
    fields: tuple[str, ...] = ()
    derived: bool = False
    earlier: bool = False  # an entry added before entries already there (a report filed in the past)

    @property
    def words(self) -> str:
        return describe(self)

    def as_json(self) -> dict[str, Any]:
        return {"change": self.kind, "part": self.part, "key": self.key, "fields": list(self.fields),
                "before": self.before, "after": self.after, "derived": self.derived, "earlier": self.earlier,
                "words": self.words}


# --------------------------------------------------------------------------- reading a version
def parse(text: str | None) -> dict[str, Any] | None:
    """A stored version of a matter file as data; text that is not a matter reads as an empty mapping."""
    if text is None:
        return None
    from .yamlio import fast_load

    try:
        data = fast_load(text)
    except Exception:  # noqa: BLE001 - a broken version in history is still a version
        return {}
    return data if isinstance(data, dict) else {}


MASKED = "(敏感,已隐藏)"  # what history, diff, audit and the site print for a field a ledger marks 敏感


def between(old_text: str | None, new_text: str | None, hidden: frozenset[str] = frozenset()) -> list[Change]:
    """:func:`changes` between two stored versions of a matter file (text, None when absent). A change of a
    field named in ``hidden`` (Workspace.sensitive: 信访人, 举报人 …) keeps its place but not its values, which
    read :data:`MASKED` — the audit trail says that it changed, never who petitioned."""
    found = changes(parse(old_text), parse(new_text))
    if not hidden:
        return found
    from dataclasses import replace

    return [replace(c, before=None if c.before is None else MASKED, after=None if c.after is None else MASKED)
            if c.kind == "field" and c.part in hidden else c for c in found]


def latest_progress(doc: dict[str, Any]) -> int | None:
    for entry in reversed(_as_list(doc.get("进展"))):
        if isinstance(entry, dict) and isinstance(entry.get("进度"), int):
            return int(entry["进度"])
    return None


def deadline(doc: dict[str, Any]) -> str | None:
    """The last 延期's 新时限 once approved, else 完成时限 (as text)."""
    out = doc.get("完成时限")
    for ext in _as_list(doc.get("延期")):
        if isinstance(ext, dict) and ext.get("批准日期") and ext.get("新时限"):
            out = ext["新时限"]
    return None if out is None else str(out)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]  # the 销号 record is one mapping: a list of one


# --------------------------------------------------------------------------- comparing two versions
def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """Every change from ``before`` to ``after``: the derived ones first, then fields in the file's order,
    then the record lists' entries."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [Change("added", after=after.get("事项"))]
    if after is None:
        return [Change("deleted", before=before.get("事项"))]
    out = _derived(before, after)
    keys = list(after) + [k for k in before if k not in after]
    for k in keys:
        if k in RECORDS:
            continue
        b, a = before.get(k), after.get(k)
        if b != a:
            out.append(Change("field", k, before=b, after=a))
    for part, ident in RECORDS.items():
        out += _entries(part, ident, _as_list(before.get(part)), _as_list(after.get(part)))
    return _dated(before, after, _set_earlier(before, after, out))


def _set_earlier(before: dict[str, Any], after: dict[str, Any], found: list[Change]) -> list[Change]:
    """An added 量化指标 or 节点 is ``earlier`` when the day it counts from — its 设立日期, else the 交办日期 —
    is before the last 进展 already recorded: it then appears in views and circulars of days already reported;
    so is a milestone's 完成日期 filled in with a day before that 进展 (a late report of it: a missed milestone
    of a past view turns met)."""
    from dataclasses import replace

    latest = max((_ident(e, "日期") for e in _as_list(before.get("进展"))), default="")
    if not latest:
        return found
    out = []
    for c in found:
        if c.kind == "entry_added" and c.part in ("量化指标", "节点") and isinstance(c.after, dict):
            since = str(c.after.get("设立日期") or after.get("交办日期") or "")
            c = replace(c, earlier=since < latest)
        elif c.kind == "entry_changed" and c.part == "节点" and "完成日期" in c.fields and isinstance(c.after, dict):
            c = replace(c, earlier=str(c.after.get("完成日期") or "9999") < latest)  # met before the last report
        out.append(c)
    return out


def _figures_at(doc: dict[str, Any], day: str) -> dict[str, Any]:
    """名称 → the indicator's value at ``day`` (ISO): its last 进展[].指标 observation dated ≤ day."""
    out: dict[str, Any] = {}
    entries = [e for e in _as_list(doc.get("进展")) if isinstance(e, dict) and str(e.get("日期")) <= day]
    for e in sorted(entries, key=lambda e: str(e.get("日期"))):  # stable: entries of a day keep their order
        figures = e.get("指标")
        if isinstance(figures, dict):
            out.update(figures)
    return out


def _dated(before: dict[str, Any], after: dict[str, Any], found: list[Change]) -> list[Change]:
    """An old-format 量化指标 完成 moved into a 进展 entry's 指标 (``update`` does it for the matter it writes,
    ``fmt --migrate`` for every file: docs/time.md) is one change, ``dated``, instead of a 完成 removed and an
    entry changed. It is a move when the entry only gained 指标 names (its own values unchanged) whose 完成
    the same commit removed, and either it is the entry the old value counted from (the last by date) with
    that same value — nothing any view shows changes — or an earlier one (``earlier``: the value now counts
    from an earlier day; ``fmt --migrate`` dates it by the git history, docs/audit.md) — and in both, the
    value on the day the old one counted from stays what it was (a backdated different figure is no move)."""
    removed = {c.key: c.before["完成"] for c in found if c.kind == "entry_changed" and c.part == "量化指标"
               and c.fields == ("完成",) and isinstance(c.before, dict) and isinstance(c.after, dict)
               and c.before.get("完成") is not None and c.after.get("完成") is None}
    if not removed:
        return found
    legacy = max((str(e.get("日期")) for e in _as_list(before.get("进展")) if isinstance(e, dict)), default="")
    # a move never changes the value on the day the old one counted from (migrate.plan keeps it so; update adds
    # its new figure in a later entry): one that does is a rewritten figure, not a move
    then = _figures_at(after, legacy)
    removed = {k: v for k, v in removed.items() if k in then and then[k] == v}
    out, moved = [], set()
    for c in found:
        if c.kind == "entry_changed" and c.part == "进展" and c.fields == ("指标",) and isinstance(c.before, dict) \
                and isinstance(c.after, dict):
            was, now = c.before.get("指标") or {}, c.after.get("指标") or {}
            if isinstance(was, dict) and isinstance(now, dict) and all(k in now and now[k] == v for k, v in was.items()):
                new = {k: v for k, v in now.items() if k not in was}
                earlier = c.key < legacy
                if new and set(new) <= set(removed) and (earlier or all(removed[k] == v for k, v in new.items())):
                    out.append(Change("dated", "进展", c.key, before={k: removed[k] for k in new}, after=new,
                                      fields=("指标",), earlier=earlier))
                    moved |= set(new)
                    continue
        out.append(c)
    return [c for c in out if not (c.part == "量化指标" and c.kind == "entry_changed" and c.key in moved
                                   and c.fields == ("完成",))]


def _derived(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    out = []
    b_state, a_state = before.get("状态"), after.get("状态")
    if b_state != a_state and (a_state in CLOSED) != (b_state in CLOSED):
        out.append(Change("closed" if a_state in CLOSED else "reopened", "状态", before=b_state, after=a_state,
                          derived=True))
    b_progress, a_progress = latest_progress(before), latest_progress(after)
    if b_progress != a_progress:
        out.append(Change("progress", "进度", before=b_progress, after=a_progress, derived=True))
    if deadline(before) != deadline(after):
        out.append(Change("deadline", "完成时限", before=deadline(before), after=deadline(after), derived=True))
    return out


def _same(a: Any) -> str:
    import json

    return json.dumps(a, ensure_ascii=False, sort_keys=True, default=str)


def _entries(part: str, ident: str, before: list[Any], after: list[Any]) -> list[Change]:
    """Entries of one record list: unchanged runs found by sequence matching; inside a run that differs,
    entries with the same identity are one entry changed, the rest are added or removed."""
    out: list[Change] = []
    from difflib import SequenceMatcher  # only when matters are compared: the CLI imports this module at start

    matcher = SequenceMatcher(a=[_same(e) for e in before], b=[_same(e) for e in after], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = list(before[i1:i2]), list(after[j1:j2])
        for new in list(news):
            key = _ident(new, ident)
            old = next((o for o in olds if key and _ident(o, ident) == key), None)
            if old is None:
                continue
            olds.remove(old)
            news.remove(new)
            out.append(_changed(part, key, old, new))
        while op == "replace" and olds and news and len(olds) == len(news):  # same place, new identity
            old, new = olds.pop(0), news.pop(0)
            out.append(_changed(part, _ident(new, ident) or _ident(old, ident), old, new))
        out += [Change("entry_removed", part, _ident(o, ident), before=o) for o in olds]
        latest = max((_ident(o, ident) for o in before if part == "进展"), default="")
        out += [Change("entry_added", part, _ident(n, ident), after=n, earlier=_ident(n, ident) < latest) for n in news]
    return out


def _ident(entry: Any, key: str) -> str:
    return str(entry.get(key, "")) if isinstance(entry, dict) else ""


def records(doc: dict[str, Any], part: str) -> list[Any]:
    """The entries of the record list ``part`` (进展, 延期, 销号, 量化指标, 节点) of a parsed matter."""
    return _as_list(doc.get(part))


def identity(entry: Any, part: str) -> str:
    """What tells this entry of ``part`` from the others (a 进展's 日期, a 节点's 名称)."""
    return _ident(entry, RECORDS.get(part, ""))


def _changed(part: str, key: str, old: Any, new: Any) -> Change:
    if isinstance(old, dict) and isinstance(new, dict):
        fields = tuple(k for k in [*new, *(k for k in old if k not in new)] if old.get(k) != new.get(k))
        return Change("entry_changed", part, key, before={k: old.get(k) for k in fields},
                      after={k: new.get(k) for k in fields}, fields=fields)
    return Change("entry_changed", part, key, before=old, after=new)


# --------------------------------------------------------------------------- in words
def short(value: Any, limit: int = 40) -> str:
    """A value as one short phrase: lists joined with 、, absence as (无), long text cut with …"""
    if value is None or value == "" or value == []:
        return "(无)"
    if isinstance(value, list):
        text = "、".join(short(v, limit) for v in value)
    elif isinstance(value, dict):
        text = ",".join(f"{k} {short(v, limit)}" for k, v in value.items())
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def is_approval(c: Change) -> bool:
    """A 延期 record's empty approval fields filled in: the approval of an application, not a rewrite."""
    return (c.kind == "entry_changed" and c.part == "延期" and bool(c.fields) and set(c.fields) <= set(APPROVAL)
            and isinstance(c.before, dict) and all(c.before.get(k) in (None, "") for k in c.fields))


def describe(c: Change) -> str:
    """One change in words: 进度 40% → 70%, 牵头单位 县水务局 → 县住建局, 删除了进展 2022-03-30(!) …"""
    if c.kind == "shallow":
        return "(浅克隆:这个提交之前的历史不在本仓库中,改动不详)"
    if c.kind == "added":
        return f"新增事项:{short(c.after)}"
    if c.kind == "deleted":
        return f"删除事项(!):{short(c.before)}"
    if c.kind == "closed":
        return f"办结 {c.before} → {c.after}"
    if c.kind == "reopened":
        return f"重新打开 {c.before} → {c.after}"
    if c.kind == "progress":
        return f"进度 {_percent(c.before)} → {_percent(c.after)}"
    if c.kind == "deadline":
        return f"完成时限 {c.before} → {c.after}"
    if c.kind == "field":
        return f"{c.part} {short(c.before)} → {short(c.after)}"
    word = ENTRY_WORDS.get(c.part, c.part)
    which = f" {c.key}" if c.key else ""
    if c.kind == "dated":
        values = "、".join(f"{k} {v}" for k, v in (c.after or {}).items())
        return (f"量化指标的 完成 记入进展{which}:{values}"
                + ("(按 git 历史记在较早的进展,自该日起计)" if c.earlier else ""))
    if c.kind == "entry_added":
        return f"新增{word}{which}{'(补记在已有进展之前)' if c.earlier else ''}:{entry_words(c.part, c.after)}"
    if c.kind == "entry_removed":
        return f"删除了{word}{which}(!):{entry_words(c.part, c.before)}"
    if is_approval(c):
        return f"批准延期申请{which}:{c.after.get('批准人', '')} {c.after.get('批准日期', '')} 批准".rstrip()
    if c.kind == "entry_changed":
        if isinstance(c.before, dict) and isinstance(c.after, dict):
            parts = ";".join(f"{k} {short(c.before.get(k))} → {short(c.after.get(k))}" for k in c.fields)
        else:
            parts = f"{short(c.before)} → {short(c.after)}"
        if c.part in APPEND_ONLY:
            return f"改动了{word}{which}(!):{parts}"
        return f"{word}{which}:{parts}"  # a figure or a milestone date reported
    return short(c.after or c.before)


def entry_words(part: str, entry: Any) -> str:
    """An entry of the record list ``part`` in a few words (进度 70%,已办结,情况 …)."""
    if not isinstance(entry, dict):
        return short(entry)
    if part == "进展":
        figures = entry.get("指标")
        bits = [f"进度 {entry['进度']}%" if "进度" in entry else "",
                *([f"{k} {short(v)}" for k, v in figures.items()] if isinstance(figures, dict) else []),
                str(entry.get("状态", "")), short(entry.get("情况"), 60) if entry.get("情况") else ""]
        return ",".join(b for b in bits if b) or "(无内容)"
    if part == "延期":
        approved = f",{entry.get('批准人', '')} {entry['批准日期']} 批准" if entry.get("批准日期") else ",待批准"
        return f"新时限 {entry.get('新时限', '')}{approved}"
    if part == "销号":
        return f"审核人 {entry.get('审核人', '')},批准人 {entry.get('批准人', '')}"
    if part == "撤销":
        return f"{entry.get('批准人', '')}批准，理由：{short(entry.get('理由'), 60)}"
    if part == "恢复":
        return f"理由：{short(entry.get('理由'), 60)}"
    return short({k: v for k, v in entry.items() if k != RECORDS.get(part)}, 60)


def brief(found: list[Change]) -> list[Change]:
    """The changes a period's brief shows: the derived ones, and each concrete change they do not explain
    (new 进展 entries are explained by the progress and status lines, unless they are all there is)."""
    explained = {"进展": "entry_added"}
    shown = [c for c in found if c.derived]
    for c in found:
        if c.derived or (explained.get(c.part) == c.kind and shown):
            continue
        if c.kind == "dated" and not c.earlier:
            continue  # an undated 完成 written into the entry it counted from: no view at any date changes
        if c.kind == "field" and ((c.part == "状态" and any(x.kind in ("closed", "reopened") for x in shown))
                                  or c.part in ("办结日期",)):
            continue
        if c.kind == "field" and c.part == "完成时限" and any(x.kind == "deadline" for x in shown):
            continue
        if c.part == "延期" and c.kind == "entry_added" and any(x.kind == "deadline" for x in shown):
            continue
        shown.append(c)
    return shown


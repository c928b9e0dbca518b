"""Whether a commit's changes to a matter are what its action does: the tamper rules of ``yilan audit``. Pure.

The county's rule is 全程留痕、严禁弄虚作假: records are appended, never rewritten. A commit is judged by
what it changed (semantic.changes), not by what its trailer claims — a trailer is text anyone can copy:

* an existing 进展 entry, 延期, 销号, 撤销 or 恢复 record changed or removed, a milestone's recorded 完成日期
  changed → 篡改;
* a 办结/销号 matter reopened without a 进展 entry recording it (``update --status 推进中`` writes one) → 篡改;
  reopened with one → 重新打开, a notice (leaders follow reopened matters);
* a yilan action with an effect that action never has (an "update" that edits 牵头单位) → 篡改 (操作不符);
  an ``extend`` may fill the empty 批准人/批准日期 of a 延期 applied earlier (its approval), an ``update`` or
  ``close`` may set 量化指标 完成 and 节点 完成日期 (the figures reported);
* ``edit`` may change any field but 编号, 交办日期, 完成时限, 状态 and 办结日期 and add 量化指标/节点 entries
  (a correction with its reason in the subject); ``update`` may add them too (``--add-indicator``) — never
  one that already holds a result (an indicator's 完成; a milestone's 完成日期 except in the update that
  reports it); an entry set on a day before the last 进展 (or, without 设立日期, from 交办) → 补设较早的指标或节点
  (a notice: it changes past views);
* a command that names the matters it changes (Yilan-Matter: add, update, close, signoff, extend, edit,
  withdraw, reinstate) but changed another → 篡改 (操作不符);
* a commit made by hand that changes fields or appends records → 手工修改, a notice (exit 0);
* an old-format 量化指标 完成 moved into the 进展 entry it counted from (``update``, ``close``, ``import``,
  ``fmt --migrate``: semantic ``dated``) changes no view and is allowed; moved into an earlier entry, by the
  git history, it is 迁移量化指标 (a notice) under ``fmt`` and 篡改 (改动历史记录) under anything else;
* an undo is judged by whether it restores exactly what the commit it names changed (checked by the caller).

Source of the rules: issue 17, docs/audit.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from .semantic import ACTIONS, APPEND_ONLY, Change, is_approval

TAMPER = "篡改"
NOTICE = "提示"

# what each yilan action may change in a matter: (kind, part) pairs; a part of "*" is any part
_FIGURES = {("entry_changed", "量化指标"), ("entry_changed", "节点")}  # 完成 and 完成日期 only (_SETTABLE)
_DATED = {("dated", "进展")}  # an old-format 完成 moved, unchanged, into the entry it counted from (semantic._dated)
_UPDATE = {("entry_added", "进展"), ("field", "状态"), ("field", "办结日期")} | _FIGURES | _DATED
EFFECTS: dict[str, set[tuple[str, str]]] = {
    "add": {("added", "")},
    "assignments-pull": {("added", "")},  # yilan assignments pull: new matters of the shi ledger, nothing else
    "city-assign": {("added", "")},  # yilan city assign: a new assignments/ file, never a matter
    "init": {("added", "")},
    "update": _UPDATE | {("entry_added", "量化指标"), ("entry_added", "节点")},  # update --add-indicator …
    "import": _UPDATE | {("added", "")},
    "close": {("entry_added", "进展"), ("field", "状态"), ("field", "办结日期")} | _FIGURES | _DATED,  # final figures
    "fmt": _DATED,  # fmt --migrate; a plain fmt changes no content
    "signoff": {("entry_added", "进展"), ("entry_added", "销号"), ("field", "状态")} | _DATED,
    "extend": {("entry_added", "延期")},
    # yilan edit: core fields corrected (not the fields below, which records and extend govern), and
    # 量化指标/节点 added; ("field", "*") is any field but _NOT_EDITED
    "edit": {("field", "*"), ("entry_added", "量化指标"), ("entry_added", "节点")},
    "withdraw": {("entry_added", "撤销")},  # 撤销 (docs/format.md): a record appended, nothing else
    "reinstate": {("entry_added", "恢复")},
}
# what an edit never changes: 状态/办结日期 follow the 进展 log, 完成时限 moves only by an approved 延期
_NOT_EDITED = {"编号", "交办日期", "完成时限", "状态", "办结日期"}
# the fields an update may set inside an existing entry of these lists
_SETTABLE = {"量化指标": {"完成"}, "节点": {"完成日期"}}
# the notice for a record that reaches back before the last report (semantic: Change.earlier)
_EARLIER = {("entry_added", "进展"): "补记较早的进展", ("entry_changed", "节点"): "补记较早的节点完成"}
# the actions that change exactly the matters their Yilan-Matter trailers name (one each; import, fmt, sync's
# replays and undo name several or none)
ONE_MATTER = frozenset({"add", "update", "close", "signoff", "extend", "edit", "withdraw", "reinstate"})


@dataclass(frozen=True)
class Concern:
    """One thing a leader should look at: ``severity`` 篡改 (audit exits 1) or 提示; ``kind`` in words."""

    severity: str
    kind: str
    detail: str


def judge(action: str, found: list[Change], undo_verified: bool | None = None) -> list[Concern]:
    """The concerns about one commit's ``found`` changes to one matter, made under ``action`` (the
    Yilan-Action trailer; empty for a commit made by hand). ``undo_verified`` is, for an undo, whether it
    restores exactly the state before the commit it names."""
    concrete = [c for c in found if not c.derived]
    if action == "undo":
        if undo_verified:
            return []
        return [Concern(TAMPER, "撤销不符", "提交标为撤销,但改动与被撤销的提交不对应:" + _words(concrete))]
    concrete = [c for c in concrete if not (action == "extend" and is_approval(c))]
    out = [Concern(TAMPER, "改动历史记录", c.words) for c in concrete if rewrites(c)]
    reopened = next((c for c in found if c.kind == "reopened"), None)
    if reopened is not None:
        recorded = any(c.kind == "entry_added" and c.part == "进展" and isinstance(c.after, dict)
                       and c.after.get("状态") == reopened.after for c in concrete)
        out.append(Concern(NOTICE, "重新打开", f"由{reopened.before}改回{reopened.after}") if recorded else
                   Concern(TAMPER, "无记录重新打开", f"由{reopened.before}改回{reopened.after},"
                           "但没有记录重新督办的进展(应使用 yilan update --status 推进中)"))
    rest = [c for c in concrete if not rewrites(c)]
    # an old value dated by an earlier entry than the one it counted from: only fmt --migrate does that (from
    # the git history); leaders see it — under any other action, or by hand, it backdates a figure
    out += [Concern(NOTICE, "迁移量化指标", c.words) if action == "fmt" else Concern(TAMPER, "改动历史记录", c.words)
            for c in rest if c.kind == "dated" and c.earlier]
    rest = [c for c in rest if not (c.kind == "dated" and c.earlier)]
    # a report filed before reports already there (it can turn a missed month green): leaders should see it;
    # a notice, not tamper — sync's replay of a colleague's earlier report lands the same way. An indicator or
    # milestone set on a day before the last report (or without 设立日期, i.e. from 交办) changes past views
    out += [Concern(NOTICE, _EARLIER.get((c.kind, c.part), "补设较早的指标或节点"), c.words) for c in rest if c.earlier]
    if not action:
        out += [Concern(NOTICE, "改动完成时限" if c.kind == "field" and c.part == "完成时限" and c.before else "手工修改",
                        ("未经延期审批:" if c.kind == "field" and c.part == "完成时限" and c.before else "") + c.words)
                for c in rest if c.kind != "deleted" and not c.earlier]
        return out
    allowed = EFFECTS.get(action, set())
    # a figure (完成) is reported with the 进展 entry that reports it; changed alone it is a rewritten figure
    reported = any(c.kind == "entry_added" and c.part == "进展" for c in concrete)
    odd = [c for c in rest if not _allowed(c, allowed)
           or (c.kind == "entry_changed" and c.part == "量化指标" and not reported)
           or _added_with_result(c, action, reported)]
    if odd:
        out.append(Concern(TAMPER, "操作不符",
                           f"提交标为「{ACTIONS.get(action, action)}」,却有这个操作不会有的改动:{_words(odd)}"))
    return out


def _allowed(c: Change, allowed: set[tuple[str, str]]) -> bool:
    if c.kind == "deleted":
        return True  # reported on its own (删除事项)
    if c.kind == "field" and ("field", "*") in allowed:
        return c.part not in _NOT_EDITED
    if (c.kind, c.part) not in allowed and (c.kind, "") not in allowed:
        return False
    if c.kind == "entry_changed":
        return set(c.fields) <= _SETTABLE.get(c.part, set())
    return True


def _added_with_result(c: Change, action: str, reported: bool) -> bool:
    """A 量化指标 or 节点 added already holding a result: yilan writes no 完成 into an indicator (values go into
    进展), and a milestone's 完成日期 only with the update that reports it — never through edit."""
    if c.kind != "entry_added" or not isinstance(c.after, dict):
        return False
    if c.part == "量化指标":
        return c.after.get("完成") is not None
    if c.part == "节点" and c.after.get("完成日期"):
        return action != "update" or not reported
    return False


def misnamed(action: str, named: tuple[str, ...], changed: list[str]) -> list[str]:
    """The matters a commit changed that its Yilan-Matter trailers do not name, for an action that names each
    matter it changes (:data:`ONE_MATTER`: each names exactly one, so only the first Yilan-Matter counts);
    empty for any other action. A hand commit copying an ``edit`` trailer onto changes to other matters is
    操作不符."""
    if action not in ONE_MATTER:
        return []
    return [m for m in changed if m not in named[:1]]  # these commands name exactly one: a second is no licence


def rewrites(c: Change) -> bool:
    """Whether ``c`` rewrites the past: an existing 进展/延期/销号 record changed or removed, or a milestone's
    recorded 完成日期 changed (met on a day stays met on that day; filling an empty one is a report)."""
    if c.part in APPEND_ONLY and c.kind in ("entry_changed", "entry_removed"):
        return True
    return (c.kind == "entry_changed" and c.part == "节点" and "完成日期" in c.fields
            and isinstance(c.before, dict) and bool(c.before.get("完成日期")))


def _words(found: list[Change]) -> str:
    return ";".join(c.words for c in found) or "(没有可识别的改动)"

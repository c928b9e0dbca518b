"""What changed in a matter between two versions of its file, in the office's words. Pure.

``changes(before, after)`` compares two parsed matter documents (Chinese keys; None when the file did not
exist) and names each change: added, deleted, closed, reopened, status, progress, deadline, edited.
"""

from __future__ import annotations

from typing import Any

CLOSED = ("已办结", "已销号", "阶段性办结")
# Yilan-Action trailer → the word leaders read; a commit without the trailer was made by hand
ACTIONS = {"add": "新增", "update": "更新", "close": "办结", "signoff": "销号", "extend": "延期", "fmt": "格式化",
           "import": "导入", "init": "初始化", "issue": "印发", "undo": "撤销",
           "research": "一线调研", "reply": "记录回复", "escalate": "督办升级", "": "手工编辑"}
TRACKED_ELSEWHERE = ("状态", "办结日期", "进展", "延期", "销号", "完成时限")


def latest_progress(doc: dict[str, Any]) -> int | None:
    for entry in reversed(doc.get("进展") or []):
        if isinstance(entry, dict) and isinstance(entry.get("进度"), int):
            return int(entry["进度"])
    return None


def deadline(doc: dict[str, Any]) -> str | None:
    """The last 延期's 新时限 once approved, else 完成时限 (as text)."""
    out = doc.get("完成时限")
    for ext in doc.get("延期") or []:
        if isinstance(ext, dict) and ext.get("批准日期") and ext.get("新时限"):
            out = ext["新时限"]
    return None if out is None else str(out)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [("added", None, after.get("事项"))]
    if after is None:
        return [("deleted", before.get("事项"), None)]
    out: list[tuple[str, Any, Any]] = []
    b_state, a_state = before.get("状态"), after.get("状态")
    if b_state != a_state:
        if a_state in CLOSED and b_state not in CLOSED:
            out.append(("closed", b_state, a_state))
        elif b_state in CLOSED and a_state not in CLOSED:
            out.append(("reopened", b_state, a_state))
        else:
            out.append(("status", b_state, a_state))
    b_progress, a_progress = latest_progress(before), latest_progress(after)
    if b_progress != a_progress:
        out.append(("progress", b_progress, a_progress))
    if deadline(before) != deadline(after):
        out.append(("deadline", deadline(before), deadline(after)))
    edited = sorted(k for k in set(before) | set(after) if k not in TRACKED_ELSEWHERE and before.get(k) != after.get(k))
    if edited:
        out.append(("edited", edited, None))
    return out


def describe(change: str, before: Any, after: Any) -> str:
    """One change in words: 进度 40% → 70%, 状态 推进中 → 已办结, 完成时限 2022-08-31 → 2022-10-31 …"""
    if change == "added":
        return f"新增:{after}"
    if change == "deleted":
        return f"删除(!):{before}"
    if change in ("closed", "reopened", "status"):
        word = {"closed": "办结", "reopened": "重新打开", "status": "状态"}[change]
        return f"{word} {before} → {after}"
    if change == "progress":
        return f"进度 {'—' if before is None else f'{before}%'} → {'—' if after is None else f'{after}%'}"
    if change == "deadline":
        return f"完成时限 {before} → {after}"
    if isinstance(before, list):
        return "修改 " + "、".join(str(b) for b in before)
    return str(after or before or "")  # a linked document or record: its subject


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

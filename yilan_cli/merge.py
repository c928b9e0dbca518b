"""The git merge driver for matter files: entries are merged, not lines.

``git merge`` calls ``python -m yilan_cli merge-file %O %A %B`` for ``ledgers/**/*.yaml`` (wired by
.gitattributes and a ``merge.yilan.driver`` that yilan configures itself). Rules, field by field:
- 进展 entries are the union of both sides, in date order (an entry both sides wrote is kept once);
  状态 and 办结日期 are then recomputed from the merged log, so they always agree with it;
- 延期 records are the union of both sides (in 申请日期 order);
- any other field changed on one side only takes that side; changed the same way on both, either;
- a field changed differently on both sides is a real conflict: the file is written with git's conflict
  markers around that field, and `yilan check` reports it with file and line (E112);
- two matters added on both sides with no common base are never merged unless identical (two clones that
  gave out the same new ID): the whole file is a conflict.
A side that is not a readable matter falls back to git's own line merge.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from .status import FINISH

_MARK = "__yilan_conflict_{}__"


def _key(entry: Any) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def _union(base: list[Any], ours: list[Any], theirs: list[Any], order: str) -> list[Any]:
    """Ours, then what theirs added (dropping what either side removed from base), sorted by ``order``."""
    base_keys = {_key(e) for e in base}
    ours_keys = {_key(e) for e in ours}
    theirs_keys = {_key(e) for e in theirs}
    out = [e for e in ours if _key(e) in theirs_keys or _key(e) not in base_keys]
    seen = {_key(e) for e in out}
    out += [e for e in theirs if _key(e) not in seen and _key(e) not in base_keys and _key(e) not in ours_keys]
    return sorted(out, key=lambda e: str(e.get(order, "")) if isinstance(e, dict) else "")  # stable


def merge_docs(base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The merged document and the keys in conflict."""
    if base is None:
        if _key(ours) == _key(theirs):
            return ours, []
        return ours, ["*"]
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    keys = list(ours) + [k for k in theirs if k not in ours]
    for k in keys:
        b, o, t = base.get(k), ours.get(k), theirs.get(k)
        if k == "进展":
            merged[k] = _union(b or [], o or [], t or [], "日期")
        elif k == "延期":
            merged[k] = _union(b or [], o or [], t or [], "申请日期")
        elif _key(o) == _key(t) or _key(t) == _key(b):
            merged[k] = o
        elif _key(o) == _key(b):
            merged[k] = t
        else:
            merged[k] = o
            conflicts.append(k)
    merged = {k: v for k, v in merged.items() if v is not None or (k in ours and k in theirs)}
    _recompute_state(merged, conflicts)
    return merged, conflicts


def _recompute_state(doc: dict[str, Any], conflicts: list[str]) -> None:
    """状态 and 办结日期 follow the merged 进展 log (the rule `yilan check` enforces)."""
    entries = [e for e in doc.get("进展") or [] if isinstance(e, dict)]
    transitions = [e for e in entries if e.get("状态")]
    state = transitions[-1]["状态"] if transitions else ("推进中" if entries else "未启动")
    doc["状态"] = state
    finishes = [e["日期"] for e in transitions if e["状态"] in FINISH]
    if state in FINISH or state == "已销号":
        if finishes:
            doc["办结日期"] = finishes[-1]
    else:
        doc.pop("办结日期", None)
    for k in ("状态", "办结日期"):
        if k in conflicts:
            conflicts.remove(k)


def merge_texts(base: str | None, ours: str, theirs: str) -> tuple[str, bool] | None:
    """Merged text and whether it is clean; None when a side is not a readable matter."""
    from .yamlio import canonical, dump, fast_load, positioned_load

    try:
        b = fast_load(base) if base else None
        o, t = fast_load(ours), fast_load(theirs)
    except Exception:  # noqa: BLE001 - not YAML: git's line merge decides
        return None
    if not (isinstance(o, dict) and isinstance(t, dict) and (b is None or isinstance(b, dict))):
        return None
    merged, conflicts = merge_docs(b, o, t)
    if conflicts == ["*"]:
        return None
    tree = positioned_load(ours)
    for k in list(tree):
        if k not in merged:
            del tree[k]
    for k, v in merged.items():
        tree[k] = _MARK.format(k) if k in conflicts else v
    from .edits import key_order

    text = dump(canonical(tree, key_order(None)))
    for k in conflicts:
        mine, yours = _one(k, o.get(k)), _one(k, t.get(k))
        block = f"<<<<<<< 本地\n{mine}\n=======\n{yours}\n>>>>>>> 远端"
        text = text.replace(f"{k}: {_MARK.format(k)}", block)
    return text, not conflicts


def describe_conflicts(base: str | None, ours: str, theirs: str) -> list[str]:
    """Each field in conflict, with what each side did to it in the office's words (semantic.changes)."""
    from . import semantic

    b, o, t = semantic.parse(base), semantic.parse(ours) or {}, semantic.parse(theirs) or {}
    _, conflicts = merge_docs(b, o, t)
    out = []
    for k in conflicts:
        if k == "*":
            out.append("两边用同一个编号新增了不同的事项,整个文件冲突;请给其中一个换一个新编号")
            continue
        sides = []
        for who, doc in (("本地", o), ("远端", t)):
            words = [c.words for c in semantic.changes(b or {}, doc) if c.part == k and not c.derived]
            sides.append(f"{who}:{';'.join(words) or '未改'}")
        out.append(f"冲突的字段 {k}——" + ";".join(sides))
    return out


def _one(key: str, value: Any) -> str:
    """``key: value`` in the canonical layout, for one side of a conflict block."""
    from ruamel.yaml.comments import CommentedMap

    from .yamlio import canonical, dump

    return dump(canonical(CommentedMap({key: value}), [key])).rstrip("\n")


def merge_file(base: Path, ours: Path, theirs: Path) -> int:
    """git's merge-driver protocol: write the result to ``ours``; 0 when clean, 1 on conflict."""
    read = lambda p: p.read_text(encoding="utf-8") if p.exists() and p.stat().st_size else None  # noqa: E731
    texts = read(base), read(ours) or "", read(theirs) or ""
    result = merge_texts(*texts)
    if result is None:
        r = subprocess.run(["git", "merge-file", "-L", "本地", "-L", "共同祖先", "-L", "远端", str(ours), str(base), str(theirs)])
        return 1 if r.returncode else 0
    text, clean = result
    ours.write_text(text, encoding="utf-8", newline="\n")
    if not clean:  # git names the file; say what each side did to the fields in conflict
        for line in describe_conflicts(*texts):
            print(f"yilan: {line}", file=sys.stderr)
    return 0 if clean else 1


def ensure_driver(root: Path) -> None:
    """Configure `merge.yilan.driver` in this clone if it is missing (clones do not copy git config)."""
    import sys

    from .history import git_dir, run_git

    gdir = git_dir(root)
    if gdir is None:
        return
    config = gdir / "config"
    try:
        if '[merge "yilan"]' in config.read_text(encoding="utf-8", errors="replace"):
            return
    except OSError:
        return
    run_git(root, "config", "merge.yilan.name", "yilan 事项合并(进展取并集)", check=False)
    run_git(root, "config", "merge.yilan.driver", f'"{sys.executable}" -m yilan_cli merge-file %O %A %B', check=False)

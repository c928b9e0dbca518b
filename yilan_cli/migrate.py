"""``yilan fmt --migrate``: old-format 量化指标 完成 values become dated observations (进展[].指标).

An old file holds one undated 完成 per indicator; it counts from the last 进展 entry (asof.legacy_day).
git knows better: each commit that set or changed a 完成 recorded that value together with the entry it
appended. The migration recovers that series and writes each value into the entry that recorded it, so
views at earlier dates show what was reported then (docs/time.md, 迁移旧格式; docs/format.md).

Three layers:

- :func:`plan` — pure: the current matter and its file's versions (texts) → where each value goes;
- :func:`file_versions` — the git walk (one ``git log --raw`` for all files, one ``cat-file`` process);
- :func:`migrate_workspace` / :func:`apply` — the files to rewrite (round-trip tree, canonical layout);
  ``cli/write.py``'s ``fmt`` writes them in its one transaction and commit.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .records import figure_text

if TYPE_CHECKING:
    from .models import Matter, Update
    from .workspace import Workspace


@dataclass(frozen=True)
class Version:
    """One commit's change to the file: its text in the commit's parent (``before``, None when the file
    was added) and in the commit (``after``, None when deleted). ``cut``: the parent is not in the
    repository (the edge of a shallow clone), so what the commit changed is unknown."""

    commit: str
    before: str | None
    after: str | None
    cut: bool = False


@dataclass(frozen=True)
class Placement:
    """Where one value goes. ``entry``: the index in the current 进展 that dates it (None: not moved —
    see ``reason``); ``final``: the value is the current 完成 (else one recovered from earlier history);
    ``own``: that entry already records the indicator, so its own value stays (the value is not written)."""

    name: str
    value: float
    entry: int | None
    reason: str
    commit: str = ""
    final: bool = True
    own: float | None = None


# why a value went where it went (the line printed for it); every reason but "git" puts it in the last entry
WHY = {
    "git": "git 提交 {sha} 记录",
    "no_git": "无 git 记录,取最后一条进展",
    "untracked": "文件未提交到 git,取最后一条进展",
    "shallow": "浅克隆,记录它的提交之前的历史不在本仓库中,取最后一条进展",
    "entry_gone": "git 提交 {sha} 记录它的那条进展已不在文件中,取最后一条进展",
    "no_entry_then": "git 提交 {sha} 记录它时还没有进展,取最后一条进展",
    "not_in_history": "git 历史中没有这个值,取最后一条进展",
    "later_record": "按 git 提交 {sha} 放入会改变最新的指标值(其后的进展已记录该指标),取最后一条进展",
}
# why a value was not moved
NOT_MOVED = {
    "no_entries": ":没有进展,保留 完成(自交办日期 {assigned} 起计)",
    "kept": ":保留 完成,未迁移(放入任何一条进展都会改变最新的指标值,请人工核对)",
    "entry_gone": "(git 提交 {sha} 记录):未迁移,记录它的那条进展已不在文件中",
    "no_entry_then": "(git 提交 {sha} 记录):未迁移,记录它时还没有进展",
    "shallow": "(git 提交 {sha} 记录):未迁移,浅克隆,这个提交之前的历史不在本仓库中",
    "superseded": "(git 提交 {sha} 记录):未迁移,同一条进展后来记录了新的值",
    "after_final": "(git 提交 {sha} 记录):未迁移,记录它的进展不早于现在的值所在的进展",
}


@dataclass(frozen=True)
class _Obs:
    """A value a commit set: the current entry it belongs to (None: cannot be tied; ``why`` says why)."""

    value: float
    entry: int | None
    commit: str
    why: str = ""


# --------------------------------------------------------------------------- the rule (pure)
def plan(m: Matter, versions: Sequence[Version] | None) -> list[Placement]:
    """Where each old-format 完成 of ``m`` goes; pure (docs/time.md, 迁移旧格式).

    ``m`` is the validated matter as it stands; ``versions`` the changes git holds for its file, oldest
    first (``[]``: the file is not committed; None: no git). Returns, per indicator with a 完成 (in
    量化指标 order), the values recovered from history in commit order, then the current value.

    The rule: each version whose 完成 of an indicator differs from its parent's (set or changed) records
    that value as an observation (a 完成 removed withdraws the values before it). It belongs to the entry
    that commit added — the last entry in the version not in its parent — else to the last entry by date
    in the version, and counts only when that entry is still in the file (same 日期 and content, 指标
    aside; else the same 日期 at the same index). The current value goes where git puts its last change;
    when git cannot tell (no git, not committed, shallow, entry gone, a value git never held) it goes to
    the last entry by date, which is where it counts from today (asof.legacy_day) — and the placement
    must leave the value at the latest date unchanged (asof.observations), else the last entry is
    tried, else 完成 stays. Earlier values go to their entries when those come before the current
    value's. An entry that already records the indicator keeps its own value. A matter without entries
    keeps 完成 (it counts from 交办日期).
    """
    legacy = [(i.name, i.done) for i in m.indicators if i.done is not None]
    if not legacy:
        return []
    if not m.updates:
        return [Placement(name, value, None, "no_entries") for name, value in legacy]
    last_day = max(u.date for u in m.updates)
    last = max(i for i, u in enumerate(m.updates) if u.date == last_day)
    series = _series(m.updates, versions or ())
    placed: dict[int, dict[str, float]] = {}  # entry → values written into it
    removed: set[str] = set()
    out: list[Placement] = []
    for name, value in legacy:
        before = _latest(m, placed, removed, name)
        obs = series.get(name, [])
        final = obs[-1] if obs else None
        tries: list[tuple[int, str, str]] = []
        if versions is None or not versions:
            fallback, sha = ("no_git" if versions is None else "untracked"), ""
        elif final is None or final.value != value:
            fallback, sha = "not_in_history", ""
        elif final.entry is None:
            fallback, sha = final.why, final.commit
        else:
            tries.append((final.entry, "git", final.commit))
            fallback, sha = "later_record", final.commit
        if not tries or tries[0][0] != last:
            tries.append((last, fallback, sha))
        chosen: Placement | None = None
        for entry, reason, commit in tries:
            own = m.updates[entry].indicators.get(name)
            trial = placed if own is not None else _with(placed, entry, name, value)
            if _latest(m, trial, removed | {name}, name) == before:
                chosen = Placement(name, value, entry, reason, commit, own=own)
                placed = trial
                removed.add(name)
                break
        if chosen is None:
            out.append(Placement(name, value, None, "kept"))
            continue
        earlier = _earlier(m, name, obs[:-1] if final is not None and final.value == value else obs, chosen)
        trial = placed
        for p in earlier:
            if p.entry is not None and p.own is None:
                trial = _with(trial, p.entry, name, p.value)
        if _latest(m, trial, removed, name) == before:  # always, as they come first; checked all the same
            placed = trial
            out += earlier
        out.append(chosen)
    return out


def _earlier(m: Matter, name: str, obs: list[_Obs], final: Placement) -> list[Placement]:
    """The values recovered before the current one (commit order): each in its entry when that entry comes
    before the current value's and no later change went to the same entry."""
    assert final.entry is not None
    limit = (m.updates[final.entry].date, final.entry)
    out = []
    for k, o in enumerate(obs):
        if o.entry is None:
            out.append(Placement(name, o.value, None, o.why, o.commit, final=False))
        elif any(later.entry == o.entry for later in obs[k + 1:]) or o.entry == final.entry:
            out.append(Placement(name, o.value, None, "superseded", o.commit, final=False))
        elif (m.updates[o.entry].date, o.entry) >= limit:
            out.append(Placement(name, o.value, None, "after_final", o.commit, final=False))
        else:
            out.append(Placement(name, o.value, o.entry, "git", o.commit, final=False,
                                 own=m.updates[o.entry].indicators.get(name)))
    return out


def _with(placed: dict[int, dict[str, float]], entry: int, name: str, value: float) -> dict[int, dict[str, float]]:
    return {**placed, entry: {**placed.get(entry, {}), name: value}}


def _latest(m: Matter, placed: dict[int, dict[str, float]], removed: set[str], name: str) -> float | None:
    """The value of ``name`` at the latest date once ``placed`` is written and ``removed`` lose 完成 (asof)."""
    from .asof import indicator_at, observations

    view = m.model_copy(update={
        "updates": [u.model_copy(update={"indicators": {**placed.get(i, {}), **u.indicators}}) if i in placed else u
                    for i, u in enumerate(m.updates)],
        "indicators": [i.model_copy(update={"done": None}) if i.name in removed else i for i in m.indicators],
    })
    return indicator_at(observations(view).get(name, ()), date.max.toordinal())


def _series(current: Sequence[Update], versions: Sequence[Version]) -> dict[str, list[_Obs]]:
    """名称 → the values git recorded for it, in commit order, each tied to a current entry if it can be."""
    tie = _Tie(current)
    series: dict[str, list[_Obs]] = {}
    for v in versions:
        after = _doc(v.after)
        if after is None:
            continue
        before = _doc(v.before) or {}
        now, then = _figures(after), _figures(before)
        for name in then:
            if name not in now:
                series.pop(name, None)  # withdrawn: the values before it no longer stand
        changed = {name: x for name, x in now.items() if then.get(name) != x}
        if not changed:
            continue
        entry, why = (None, "shallow") if v.cut else tie.entry_of(_entries(before), _entries(after))
        for name, x in changed.items():
            series.setdefault(name, []).append(_Obs(x, entry, v.commit, why))
    return series


class _Tie:
    """Entries of a version tied to the current file's entries (validated once per distinct entry)."""

    def __init__(self, current: Sequence[Update]) -> None:
        self.current = [_content(u) for u in current]
        self.days = [u.date for u in current]
        self.seen: dict[str, Update | None] = {}

    def update(self, raw: Any) -> Update | None:
        from pydantic import ValidationError

        from .models import Update

        key = _key(raw)
        if key not in self.seen:
            try:
                self.seen[key] = Update.model_validate(raw) if isinstance(raw, dict) else None
            except ValidationError:
                self.seen[key] = None
        return self.seen[key]

    def entry_of(self, before: list[Any], after: list[Any]) -> tuple[int | None, str]:
        """The current index of the entry a version's change belongs to: the last one it added, else its
        last entry by date; (None, why) when there is none or it is not in the file any more."""
        old = Counter(_key(e) for e in before)
        added = []
        for i, e in enumerate(after):
            if old[_key(e)]:
                old[_key(e)] -= 1
            else:
                added.append(i)
        if added:
            at = added[-1]
        else:
            dated = [(u.date, i) for i, u in ((i, self.update(e)) for i, e in enumerate(after)) if u is not None]
            if not dated:
                return None, "no_entry_then"
            at = max(dated)[1]
        u = self.update(after[at])
        if u is None:
            return None, "entry_gone"
        same = [j for j, c in enumerate(self.current) if c == _content(u)]
        if same:
            return (at if at in same else min(same, key=lambda j: abs(j - at))), ""
        if at < len(self.days) and self.days[at] == u.date:
            return at, ""
        return None, "entry_gone"


def _content(u: Update) -> dict[str, Any]:
    return u.model_dump(exclude={"indicators"})


def _key(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)


def _doc(text: str | None) -> dict[str, Any] | None:
    from .semantic import parse

    return parse(text.removeprefix("\ufeff")) if text is not None else None


def _entries(doc: dict[str, Any]) -> list[Any]:
    value = doc.get("进展")
    return value if isinstance(value, list) else []


def _figures(doc: dict[str, Any]) -> dict[str, float]:
    """名称 → 完成 of a version's indicators (numbers only; anything else is not a recorded value)."""
    out: dict[str, float] = {}
    items = doc.get("量化指标")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("名称"), str):
            x = item.get("完成")
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                out[item["名称"]] = float(x)
    return out


# --------------------------------------------------------------------------- the git walk
def file_versions(root: Path, rels: Sequence[str]) -> dict[str, list[Version]] | None:
    """Each file's versions on HEAD, oldest first, following the same path (no renames); None without
    git (no repository, or git not installed). A repository without commits has no versions."""
    from . import history
    from .errors import YilanError

    if history.git_dir(root) is None:
        return None
    try:
        if not history.resolve(root, "HEAD"):
            return {rel: [] for rel in rels}
        cut = history.shallow_boundary(root)
        # the ledgers folder, not each file: thousands of paths would overflow a Windows command line
        commits = history.log(root, "--no-renames", "--topo-order", "HEAD", paths=("ledgers",))  # parents first, reversed
    except YilanError as e:
        if e.code == "G000":  # git is not installed
            return None
        raise
    out: dict[str, list[Version]] = {rel: [] for rel in rels}
    with history.Blobs(root) as blobs:
        for c in reversed(commits):
            for ch in c.changes:
                if ch.new_path in out:
                    out[ch.new_path].append(Version(c.sha, blobs.text(ch.old_blob), blobs.text(ch.new_blob),
                                                    cut=c.sha in cut))
    return out


# --------------------------------------------------------------------------- the files
@dataclass
class Migration:
    """One matter file with old-format values: where they go, and the new text (None: nothing moves)."""

    rel: str
    matter: Matter
    placements: list[Placement]
    text: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(1 for p in self.placements if p.entry is not None)


def migrate_workspace(ws: Workspace) -> list[Migration]:
    """Every valid matter file holding an old-format 完成, with its placements and new canonical text."""
    from .checks import check_text
    from .edits import key_order
    from .filecheck import linked
    from .store import matter_files
    from .yamlio import MAX_FILE_BYTES, canonical, dump, positioned_load

    found: list[tuple[str, str, Matter]] = []
    for path in matter_files(ws.root):
        rel = ws.rel(path)
        if linked(path, rel) or path.stat().st_size > MAX_FILE_BYTES:
            continue  # as fmt: `yilan check` reports it, nothing is read through a link
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n")
        record, _ = check_text(ws, text, rel, path.parent.name, path.stem)
        if record is not None and any(i.done is not None for i in record.matter.indicators):
            found.append((rel, text, record.matter))
    if not found:
        return []
    history = file_versions(ws.root, [rel for rel, _, _ in found])
    out = []
    for rel, text, m in found:
        placements = plan(m, None if history is None else history[rel])
        result = Migration(rel, m, placements, lines=[describe(m, p) for p in placements])
        if any(p.final and p.entry is not None for p in placements):
            tree = positioned_load(text)
            apply(tree, placements)
            result.text = dump(canonical(tree, key_order(ws.ledgers.get(Path(rel).parent.name))))
        out.append(result)
    return out


def apply(tree: Any, placements: Sequence[Placement]) -> None:
    """Write ``placements`` into the round-trip ``tree`` of the matter they were planned for: each value
    into its entry's 指标 (after 进度), and the 完成 of each current value moved deleted."""
    from .edits import set_after
    from .yamlio import flow_map

    entries = tree.get("进展") or []
    items = {str(item["名称"]).strip(): item for item in tree.get("量化指标") or [] if isinstance(item, dict)}
    for p in placements:
        if p.entry is None:
            continue
        item = items[p.name]
        if p.own is None:
            value = item["完成"] if p.final else (int(p.value) if float(p.value).is_integer() else p.value)
            entry = entries[p.entry]
            own = entry.get("指标")
            if own is None:
                set_after(entry, "指标", flow_map({p.name: value}), "进度", "日期")
            else:
                own[p.name] = value
        if p.final:
            del item["完成"]


def describe(m: Matter, p: Placement) -> str:
    """One placement in the office's words: ``ZB-003 年底存栏肉牛 4000 → 2022-11-02 的进展(git 提交 … 记录)``."""
    from .terminal import inline

    head = f"{m.id} {p.name} {figure_text(p.value)}"
    if p.entry is None:
        return inline(head + NOT_MOVED[p.reason].format(sha=p.commit[:8], assigned=m.assigned))
    line = f"{head} → {m.updates[p.entry].date} 的进展({WHY[p.reason].format(sha=p.commit[:8])})"
    if p.own is not None:
        line += f";该进展已记录该指标为 {figure_text(p.own)},保留进展中的值"
    return inline(line)


def summary(found: Sequence[Migration], done: bool) -> str:
    files = sum(1 for x in found if x.text is not None)
    values = sum(x.moved for x in found)
    kept = sum(1 for x in found if any(p.reason == "no_entries" for p in x.placements))
    tail = f";{kept} 个事项没有进展,保留 完成" if kept else ""
    if not files:
        return "没有需要迁移的量化指标" + tail
    return (f"已迁移 {files} 个事项文件的 {values} 个指标值" if done else f"{files} 个事项文件需要迁移({values} 个指标值)") + tail


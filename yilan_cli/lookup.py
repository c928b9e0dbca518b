"""Finding what a user typed: matter IDs, ledgers and units written as people type them.

A matter ID is read the same way by every command that takes one (show, update, close, signoff, extend,
history, research add --matter): NFKC (full-width ＺＢ－００３ → ZB-003), any dash a Chinese input method
types (－ — – ‐ − ﹣) or a space or nothing between prefix and number, upper case, surrounding blanks dropped;
the number is the number of the existing matter with that prefix (ZB-3 → ZB-003), or padded to three digits
(edits.next_id) when none exists. An ID that names no matter is refused (E404) with the closest IDs and, for
text that is not shaped like an ID, the matters whose 事项 contains it (``show 中植肉牛`` → ZB-003).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .query import UnitScope
    from .workspace import LedgerDef, Workspace

DASHES = "‐‑‒–—―−﹣－ _"  # what an input method types between prefix and number (after NFKC)
_TYPED_ID = re.compile(r"^([A-Z]{1,8})-?([0-9]{1,6})$")
_WIDTH = 3  # the width edits.next_id gives a new ID


def plain(text: str) -> str:
    """``text`` as compared: NFKC (full-width letters, digits, brackets → ASCII), surrounding blanks dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def id_parts(text: str) -> tuple[str, int] | None:
    """The (prefix, number) a typed ID names, or None when the text is not shaped like an ID.

    ``"zb-3"``, ``"ZB－003"``, ``"ZB 3"``, ``"zb3"`` → ``("ZB", 3)``; ``"中植肉牛"`` → None."""
    s = plain(text).upper()
    for dash in DASHES:
        s = s.replace(dash, "-")
    m = _TYPED_ID.match(re.sub(r"-+", "-", s))
    return (m.group(1), int(m.group(2))) if m else None


def ledger_ids(ws: Workspace, lg: LedgerDef) -> list[str]:
    """The IDs of the matter files in ``lg``'s folder (file stems), sorted."""
    folder = ws.root / "ledgers" / lg.key
    return sorted(p.stem for p in folder.glob(f"{lg.prefix}-*.yaml")) if folder.is_dir() else []


def normalise_id(ws: Workspace, text: str) -> str:
    """The ID ``text`` names: the existing matter of that prefix and number (ZB-3 → ZB-003, whatever width
    the ledger's IDs have), else the prefix and the number padded to three digits; text not shaped like an ID
    comes back as typed (NFKC, upper case, stripped), for the caller to refuse."""
    parts = id_parts(text)
    if parts is None:
        return plain(text).upper()
    prefix, n = parts
    lg = ws.ledger_of_prefix(prefix)
    for existing in ledger_ids(ws, lg) if lg else []:
        if int(existing.split("-")[1]) == n:
            return existing
    return f"{prefix}-{n:0{_WIDTH}d}"


def matter_file(ws: Workspace, text: str) -> Path:
    """The file of the matter ``text`` names (:func:`normalise_id`); refused with suggestions (E404)."""
    mid = normalise_id(ws, text)
    parts = id_parts(mid)
    lg = ws.ledger_of_prefix(parts[0]) if parts else None
    path = ws.root / "ledgers" / lg.key / f"{mid}.yaml" if lg else None
    if path is None or not path.is_file():
        raise unknown_matter(ws, text, mid)
    return path


def unknown_matter(ws: Workspace, text: str, mid: str) -> UsageError:
    """E404 for ``text`` (read as ``mid``): the hint names the closest IDs, and for text not shaped like an ID
    the matters whose 事项 contains it (at most five, then 等N项)."""
    from .i18n import t
    from .store import load_ledgers

    records = load_ledgers(ws).records
    found: list[str] = []
    if id_parts(text) is None:
        words = plain(text)
        hits = [r for r in records if words and words in plain(r.title)]
        found = [f"{r.id} {r.title}" for r in sorted(hits, key=lambda r: r.id)]
    else:
        found = difflib.get_close_matches(mid, sorted(r.id for r in records), n=3, cutoff=0.6)
    shown = "、".join(found[:5]) + (f"等{len(found)}项" if len(found) > 5 else "")
    hint = f"您是否要找：{shown}？" if found else t("hint.unknown_matter")
    return UsageError(t("err.unknown_matter", id=text.strip()), hint, code="E404")


def unknown_ledger(ws: Workspace, name: str) -> UsageError:
    """E330: ``name`` is no ledger (key, prefix or 中文名). The hint names the ledgers whose name contains it
    (信访 → xinfang（信访积案化解）), else the closest keys and names, else every ledger."""
    text = plain(name)
    every = list(ws.ledgers.values())
    close = [lg for lg in every if text and text in lg.name]
    if not close:
        names = difflib.get_close_matches(text, [x for lg in every for x in (lg.key, lg.name)], n=3, cutoff=0.5)
        close = list(dict.fromkeys(lg for x in names for lg in every if x in (lg.key, lg.name)))  # closest first
    listed = "、".join(f"{lg.key}（{lg.name}）" for lg in close or every)
    hint = f"您是否想写 {listed}？" if close else f"可用的台账：{listed}"
    return UsageError(f"没有这个台账：{name}", hint, code="E330")


COUNTY_HEADS = ("县", "县委")  # the heads a registered unit name may be typed without (住建局 → 县住建局)


def unit_scope(ws: Workspace, text: str) -> UnitScope:
    """What ``--unit text`` selects (status, export): a unit (as :func:`unit_name`: 住建局 → 县住建局) with the
    words naming its whole group as 配合单位; or a whole group by its 分组 or 统称 (乡镇, 各乡镇 → every
    乡镇 and the matters 各乡镇 co-operate on). Unknown: E327 with the closest names, groups included."""
    from .query import UnitScope

    name = plain(text)
    group = ws.unit_groups.get(name)
    if group is not None:
        return UnitScope(frozenset(u for u, g in ws.units.items() if g == group),
                         frozenset(w for w, g in ws.unit_groups.items() if g == group))
    try:
        unit = unit_name(ws, text)
    except UsageError as e:
        if e.code != "E327" or "可指" in e.message:
            raise
        from .leaders import unknown

        raise unknown(name, [*ws.units, *ws.unit_groups], "单位") from None
    return UnitScope(frozenset({unit}), frozenset(ws.group_words(unit)))


def unit_name(ws: Workspace, text: str) -> str:
    """The registered unit ``text`` names: itself (NFKC, stripped), or — written without its head
    (:data:`COUNTY_HEADS`) — the one registered unit 县+text or 县委+text (住建局 → 县住建局, 宣传部 → 县委宣传部).
    Anything else, or a name two units could be, is refused (E327) with the closest names."""
    from .leaders import unknown

    name = plain(text)
    if name in ws.units:
        return name
    heads = list(dict.fromkeys(head + name for head in COUNTY_HEADS if head + name in ws.units))
    if len(heads) == 1:
        return heads[0]
    if heads:
        raise UsageError(f"“{name}”可指{len(heads)}个单位：{'、'.join(heads)}", "写单位的全称", code="E327")
    raise unknown(name, list(ws.units), "单位")

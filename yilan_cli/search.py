"""``yilan find``: keyword search over the text people write in a matter.

What is searched, in this order (the order the snippets are chosen in): 事项, 目标要求, the 进展 entries dated
on or before the evaluation day, newest first (情况, 存在问题, 下步措施 of each), 备注, and the ledger's own
text fields (扩展字段 of 类型 文本) that are not marked 敏感. A sensitive field (信访人, 举报人) is never
searched nor shown, so a search cannot reveal who petitioned. Names (units, leaders, 责任人) are not
searched: ``status --unit`` and ``--leader`` select by them.

Matching is width- and case-insensitive: the text and the words are compared after NFKC (full-width
letters, digits and punctuation as their ASCII forms) and casefold. Several words (separated by blanks,
full-width ones included) must all occur in the matter, each in any searched field.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .records import Record
from .status import Status, evaluate, exists

if TYPE_CHECKING:
    from .store import Ledgers
    from .workspace import Workspace

PROGRESS_TEXT = ("情况", "存在问题", "下步措施")  # the text fields of one 进展 entry
CONTEXT = 12  # characters shown each side of the first match in a snippet
_QUOTED = set("'\"\\")  # a word with one of these may be escaped in the file: no raw-text prefilter


def fold(text: str) -> str:
    """``text`` as find compares it: NFKC, then casefold (ＡＢＣ, abc and ABC are one word)."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_words(text: str) -> list[str]:
    """The words of a query: ``text`` folded and split at blanks (a full-width space too) and at the marks
    a list is written with (供热，管网 / 供热、管网 / 供热;管网), duplicates dropped. Raises UsageError (E332)
    when nothing is left."""
    import re

    words = list(dict.fromkeys(w for w in re.split(r"[\s、,;]+", fold(text)) if w))
    if not words:
        raise UsageError("没有给出要查找的文字", "例如 yilan find 肉牛，或 yilan find 粪污 整改（几个词须同时出现）",
                         code="E332")
    return words


@dataclass(frozen=True)
class Hit:
    """A matching matter: its record, its status at the evaluation day, and one (field, snippet) per field
    where one of the words was first found (in search order, each field at most once)."""

    record: Record
    status: Status
    snippets: tuple[tuple[str, str], ...]


@dataclass
class FindResult:
    today: date
    words: list[str]
    hits: list[Hit] = field(default_factory=list)  # sorted by ID
    hidden: int = 0  # matching matters closed, 销号 or 中止 at today, left out because --all was not given
    withdrawn: int = 0  # matching matters withdrawn (撤销) at today, left out because --all was not given


def texts(ws: Workspace, rec: Record, data: dict[str, Any], today: date) -> list[tuple[str, str]]:
    """(field label, text) of everything find searches in one matter file's ``data``, in search order.
    A 进展 text is labelled with its date: ``进展 2022-11-02 情况``."""
    out: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            out.append((label, value))

    add("事项", data.get("事项"))
    add("目标要求", data.get("目标要求"))
    updates = data.get("进展")
    entries = [u for u in updates if isinstance(u, dict)] if isinstance(updates, list) else []
    for u in reversed(entries):
        day = str(u.get("日期", ""))
        if day > today.isoformat():  # ISO text compares as dates; a later entry is not yet written at today
            continue
        for key in PROGRESS_TEXT:
            add(f"进展 {day} {key}", u.get(key))
    add("备注", data.get("备注"))
    lg = ws.ledgers.get(rec.ledger)
    for f in lg.fields if lg else ():
        if f.type == "文本" and not f.sensitive:
            add(f.name, data.get(f.name))
    return out


def snippet(text: str, word: str) -> str:
    """The part of ``text`` (on one line) around the first occurrence of the folded ``word``: up to
    :data:`CONTEXT` characters each side, cut ends marked with …. The original characters are shown
    (full-width punctuation stays full-width); the match is located character by character."""
    from .terminal import inline

    text = inline(text)
    folded: list[str] = []
    origin: list[int] = []  # folded position → index of the original character
    for i, ch in enumerate(text):
        f = fold(ch)
        folded.append(f)
        origin.extend([i] * len(f))
    at = "".join(folded).find(word)
    if at < 0:  # a match across a composed character: show the start of the text
        start, end = 0, min(len(text), 2 * CONTEXT)
    else:
        first, last = origin[at], origin[at + len(word) - 1]
        start, end = max(0, first - CONTEXT), min(len(text), last + 1 + CONTEXT)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def match(fields: list[tuple[str, str]], words: list[str]) -> tuple[tuple[str, str], ...] | None:
    """The snippets of a matter whose ``fields`` contain every word, else None. Each word is shown in the
    first field holding it; a field that holds several words is shown once (around its first word)."""
    folded = [fold(text) for _, text in fields]
    where: dict[int, str] = {}
    for w in words:
        i = next((i for i, f in enumerate(folded) if w in f), None)
        if i is None:
            return None
        where.setdefault(i, w)
    return tuple((fields[i][0], snippet(fields[i][1], w)) for i, w in sorted(where.items()))


def _may_match(raw: str, words: list[str]) -> bool:
    """Cheap test on a file's raw text before it is parsed: every word occurs (blanks ignored, since a long
    YAML line may be folded). Words with quotes or backslashes are not tested (they may be escaped)."""
    flat = "".join(fold(raw).split())
    return all(w in flat for w in words if not (_QUOTED & set(w)))


def find(ws: Workspace, ledgers: Ledgers, text: str, today: date, include_closed: bool = False) -> FindResult:
    """Matters existing at ``today`` whose searched text contains every
    word of ``text`` (see the module docstring). Matters on no light (已办结, 已销号, 中止) are counted in
    ``hidden`` unless ``include_closed``. Invalid files are skipped (the caller warns about them).
    Raises UsageError E332 for an empty query."""
    from .yamlio import fast_load

    words = search_words(text)
    result = FindResult(today, words)
    d = today.toordinal()
    for rec in ledgers.records:
        if not exists(rec, d):
            continue
        try:
            raw = (ws.root / Path(rec.path)).read_text(encoding="utf-8")
            if not _may_match(raw, words):
                continue
            data = fast_load(raw)
        except Exception:  # noqa: BLE001 - changed or unreadable since it was validated: not searchable now
            continue
        if not isinstance(data, dict):
            continue
        snippets = match(texts(ws, rec, data, today), words)
        if snippets is None:
            continue
        st = evaluate(rec, today, ws.rules)
        if st.light == "none" and not include_closed:
            if st.withdrawn:
                result.withdrawn += 1
            else:
                result.hidden += 1
            continue
        result.hits.append(Hit(rec, st, snippets))
    result.hits.sort(key=lambda h: h.record.id)
    return result

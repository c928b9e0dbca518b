"""牵头领导 by person: ``--leader`` and matters' 牵头领导 resolved against the people register.

A matter's 牵头领导 names a person of schemas/people.yaml (by 姓名 or id) or a title (职务, as 常务副县长 or
分管副县长). A person answers to a name — their id, 姓名, 职务 and 称谓 (other titles matters use for them) —
when nobody else in the register answers to it: 孙某 (常务副县长, held by nobody else) leads the matters
naming 孙某, cwfxz or 常务副县长. A name several people answer to (分管副县长, held by 赵某 and 钱某) belongs
to none of them: a leader's report cannot say whose those matters are, so ``--leader 分管副县长`` is refused
(E328, naming the people it could mean) and ``yilan check`` flags each matter naming it (Y002). A title
nobody in the register holds (县委副书记 when only matters use it) selects the matters naming it, as
before people were registered; an unknown name is refused with the closest names (E327).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .findings import Finding
    from .records import Record
    from .research import Person
    from .workspace import Workspace


@dataclass(frozen=True)
class Leader:
    """A resolved ``--leader``: the 牵头领导 values that select a matter, and how documents name the leader."""

    names: frozenset[str]  # a matter is this leader's when its 牵头领导 holds one of these
    label: str  # 常务副县长孙某 for a person, the title itself otherwise
    person: Person | None = None

    def covers(self, leaders: Iterable[str]) -> bool:
        return any(key(x) in self.names for x in leaders)


def key(name: str) -> str:
    """A name as it is matched: full-width and half-width forms alike (NFKC: 副县长（分管农业） = 副县长(分管农业)),
    spaces around it ignored — documents print full-width brackets, and staff copy from them."""
    return unicodedata.normalize("NFKC", name).strip()


def answers_to(people: list[Person]) -> dict[str, list[Person]]:
    """name (as :func:`key`) → the registered people answering to it (id, 姓名, 职务, 称谓), in register order."""
    out: dict[str, list[Person]] = {}
    for p in people:
        for name in dict.fromkeys(key(x) for x in (p.id, p.name, p.title, *p.aliases) if x):
            out.setdefault(name, []).append(p)
    return out


def person_text(p: Person) -> str:
    """赵某（fxz-nongye，副县长(分管农业)）: a person as a message names them."""
    return f"{p.name}（{p.id}，{p.title}）" if p.title else f"{p.name}（{p.id}）"


def of_person(p: Person, holders: dict[str, list[Person]]) -> Leader:
    """The leader ``p``: the names only ``p`` answers to."""
    names = frozenset(k for k, who in holders.items() if who == [p])
    plain = p.title and not any(c in p.title for c in "()（）")  # 副县长(分管农业)赵某分管 would nest brackets
    return Leader(names, f"{p.title}{p.name}" if plain else p.name, p)


def unknown(value: str, names: list[str], what: str) -> UsageError:
    """E327: ``value`` is no ``what`` (单位, 牵头领导); the hint names the closest of ``names``, or the first ones."""
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.3)
    hint = (f"您是否想写 {'、'.join(close)}?" if close else f"已有的{what}:{'、'.join(names[:12])}"
            + ("……" if len(names) > 12 else ""))
    return UsageError(f"没有这个{what}:{value}", hint, code="E327")


def resolve(people: list[Person], used: Iterable[str], text: str) -> Leader:
    """``--leader text`` → the Leader it names; ``used`` are the 牵头领导 values of the matters.

    A name exactly one registered person answers to is that person; a name several answer to is refused
    (UsageError E328, listing them); a title only matters use selects the matters naming it; anything else
    is refused (E327, with the closest names)."""
    text = key(text)
    if not text:
        raise UsageError("--leader 后面没有写领导", "写领导的姓名、人员编号或职务,如 --leader 孙某", code="E327")
    holders = answers_to(people)
    who = holders.get(text, [])
    if len(who) == 1:
        return of_person(who[0], holders)
    if who:
        raise UsageError(f"“{text}”可指{len(who)}人：{'、'.join(person_text(p) for p in who)}，不能确定是哪一位领导",
                         f"用姓名或人员编号指明，如 --leader {who[0].name}；事项的牵头领导写成姓名后，领导报告才能包含它",
                         code="E328")
    used = {key(x): x for x in used}
    if text in used:
        return Leader(frozenset({text}), used[text])
    # suggested by 姓名 and 职务 (an id such as cwfxz matches too, but means nothing to the reader)
    raise unknown(text, sorted(set(used.values()) | {k for p in people for k in (p.name, p.title) if k}), "牵头领导")


def select(ws: Workspace, records: list[Record], text: str | None) -> Leader | None:
    """The ``--leader`` of a command (report, notice, status, export) resolved against schemas/people.yaml and
    the matters' 牵头领导; None without ``--leader``. Raises UsageError E327/E328 as :func:`resolve`."""
    if text is None:
        return None
    from .research import load_people

    return resolve(load_people(ws), {x for r in records for x in r.leaders}, text)


def shared_titles(ws: Workspace, people: list[Person], records: list[Record]) -> list[Finding]:
    """Y002 (severity yellow) for each matter whose 牵头领导 names someone several registered people answer to
    (分管副县长 held by 赵某 and 钱某): no leader's report can include it. ``people``: research.load_people —
    nothing when schemas/people.yaml lists nobody. Positioned at the ``牵头领导:`` line, column 1."""
    from .findings import make_finding

    holders = {k: who for k, who in answers_to(people).items() if len(who) > 1}
    out = []
    for r in records:
        for name in r.leaders:
            if key(name) in holders:
                who = holders[key(name)]
                params = {"id": r.id, "leader": name, "people": "、".join(person_text(p) for p in who),
                          "person": who[0].name}
                out.append(make_finding(r.path, _leader_line(ws, r.path), 1, "Y002", params, severity="yellow"))
    return out


def _leader_line(ws: Workspace, rel: str) -> int:
    """The line of ``牵头领导:`` in the matter file (1 when it cannot be found)."""
    import re

    try:
        text = (ws.root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1
    m = re.search(r"^牵头领导\s*:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def for_matter(ws: Workspace, typed: list[str]) -> list[str]:
    """``--leader`` values of ``add``/``edit`` → the 牵头领导 to write (as typed, NFKC, blanks dropped, once each).

    A name one registered person answers to is written as typed; a name several answer to (分管副县长) is
    refused (E328) — the leader's report could not include the matter; a name the register does not know is
    accepted when some matter already names it (a title only matters use), else refused with the closest
    names (E327). With nobody registered in schemas/people.yaml, any name is accepted. The matters are read
    only for a name the register does not know."""
    from .research import load_people
    from .store import load_ledgers

    names = list(dict.fromkeys(key(x) for x in typed if key(x)))
    people = load_people(ws)
    if not people:
        return names
    holders = answers_to(people)
    used: set[str] | None = None
    for name in names:
        if name in holders:
            resolve(people, (), name)  # E328 when several people answer to it
            continue
        if used is None:
            used = {x for r in load_ledgers(ws).records for x in r.leaders}
        try:
            resolve(people, used, name)
        except UsageError as e:
            asked = e.hint.endswith(("?", "？"))
            hint = f"{e.hint.rstrip('?？')}{'？' if asked else '；'}新任领导请先登记在 schemas/people.yaml（姓名、职务）"
            raise UsageError(e.message, hint, code=e.code) from None
    return names

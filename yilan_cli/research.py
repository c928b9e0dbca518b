"""一线调研: the people the office tracks, their field-research records, and the quota arithmetic.

The county's rule: county-level leaders go to the grassroots once a week and at least 2 months (60 days)
a year; township and department heads twice a week and at least 3 months (90 days). Quotas per 类别 and
the work calendar (节假日, 调休上班) are in rules.yaml; the people in schemas/people.yaml; the records in
research/<year>/<person-id>.yaml, one flow mapping per visit so a diff shows one line per visit.

The arithmetic (docs/four-systems.md works an example by hand), for a person, a year Y and a day D:
- days: distinct dates with a visit in Y up to D; visits: entries. A week's count is its visit days
  (two places on one day are one trip).
- weeks: Monday-to-Sunday, clipped to Y. A week's quota = min(每周次数, its working days); a week
  with no working day (the Spring Festival week) owes nothing.
- weeks below quota: weeks that ended by D with fewer visit days than their quota.
- days needed per remaining week: (全年天数 − days) / the weeks not yet ended that owe something.
- 红: days + the most still possible (per remaining week: min(每周最多天数, its working days after D))
  < 全年天数 — the annual quota can no longer be met.
- 黄: days < 全年天数 × working days elapsed / working days in Y — behind the pro-rata pace.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .filecheck import Issue, locate, read_text, scan_values, unreadable
from .findings import Finding, make_finding
from .i18n import t
from .periods import WorkCalendar, iso_day

if TYPE_CHECKING:
    from .workspace import Rules, Workspace

PEOPLE = Path("schemas") / "people.yaml"
FOLDER = "research"
PERSON_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
KEYS = ("日期", "地点", "主题", "发现问题", "解决情况", "事项")
REQUIRED = ("日期", "地点", "主题")


@dataclass(frozen=True)
class Person:
    id: str  # ASCII, the file name under research/<year>/
    name: str  # 姓名
    title: str  # 职务
    category: str  # 类别: a key of the quotas in rules.yaml (县级领导 / 乡镇部门主要负责人)
    unit: str  # 单位
    aliases: tuple[str, ...] = ()  # 称谓: other titles matters' 牵头领导 use for this person (分管副县长)


@dataclass(frozen=True)
class Visit:
    person: str
    day: date
    place: str
    topic: str
    found: str = ""
    result: str = ""
    matters: tuple[str, ...] = ()


# --------------------------------------------------------------------------- the registry
def load_people(ws: Workspace) -> list[Person]:
    """schemas/people.yaml (empty when the workspace tracks nobody); a broken registry stops the command (E400).

    The same register serves 一线调研 (类别 → quota) and 牵头领导 (leaders.py resolves ``--leader`` and
    matters' 牵头领导 against id, 姓名, 职务 and 称谓)."""
    from .workspace import Values, read_schema

    path = ws.root / PEOPLE
    if not path.is_file():
        return []
    v = Values(path, "每人一行:{id: zhangwei, 姓名: 张某, 职务: 副县长, 类别: 县级领导, 单位: 县政府}")
    people: list[Person] = []
    for i, item in enumerate(v.items(read_schema(path), "")):
        where = f"人员[{i + 1}]"
        item = v.mapping(item, where, optional=False)
        pid = v.text(item.get("id"), f"{where}.id", "")
        v.need(bool(PERSON_ID.match(pid)), f"{where}.id", f"人员编号 {pid!r} 应为小写字母开头的字母、数字(如 zhangwei)")
        v.need(pid not in {p.id for p in people}, f"{where}.id", f"人员编号 {pid} 重复")
        name = v.text(item.get("姓名"), f"{where}.姓名", "")
        v.need(bool(name), f"{where}.姓名", f"{pid} 缺少 姓名")
        category = v.text(item.get("类别"), f"{where}.类别", "")
        v.need(category in ws.rules.research_quotas, f"{where}.类别",
               f"{pid} 的类别 {category!r} 不在 rules.yaml 一线调研.定额 中({'、'.join(ws.rules.research_quotas)})")
        people.append(Person(pid, name, v.text(item.get("职务"), f"{where}.职务", ""), category,
                             v.text(item.get("单位"), f"{where}.单位", ""),
                             tuple(x for x in v.texts(item.get("称谓"), f"{where}.称谓") if x)))
    return people


def find_person(people: list[Person], text: str) -> Person | None:
    """A person by id or 姓名."""
    return next((p for p in people if text in (p.id, p.name)), None)


# --------------------------------------------------------------------------- the records
def research_files(root: Path) -> list[Path]:
    """Every ``research/**/*.yaml`` file, and every linked folder under research/ as itself: a link is
    never followed, and the reader refuses it with E114 (it is not skipped silently)."""
    import os

    base = root / FOLDER
    if base.is_symlink():
        return [base]
    out = []
    for folder, dirs, files in os.walk(base):
        here = Path(folder)
        out += [here / d for d in dirs if (here / d).is_symlink()]
        out += [here / f for f in files if f.endswith(".yaml")]
    return sorted(out)


def validate(data: Any, year: int, stem: str, people: list[Person], matters: set[str] | None
             ) -> tuple[list[Visit], list[Issue]]:
    """A parsed research file → its visits, or the issues (positions come later, only when needed)."""
    if data is None:
        return [], [("E110", (), {})]
    if not isinstance(data, dict):
        return [], [("E111", (), {"kind": t("kind.list") if isinstance(data, list) else t("kind.other")})]
    issues: list[Issue] = []
    for k in data:
        if k not in ("人员", "调研"):
            issues.append(("E201", (k,), {"key": k, "suggest": _suggest(str(k), ["人员", "调研"])}))
    pid = data.get("人员")
    if pid is None:
        issues.append(("E202", (), {"field": "人员"}))
    elif str(pid) not in {p.id for p in people}:
        issues.append(("E601", ("人员",), {"value": pid, "suggest": _suggest(str(pid), [p.id for p in people])
                                           or t("person_register")}))
    elif pid != stem:
        issues.append(("E602", ("人员",), {"value": pid, "name": f"{stem}.yaml"}))
    entries = data.get("调研") or []
    if not isinstance(entries, list):
        return [], [*issues, ("E210", ("调研",), {"field": "调研"})]
    issues.extend(scan_values({"调研": entries}, set()))
    visits: list[Visit] = []
    seen: dict[tuple[date, str], int] = {}
    for i, e in enumerate(entries):
        loc: tuple[Any, ...] = ("调研", i)
        if not isinstance(e, dict):
            issues.append(("E211", loc, {"field": f"调研第 {i + 1} 条"}))
            continue
        for k in e:
            if k not in KEYS:
                issues.append(("E201", (*loc, k), {"key": k, "suggest": _suggest(str(k), list(KEYS))}))
        missing = [k for k in REQUIRED if k not in e]
        issues.extend(("E202", loc, {"field": k}) for k in missing)
        day = iso_day(e.get("日期"))
        if "日期" in e and day is None:
            issues.append(("E203", (*loc, "日期"), {"field": "日期", "value": e.get("日期")}))
            continue
        for k in ("地点", "主题", "发现问题", "解决情况"):
            if k in e and (not isinstance(e[k], str) or not e[k].strip()):
                issues.append(("E209", (*loc, k), {"field": k}))
        linked = e.get("事项") or []
        if not isinstance(linked, list):
            issues.append(("E210", (*loc, "事项"), {"field": "事项"}))
            linked = []
        for j, mid in enumerate(linked):
            if matters is not None and str(mid) not in matters:
                issues.append(("E604", (*loc, "事项", j), {"value": mid}))
        if missing or not isinstance(day, date):
            continue
        if day.year != year:
            issues.append(("E603", (*loc, "日期"), {"value": day, "year": year, "actual": day.year}))
        key = (day, str(e["地点"]))
        if key in seen:
            issues.append(("E605", (*loc, "日期"), {"date": day, "place": e["地点"], "entry": seen[key] + 1}))
        seen.setdefault(key, i)
        visits.append(Visit(str(pid), day, str(e["地点"]), str(e["主题"]), str(e.get("发现问题", "")),
                            str(e.get("解决情况", "")), tuple(str(x) for x in linked)))
    return (visits, []) if not issues else ([], issues)


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.4)
    return t("did_you_mean", name=close[0]) if close else ""


def check_text(text: str, rel: str, people: list[Person], matters: set[str] | None
               ) -> tuple[list[Visit], list[Finding]]:
    """Validate research ``text`` as if it were ``rel`` (research/<year>/<person-id>.yaml)."""
    from .yamlio import fast_load

    parts = Path(rel).parts
    if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()) or len(parts[1]) != 4:
        return [], [make_finding(rel, 1, 1, "E606")]
    try:
        data = fast_load(text)
    except Exception:  # noqa: BLE001 - any parse failure goes to the positioned reader
        return [], unreadable(text, rel)
    visits, issues = validate(data, int(parts[1]), Path(rel).stem, people, matters)
    return (visits, []) if not issues else ([], locate(text, rel, issues))


@dataclass
class Loaded:
    visits: list[Visit]
    findings: list[Finding]
    files: int


def load_visits(ws: Workspace, people: list[Person], matters: set[str] | None = None) -> Loaded:
    """Every research record of the workspace, with the findings of the files that are not valid."""
    visits: list[Visit] = []
    findings: list[Finding] = []
    files = research_files(ws.root)
    for path in files:
        rel = ws.rel(path)
        text, problems = read_text(path, rel)
        if text is None:
            findings.extend(problems)
            continue
        found, problems = check_text(text, rel, people, matters)
        visits.extend(found)
        findings.extend(problems)
    visits.sort(key=lambda v: (v.day, v.person, v.place))
    return Loaded(visits, findings, len(files))


def new_file_text(person: Person, existing: str | None, visit: Visit) -> str:
    """The research file with ``visit`` appended (created with a header comment when new)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from .yamlio import dump, flow_map, flow_seq, positioned_load

    entry: dict[str, Any] = {"日期": visit.day.isoformat(), "地点": visit.place, "主题": visit.topic}
    if visit.found:
        entry["发现问题"] = visit.found
    if visit.result:
        entry["解决情况"] = visit.result
    if visit.matters:
        entry["事项"] = flow_seq(list(visit.matters))
    if existing is None:
        tree = CommentedMap({"人员": person.id, "调研": CommentedSeq()})
        header = f"# 一线调研记录:{person.name}({person.title}),{visit.day.year}年。由 yilan research add 追加,每行一次调研\n"
    else:
        tree = positioned_load(existing)
        header = ""
        if not isinstance(tree.get("调研"), list):
            tree["调研"] = CommentedSeq()
    tree["调研"].append(flow_map(entry))
    return header + dump(tree)


# --------------------------------------------------------------------------- quotas
@dataclass(frozen=True)
class Quota:
    person: Person
    per_week: int
    per_year: int
    visits: int
    days: int
    weeks_done: int  # weeks that ended by D and owed something
    weeks_below: int
    weeks_left: int  # weeks not yet ended that owe something (this week included)
    needed_per_week: float | None  # days per remaining week to reach the annual quota; None: no week left
    reachable: int  # days + the most still possible at the weekly maximum
    expected: float  # pro-rata days by D
    light: str  # red | yellow | green


def quota(person: Person, visits: list[Visit], rules: Rules, year: int, today: date,
          cal: WorkCalendar | None = None) -> Quota:
    """The quota arithmetic of one person in ``year`` at ``today`` (see the module docstring)."""
    per_week, per_year = rules.research_quotas[person.category]
    cal = cal or WorkCalendar(rules.holidays, rules.workdays)
    d = min(today, date(year, 12, 31))
    mine = [v for v in visits if v.person == person.id and v.day.year == year and v.day <= d]
    days = {v.day for v in mine}
    weeks_done = weeks_below = weeks_left = 0
    still = 0
    for w in cal.weeks(year):
        owed = min(per_week, w.working_days)
        if w.last <= d:
            if owed:
                weeks_done += 1
                weeks_below += sum(1 for x in days if w.first <= x <= w.last) < owed
        else:
            weeks_left += owed > 0
            still += min(rules.research_week_max, cal.working_days(max(w.first, d + timedelta(days=1)), w.last))
    short = max(per_year - len(days), 0)
    needed = math.ceil(short / weeks_left * 10) / 10 if weeks_left else (0.0 if not short else None)
    year_days = cal.working_days(date(year, 1, 1), date(year, 12, 31))
    elapsed = cal.working_days(date(year, 1, 1), d) if d.year == year else 0
    expected = per_year * elapsed / year_days if year_days else 0.0
    reachable = len(days) + still
    light = "red" if reachable < per_year else "yellow" if len(days) < expected else "green"
    return Quota(person, per_week, per_year, len(mine), len(days), weeks_done, weeks_below, weeks_left, needed,
                 reachable, round(expected, 1), light)


def quotas(people: list[Person], visits: list[Visit], rules: Rules, year: int, today: date) -> list[Quota]:
    """Everyone's quota (one calendar, each person's visits picked once)."""
    cal = WorkCalendar(rules.holidays, rules.workdays)
    by_person: dict[str, list[Visit]] = {}
    for v in visits:
        by_person.setdefault(v.person, []).append(v)
    return [quota(p, by_person.get(p.id, []), rules, year, today, cal) for p in people]


COUNTY_LEADERS = "县级领导"  # the 类别 whose names circulars sent to townships leave out (通报点名县级领导)
PRINCIPAL_TITLES = ("县委书记", "县长")  # 主要领导: their own report may name county-level leaders


def is_principal(people: list[Person], leader: str | None) -> bool:
    """Whether ``--leader`` is a 主要领导: a person in schemas/people.yaml whose 职务 is 县委书记 or 县长,
    named by that 职务 or by 姓名."""
    return leader is not None and any(p.title in PRINCIPAL_TITLES and leader in (p.title, p.name) for p in people)


def summary(ws: Workspace, year: int, today: date, leader: str | None = None) -> str:
    """The 一线调研 paragraph of a report's 总体情况 (empty when the workspace tracks nobody).

    Lagging people are named, except 县级领导 — counted only — unless rules.yaml 一线调研.通报点名县级领导 is 是
    or the report is a 主要领导's own (``leader``, see is_principal): a county circular goes to every township."""
    people = load_people(ws)
    if not people:
        return ""
    found = quotas(people, load_visits(ws, people).visits, ws.rules, year, today)
    parts = []
    for category, (per_week, per_year) in ws.rules.research_quotas.items():
        mine = [q for q in found if q.person.category == category]
        if not mine:
            continue
        days = sum(q.days for q in mine)
        parts.append(f"{category} {len(mine)} 人累计调研 {sum(q.visits for q in mine)} 次、{days} 天,"
                     f"人均 {days / len(mine):.1f} 天(每周 {per_week} 次、全年不少于 {per_year} 天)")
    text = f"一线调研:截至 {today.isoformat()}," + ";".join(parts) + "。"
    names = ws.rules.light_names
    named = ws.rules.research_name_leaders or is_principal(people, leader)
    for light, words in (("red", "全年定额已无法完成"), ("yellow", "落后于序时进度")):
        who = [q.person for q in found if q.light == light]
        if not who:
            continue
        shown = [p.name for p in who if named or p.category != COUNTY_LEADERS]
        hidden = len(who) - len(shown)
        head = f"{words}（{names.get(light, light)}）{len(who)}人"
        if not hidden:
            text += f"{head}：{'、'.join(shown)}。"
        elif shown:
            text += f"{head}：{'、'.join(shown)}，另有{COUNTY_LEADERS}{hidden}人。"
        else:
            text += f"{head}，均为{COUNTY_LEADERS}。"
    if not any(q.light in ("red", "yellow") for q in found):
        text += "均达到序时进度。"
    return text + _own_line(people, found, leader, names)


def _own_line(people: list[Person], found: list[Quota], leader: str | None, names: dict[str, str]) -> str:
    """A leader's own report adds that person's own figures (when ``leader`` names exactly one registered
    person): 其中赵某本人调研12次、12天，序时应达14.5天（黄灯）。"""
    if leader is None:
        return ""
    from .leaders import answers_to, key

    who = answers_to(people).get(key(leader), [])
    if len(who) != 1:
        return ""
    mine = next((q for q in found if q.person.id == who[0].id), None)
    if mine is None:
        return ""
    return (f"其中{mine.person.name}本人调研{mine.visits}次、{mine.days}天，序时应达{mine.expected:.1f}天"
            f"（{names.get(mine.light, mine.light)}）。")

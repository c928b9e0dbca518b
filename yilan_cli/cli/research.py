"""一线调研 commands: research add (one visit, one commit) and research status (the quotas)."""

from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from .common import STATE, FutureOpt, TodayOpt, choice, fact_day, handled, out, today_arg, workspace

research_app = typer.Typer(help="一线调研:记录领导干部下基层调研,按定额(每周次数、全年天数)亮灯。",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(research_app, name="research")
    research_app.command("add", help="记录一次一线调研(追加到 research/<年份>/<人员编号>.yaml 并提交)。")(add)
    research_app.command("status", help="调研定额完成情况:次数、天数、未达标周数、每周还需天数、红黄绿灯。")(status)


def _person(ws: Any, people: list[Any], text: str) -> Any:
    from ..research import PEOPLE, find_person

    person = find_person(people, text.strip())
    if person is None:
        known = "、".join(f"{p.id} {p.name}" for p in people[:8]) or f"({PEOPLE.as_posix()} 中没有登记人员)"
        raise UsageError(f"没有这个人员:{text}", f"--person 写人员编号或姓名,已登记的有:{known}", code="E601")
    return person


@handled
def add(
    person: Annotated[str, typer.Option("--person", help="人员编号或姓名(schemas/people.yaml)")],
    day: Annotated[str, typer.Option("--date", help="调研日期,如 2022-03-02、3月2日")],
    place: Annotated[str, typer.Option("--place", help="调研地点,如 兴隆镇东升村")],
    topic: Annotated[str, typer.Option("--topic", help="调研主题")],
    found: Annotated[Optional[str], typer.Option("--found", help="发现的问题")] = None,
    result: Annotated[Optional[str], typer.Option("--result", help="解决情况")] = None,
    matters: Annotated[Optional[list[str]], typer.Option("--matter", help="关联的事项编号,可多次")] = None,
    future: FutureOpt = False,
) -> None:
    from ..research import FOLDER, Visit, check_text, load_people, new_file_text
    from ..store import load_ledgers
    from ..txn import Transaction
    from .write import WriteRefused

    ws = workspace()
    people = load_people(ws)
    who = _person(ws, people, person)
    d = fact_day(day, "调研日期", future)
    from ..lookup import normalise_id

    linked = tuple(dict.fromkeys(normalise_id(ws, m) for m in matters or []))  # ZB-3 → ZB-003
    visit = Visit(who.id, d, place.strip(), topic.strip(), (found or "").strip(), (result or "").strip(), linked)
    rel = f"{FOLDER}/{d.year}/{who.id}.yaml"
    with Transaction(ws.root, commit=not STATE.no_commit, author=STATE.author) as tx:
        known = {r.id for r in load_ledgers(ws).records}
        tx.refuse_dirty([rel])
        existing = tx.read(rel)
        if existing is not None:
            _, problems = check_text(existing, rel, people, None)
            if problems:
                raise WriteRefused(problems, f"{rel} 有错误,先改正再追加(可运行 yilan check)")
        text = new_file_text(who, existing, visit)
        _, problems = check_text(text, rel, people, known)
        if problems:
            raise WriteRefused(problems, "这条调研记录不合格,未写入")
        tx.write(rel, text)
        subject = f"一线调研 {who.name} {d.isoformat()} {visit.place}:{visit.topic}"
        tx.commit(subject, "research", list(linked))
    out(subject)


@handled
def status(
    year: Annotated[Optional[int], typer.Option("--year", help="年度,默认评估日期所在年")] = None,
    today: TodayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    category: Annotated[Optional[str], typer.Option("--category", help="只看某一类别,如 县级领导")] = None,
) -> None:
    from ..render import envelope
    from ..research import load_people, load_visits, quotas

    fmt = choice(fmt, ("table", "json"))
    d = today_arg(today)
    y = year or d.year
    ws = workspace()
    everyone = load_people(ws)
    people = [p for p in everyone if category is None or p.category == category]
    loaded = load_visits(ws, everyone)
    if loaded.findings:
        f = loaded.findings[0]
        typer.echo(f"{len({x.file for x in loaded.findings})} 个调研记录文件有错误,未计入;先运行 yilan check:"
                   f"{f.place}: [{f.code}] {f.message}", err=True)
    found = quotas(people, loaded.visits, ws.rules, y, d)
    if fmt == "json":
        out(envelope(d, year=y, people=[{
            "id": q.person.id, "name": q.person.name, "title": q.person.title, "category": q.person.category,
            "unit": q.person.unit, "per_week": q.per_week, "per_year": q.per_year, "visits": q.visits, "days": q.days,
            "weeks_done": q.weeks_done, "weeks_below": q.weeks_below, "weeks_left": q.weeks_left,
            "needed_per_week": q.needed_per_week, "expected_days": q.expected, "reachable_days": q.reachable,
            "light": q.light} for q in found]))
        return
    if not found:
        out("schemas/people.yaml 中没有登记人员(或没有该类别的人员)")
        return
    from ..render import research_table

    research_table(found, ws.rules, y, d)

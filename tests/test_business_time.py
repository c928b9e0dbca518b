"""Business time throughout (issue 18, docs/time.md): a matter seen at a date D shows only what was true at D.

The property: for a random workspace (1–4 valid matters in one or two ledgers, with entries, indicator
observations, milestones, extensions, closings and sign-offs; supervision documents in reports/issued.yaml;
一线调研 visits) and a random D, appending any fact dated after D — an entry (with 指标, a transition: close,
stage-close, suspend, reopen, sign-off with its 销号 record), a milestone's 完成日期, an extension applied later,
the approval of a pending extension, a matter assigned later, a reply to a document, a document issued later,
a visit — leaves every output at D byte-identical: status (json, table, csv), check, show (text and json) of
each matter, the circular of a period containing D (md, docx) and of the month ended by D, rank, notice,
escalate, accountability, the assessment workbook, export (json, csv, xlsx) and the fill-in form of the month
ended by D, research status, and every page of the site. Two designed differences are cut out before comparing:
the matter page's sentence "此后另有 N 条进展记录" counts the entries dated after D (its N is checked on its own),
and `check` counts the files it validated (a visit by someone new adds a file). The site's manifest
(.yilan-site.json: hashes of its pages and of what they were made from) is left out: the pages are compared.

Plain folders, no git: every command here reads the work tree only. Examples: YILAN_BUSINESS_TIME_EXAMPLES
(default 25, under a minute on one CPU).
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import make_workspace, write_matter

LEDGERS = (("xian", "XW"), ("zhuanban", "ZB"))
UNITS = ("县住建局", "县发改局", "依兰镇", "江湾镇")  # both 赛马 groups
PEOPLE = ("xwsj", "ylz-sj")  # schemas/people.yaml
INDICATORS = ("改造管网", "新增岗位")
YEAR_START = date(2022, 1, 1)
FAR = date(2023, 12, 31)  # after every generated fact
LATER_PAGE = re.compile(r'<p class="later">以上为截至 [0-9-]+ 的进展;此后另有 ([0-9]+) 条进展记录,本页不列出。</p>')


def day(n: int) -> date:
    return YEAR_START + timedelta(days=n)


# --------------------------------------------------------------------------- the world
@dataclass
class World:
    today: date  # D
    matters: dict[str, tuple[str, dict[str, Any]]]  # 编号 → (ledger key, the file's fields)
    register: list[dict[str, Any]] = field(default_factory=list)  # reports/issued.yaml
    visits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # person id → 调研 entries
    later_entries: dict[str, int] = field(default_factory=dict)  # 编号 → entries appended after D
    applied: list[str] = field(default_factory=list)  # the mutations, in words (shown when the property fails)


FINISH = ("阶段性办结", "已办结")


def settle(m: dict[str, Any]) -> None:
    """The top-level 状态, 办结日期 (and nothing else) as the entries make them (checks E308–E310)."""
    state, finished = None, None
    for u in m.get("进展", []):
        if "状态" in u:
            state = u["状态"]
            if state in FINISH:
                finished = u["日期"]
    m["状态"] = state or ("推进中" if m.get("进展") else "未启动")
    if m["状态"] in (*FINISH, "已销号"):
        m["办结日期"] = finished
    else:
        m.pop("办结日期", None)
    order = ["编号", "事项", "牵头单位", "交办日期", "完成时限", "报告周期", "状态", "办结日期", "量化指标", "节点", "延期",
             "销号", "进展"]
    for k in order:  # one key order, whatever was set last
        if k in m:
            m[k] = m.pop(k)


def transitions(m: dict[str, Any]) -> list[str | None]:
    """The 状态 an entry appended now may carry (None: no transition). 已销号 needs a closed matter not signed off yet."""
    out: list[str | None] = [None, "推进中", "阶段性办结", "已办结", "中止"]
    if m["状态"] == "已办结" and "销号" not in m:
        out += ["已销号"] * 3  # closed matters are mostly signed off in the end
    return out


def entry(draw: Any, when: date, m: dict[str, Any], state: str | None, n: int) -> dict[str, Any]:
    u: dict[str, Any] = {"日期": when}
    progress = 100 if state == "已办结" else draw(st.none() | st.integers(0, 100))
    if progress is not None:
        u["进度"] = progress
    names = [i["名称"] for i in m.get("量化指标", [])]
    observed = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    if observed:
        u["指标"] = {name: draw(st.integers(0, 2000)) for name in observed}
    if state is not None:
        u["状态"] = state
    u["情况"] = f"第{n}次报告"
    if draw(st.booleans()):
        u["报送日期"] = when + timedelta(days=draw(st.integers(0, 8)))
    return u


def add_entry(draw: Any, m: dict[str, Any], when: date, state: str | None) -> None:
    entries = m.setdefault("进展", [])
    entries.append(entry(draw, when, m, state, len(entries) + 1))
    if state == "已销号":
        m["销号"] = {"日期": when, "审核人": "县委督查室", "批准人": "常务副县长", "佐证材料": ["验收报告"]}
    settle(m)


@st.composite
def matters(draw: Any, mid: str, after: date | None = None) -> dict[str, Any]:
    """A valid matter (assigned after ``after`` when given), its entries made as the write commands make them."""
    assigned = day(draw(st.integers(0, 240))) if after is None else after + timedelta(days=draw(st.integers(1, 60)))
    m: dict[str, Any] = {"编号": mid, "事项": f"事项{mid}", "牵头单位": draw(st.sampled_from(UNITS)), "交办日期": assigned}
    ongoing = draw(st.integers(0, 6)) == 0
    m["完成时限"] = "长期" if ongoing else assigned + timedelta(days=draw(st.integers(10, 300)))
    cycle = draw(st.sampled_from([None, None, "月", "季", "半年", "年"]))
    if cycle:
        m["报告周期"] = cycle
    names = draw(st.lists(st.sampled_from(INDICATORS), unique=True, max_size=2))
    if names:
        m["量化指标"] = [{"名称": n, "单位": "个", "目标": draw(st.integers(1, 1500))} for n in names]
    milestones = []
    for i in range(draw(st.integers(0, 2))):
        ms: dict[str, Any] = {"名称": f"节点{i + 1}", "时限": assigned + timedelta(days=draw(st.integers(0, 200)))}
        if draw(st.booleans()):
            ms["完成日期"] = assigned + timedelta(days=draw(st.integers(0, 300)))
        milestones.append(ms)
    if milestones:
        m["节点"] = milestones
    base = assigned if ongoing else m["完成时限"]
    extensions = []
    for _ in range(draw(st.integers(0, 2))):
        applied = assigned + timedelta(days=draw(st.integers(0, 250)))
        ext: dict[str, Any] = {"申请日期": applied, "新时限": base + timedelta(days=draw(st.integers(1, 200))),
                               "理由": "工期延误"}
        if draw(st.booleans()):
            ext["批准人"] = "常务副县长"
            ext["批准日期"] = applied + timedelta(days=draw(st.integers(0, 30)))
        extensions.append(ext)
    if extensions:
        m["延期"] = extensions
    settle(m)
    when = assigned
    for _ in range(draw(st.integers(0, 5))):
        when += timedelta(days=draw(st.integers(0, 90)))
        add_entry(draw, m, when, draw(st.sampled_from(transitions(m))))
    return m


@st.composite
def worlds(draw: Any) -> World:
    ledgers = draw(st.lists(st.sampled_from(LEDGERS), min_size=1, max_size=2, unique=True))
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for n in range(draw(st.integers(1, 4))):
        key, prefix = ledgers[n % len(ledgers)]
        mid = f"{prefix}-{n + 1:03d}"
        found[mid] = (key, draw(matters(mid)))
    today = day(draw(st.integers(0, 364)))
    w = World(today, found)
    ids = sorted(found)
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["督办通知单", "督办通知单", "提示单", "督办单"]))
        # mostly issued shortly before D (the ladder then has something to do at D), some at any time
        issued = draw(st.sampled_from([today, today - timedelta(days=draw(st.integers(1, 60))), day(draw(st.integers(0, 364)))]))
        doc: dict[str, Any] = {"编号": f"督〔2022〕{i + 1}号", "种类": kind, "单位": draw(st.sampled_from(UNITS)),
                               "印发日期": issued, "回复期限": issued + timedelta(days=draw(st.integers(0, 15))),
                               "事项": draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)), "源提交": "0" * 40}
        if draw(st.booleans()):
            doc["回复日期"] = issued + timedelta(days=draw(st.integers(0, 30)))
            doc["回复内容"] = "已制定整改方案"
        w.register.append(doc)
    for person in draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=2)):
        days = sorted(draw(st.lists(st.integers(0, 364), min_size=1, max_size=4, unique=True)))
        w.visits[person] = [{"日期": day(n), "地点": f"地点{n}", "主题": "项目调研",
                             **({"事项": [draw(st.sampled_from(ids))]} if draw(st.booleans()) else {})} for n in days]
    return w


def later_facts(draw: Any, w: World) -> None:
    """Append one fact dated after D (each keeps every file valid), recorded in ``w.applied``."""
    d = w.today
    later = lambda top=60: d + timedelta(days=draw(st.integers(1, top)))  # noqa: E731
    choices: list[tuple[str, str]] = []
    for mid, (_, m) in w.matters.items():
        choices += [("entry", mid)] * 3  # the commonest later fact
        if any("完成日期" not in ms for ms in m.get("节点", [])):
            choices.append(("milestone", mid))
        choices.append(("extension", mid))
        if any("批准日期" not in e for e in m.get("延期", [])):
            choices.append(("approve", mid))
    choices += [("document", ""), ("circular", ""), ("matter", "")]
    if any("回复日期" not in doc for doc in w.register):
        choices.append(("reply", ""))
    if later(1).year == d.year:
        choices.append(("visit", ""))
    kind, mid = draw(st.sampled_from(choices))
    m = w.matters[mid][1] if mid else {}
    if kind == "entry":
        last = max([u["日期"] for u in m.get("进展", [])], default=d)
        when = max(last, d + timedelta(days=1), m["交办日期"]) + timedelta(days=draw(st.integers(0, 40)))
        state = draw(st.sampled_from(transitions(m)))
        add_entry(draw, m, when, state)
        w.later_entries[mid] = w.later_entries.get(mid, 0) + 1
        w.applied.append(f"{mid} 进展 {when} {state or ''}")
    elif kind == "milestone":
        ms = draw(st.sampled_from([x for x in m["节点"] if "完成日期" not in x]))
        ms["完成日期"] = later()
        w.applied.append(f"{mid} 节点 {ms['名称']} 完成 {ms['完成日期']}")
    elif kind == "extension":
        applied = later()
        base = m["完成时限"] if isinstance(m["完成时限"], date) else m["交办日期"]
        ext: dict[str, Any] = {"申请日期": applied, "新时限": max(base, applied) + timedelta(days=draw(st.integers(1, 120))),
                               "理由": "资金未到位"}
        if draw(st.booleans()):
            ext["批准人"] = "常务副县长"
            ext["批准日期"] = applied + timedelta(days=draw(st.integers(0, 20)))
        m.setdefault("延期", []).append(ext)
        settle(m)
        w.applied.append(f"{mid} 延期 申请 {applied} 批准 {ext.get('批准日期')}")
    elif kind == "approve":
        ext = draw(st.sampled_from([e for e in m["延期"] if "批准日期" not in e]))
        ext["批准人"] = "常务副县长"
        ext["批准日期"] = max(ext["申请日期"], d) + timedelta(days=draw(st.integers(1, 30)))
        w.applied.append(f"{mid} 延期 {ext['申请日期']} 批准 {ext['批准日期']}")
    elif kind == "reply":
        doc = draw(st.sampled_from([x for x in w.register if "回复日期" not in x]))
        doc["回复日期"] = max(doc["印发日期"], d) + timedelta(days=draw(st.integers(1, 30)))
        doc["回复内容"] = "已整改到位"
        w.applied.append(f"{doc['编号']} 回复 {doc['回复日期']}")
    elif kind == "document":
        issued = later()
        kind_name = draw(st.sampled_from(["督办通知单", "提示单", "督办单", "通报批评", "问责移交"]))
        doc = {"编号": f"督〔2022〕{len(w.register) + 1}号", "种类": kind_name, "单位": draw(st.sampled_from(UNITS)),
               "印发日期": issued, "回复期限": issued + timedelta(days=5),
               "事项": draw(st.lists(st.sampled_from(sorted(w.matters)), min_size=1, unique=True)), "源提交": "1" * 40}
        w.register.append(doc)
        w.applied.append(f"{doc['编号']} {kind_name} 印发 {issued}")
    elif kind == "circular":
        issued = later()
        w.register.append({"编号": f"依督通〔2022〕{len(w.register) + 1}号", "种类": "季度通报", "期间": "2022Q2",
                           "标题": "关于2022年第二季度重点工作督办落实情况的季度通报", "评估日": date(2022, 6, 30),
                           "印发日期": issued, "源提交": "2" * 40})
        w.applied.append(f"季度通报 印发 {issued}")
    elif kind == "matter":
        key, prefix = draw(st.sampled_from(LEDGERS))
        mid = f"{prefix}-{len(w.matters) + 1:03d}"
        w.matters[mid] = (key, draw(matters(mid, after=d)))
        w.applied.append(f"{mid} 交办 {w.matters[mid][1]['交办日期']}")
    else:
        when = later()
        person = draw(st.sampled_from(PEOPLE))
        w.visits.setdefault(person, []).append({"日期": when, "地点": f"后来的地点{when}", "主题": "回访"})
        w.applied.append(f"{person} 调研 {when}")


# --------------------------------------------------------------------------- files and commands
def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)


def write_world(root: Path, w: World) -> None:
    shutil.rmtree(root / "ledgers", ignore_errors=True)
    (root / "ledgers").mkdir()
    for mid, (key, m) in w.matters.items():
        write_matter(root, key, mid, dump(m))
    if w.register:
        (root / "reports").mkdir(exist_ok=True)
        (root / "reports" / "issued.yaml").write_text(dump(w.register), encoding="utf-8")
    for person, visits in w.visits.items():
        folder = root / "research" / str(w.today.year)
        folder.mkdir(parents=True, exist_ok=True)
        mine = [v for v in visits if v["日期"].year == w.today.year]
        (folder / f"{person}.yaml").write_text(dump({"人员": person, "调研": mine}), encoding="utf-8")


def invoke(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


def ran(root: Path, *args: str) -> tuple[int, str, str]:
    r = invoke(root, *args)
    assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.exception, r.output)
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.output)
    return r.exit_code, r.stdout, r.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def workbook(data: bytes) -> dict[str, Any]:
    """A workbook as what a reader sees (every sheet's cells, fills, merges, state) and its parts byte for byte —
    all but docProps/core.xml, where openpyxl writes the time of saving."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    seen: dict[str, Any] = {}
    for sheet in wb.worksheets:
        seen[sheet.title] = ([[(c.value, c.fill.fgColor.rgb) for c in row] for row in sheet.iter_rows()],
                             sorted(str(r) for r in sheet.merged_cells.ranges), sheet.sheet_state)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
    return {"cells": seen, "parts": parts}


def checked(result: tuple[int, str, str]) -> tuple[int, Any, str]:
    """`check` at D without its count of files: that counts the files validated — the workspace, not the world at
    D (a visit after D by someone not visited before adds research/<年份>/<id>.yaml); its findings are compared."""
    code, stdout, stderr = result
    return code, {k: v for k, v in json.loads(stdout).items() if k != "files"}, stderr


def period_containing(d: date, kind: str) -> str:
    return {"month": f"{d.year}-{d.month:02d}", "quarter": f"{d.year}Q{(d.month - 1) // 3 + 1}",
            "half": f"{d.year}H{1 if d.month <= 6 else 2}", "year": str(d.year)}[kind]


def month_ended_by(d: date) -> str:
    """The last month whose last day is on or before ``d`` (the fill-in form is evaluated at its month's end)."""
    nxt = d + timedelta(days=1)
    end = d if nxt.month != d.month else d.replace(day=1) - timedelta(days=1)
    return f"{end.year}-{end.month:02d}"


HEAVY = ("export xlsx", "assessment", "fill", "report docx")  # the slow ones: one of them per example


def outputs(root: Path, w: World, kind: str, unit: str, heavy: str, shown: list[str]) -> dict[str, Any]:
    """Every output at D = ``w.today``: name → what the user gets (exit code, stdout, stderr, files written);
    ``show`` of each matter in ``shown``."""
    d = w.today.isoformat()
    out = root.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    period = period_containing(w.today, kind)
    seen: dict[str, Any] = {
        "status json": ran(root, "status", "--all", "--format", "json", "--today", d),
        "status table": ran(root, "status", "--all", "--today", d),
        "status csv": ran(root, "status", "--all", "--format", "csv", "--today", d),
        "check": checked(ran(root, "check", "--format", "json", "--today", d, "--fail-on", "yellow")),
        "report md": ran(root, "report", period, "--today", d),
        "report ended": ran(root, "report", month_ended_by(w.today)),  # evaluated at its last day ≤ D
        "rank md": ran(root, "rank", period, "--format", "md", "--today", d),
        "rank json": ran(root, "rank", period, "--format", "json", "--today", d),
        "notice": ran(root, "notice", "--today", d, "-o", str(out / "notice")),
        "escalate": ran(root, "escalate", "--today", d),
        "accountability": ran(root, "accountability", period, "--today", d),
        "export json": ran(root, "export", "--format", "json", "--today", d),
        "export csv": ran(root, "export", "--format", "csv", "--today", d),
        "research": ran(root, "research", "status", "--format", "json", "--today", d),
        "site": ran(root, "site", "-o", str(out / "site"), "--today", d),
    }
    if heavy == "export xlsx":
        seen[heavy] = ran(root, "export", "-o", str(out / "台账.xlsx"), "--today", d)
    elif heavy == "assessment":
        seen[heavy] = ran(root, "export", "--assessment", str(w.today.year), "--today", d, "-o", str(out / "考核.xlsx"))
    elif heavy == "fill":
        seen[heavy] = ran(root, "export", "--fill", "--unit", unit, "--period", month_ended_by(w.today),
                          "-o", str(out / "填报表.xlsx"))
    else:
        seen[heavy] = ran(root, "report", period, "--today", d, "--format", "docx", "-o", str(out / "通报.docx"))
    for mid in shown:
        seen[f"show {mid}"] = ran(root, "show", mid, "--today", d)
        seen[f"show {mid} json"] = ran(root, "show", mid, "--today", d, "--format", "json")
    for name, data in files(out).items():
        if name == "site/.yilan-site.json":
            continue  # the site's manifest: hashes of its pages (compared themselves) and of the files they came from
        if name.endswith(".xlsx"):
            seen[name] = workbook(data)
        elif name.endswith(".html"):
            seen[name] = data.decode("utf-8")
        else:
            seen[name] = data
    return seen


def difference(a: Any, b: Any) -> str:
    """The first lines that differ, to read in a failure."""
    import difflib

    def lines(x: Any) -> list[str]:
        if isinstance(x, bytes):
            x = x.decode("utf-8", "replace")
        return (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False, indent=1, default=repr)).splitlines()

    return "\n".join(list(difflib.unified_diff(lines(a), lines(b), "before", "after", n=1, lineterm=""))[:30])


def later_counts(seen: dict[str, Any]) -> dict[str, int]:
    """Cut the designed difference out of the matter pages (in place); 编号 → the N of "此后另有 N 条进展记录"."""
    counts = {}
    for name in list(seen):
        if name.startswith("site/matter/"):
            found = LATER_PAGE.findall(seen[name])
            assert len(found) <= 1, name
            counts[name[len("site/matter/"):-len(".html")]] = int(found[0]) if found else 0
            seen[name] = LATER_PAGE.sub("", seen[name])
    return counts


def valid(root: Path, w: World) -> None:
    """Every file of the world passes `yilan check` (otherwise commands would skip it and the property says nothing)."""
    _, stdout, _ = ran(root, "check", "--format", "json", "--today", w.today.isoformat())
    report = json.loads(stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert not errors, (errors, w.applied)
    assert report["files"] == len(w.matters) + len(w.visits)


@settings(max_examples=int(os.environ.get("YILAN_BUSINESS_TIME_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(["month", "quarter", "half", "year"]), unit=st.sampled_from(UNITS),
       heavy=st.sampled_from(HEAVY))
def test_a_fact_dated_after_d_changes_nothing_at_d(data: st.DataObject, kind: str, unit: str, heavy: str) -> None:
    w = data.draw(worlds(), label="world")
    with tempfile.TemporaryDirectory(prefix="yilan-asof-") as tmp:
        root = make_workspace(Path(tmp) / "ws")
        write_world(root, w)
        valid(root, w)
        before = outputs(root, w, kind, unit, heavy, sorted(w.matters))
        far_before = {mid: ran(root, "show", mid, "--today", FAR.isoformat(), "--format", "json") for mid in w.matters}
        after_world = copy.deepcopy(w)
        for _ in range(data.draw(st.integers(1, 3), label="how many later facts")):
            later_facts(data.draw, after_world)
        write_world(root, after_world)
        valid(root, after_world)
        after = outputs(root, after_world, kind, unit, heavy, sorted(w.matters))
        for mid in w.matters:  # not vacuous: a matter given a later fact shows it later
            if after_world.matters[mid] != w.matters[mid]:
                far = ran(root, "show", mid, "--today", FAR.isoformat(), "--format", "json")
                assert far != far_before[mid], (mid, after_world.applied)
        counts_before, counts_after = later_counts(before), later_counts(after)
        assert before.keys() == after.keys(), after_world.applied
        for name in before:
            assert before[name] == after[name], (name, after_world.applied, difference(before[name], after[name]))
        for mid, n in counts_after.items():  # the one designed difference: how many entries are dated after D
            assert n == counts_before[mid] + after_world.later_entries.get(mid, 0), (mid, after_world.applied)


# --------------------------------------------------------------------------- known cases, exact values
def run(root: Path, *args: str) -> Any:
    r = invoke(root, *args)
    assert r.exit_code in (0, 1), (args, r.output)
    return r


def exported(root: Path, today: str, *args: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``export`` at ``today``: each matter's JSON document and CSV row by 编号."""
    docs = {x["matter"]["id"]: x for x in json.loads(run(root, "export", *args, "--format", "json", "--today", today)
                                                    .stdout)["matters"]}
    import csv

    rows = {x["编号"]: x for x in csv.DictReader(io.StringIO(run(root, "export", *args, "--format", "csv", "--today",
                                                                 today).stdout.lstrip("\ufeff")))}
    return docs, rows


def test_a_milestone_met_after_d_was_still_missed_at_d(demo_workspace: Path) -> None:
    """XW-002 (the demo's heating network): 完成招标 due 05-31; recorded as met on 07-20, it was still missed at 06-30."""
    path = demo_workspace / "ledgers/xian/XW-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{名称: 完成招标, 时限: 2022-05-31}",
                                                             "{名称: 完成招标, 时限: 2022-05-31, 完成日期: 2022-07-20}"),
                    encoding="utf-8")
    at = json.loads(run(demo_workspace, "show", "XW-002", "--today", "2022-06-30", "--format", "json").stdout)
    assert (at["light"], at["progress"], at["expected_progress"]) == ("yellow", 50, 54.9)
    assert at["matter"]["milestones"] == [{"name": "完成招标", "deadline": "2022-05-31"},
                                          {"name": "开工建设", "deadline": "2022-07-15"}]
    text = run(demo_workspace, "show", "XW-002", "--today", "2022-06-30").stdout
    assert "完成招标 时限 2022-05-31 未完成" in text and "节点“完成招标”逾期未完成" in text
    status = json.loads(run(demo_workspace, "status", "xian", "--format", "json", "--today", "2022-06-30").stdout)
    assert next(m for m in status["matters"] if m["id"] == "XW-002")["light"] == "yellow"
    later = json.loads(run(demo_workspace, "show", "XW-002", "--today", "2022-07-31", "--format", "json").stdout)
    assert later["matter"]["milestones"][0]["done_on"] == "2022-07-20"
    assert "完成招标 时限 2022-05-31 2022-07-20 完成" in run(demo_workspace, "show", "XW-002", "--today", "2022-07-31").stdout


def test_export_at_d_is_the_matter_at_d(demo_workspace: Path) -> None:
    """ZB-003 at 2022-06-30: 推进中 at 70% (the 06-30 entry, reported 07-04), no extension yet (applied 08-20), not
    closed (11-02), the milestone not met, the year-end figures (old-format 完成, counting from 11-02) not known."""
    docs, rows = exported(demo_workspace, "2022-06-30", "zhuanban")
    m = docs["ZB-003"]["matter"]
    assert m["state"] == "推进中" and "closed_on" not in m and m["extensions"] == [] and "signoff" not in m
    assert [u["date"] for u in m["updates"]][-1] == "2022-06-30" and len(m["updates"]) == 6
    assert m["milestones"] == [{"name": "正式投产", "deadline": "2022-08-31"}]
    assert [i.get("done") for i in m["indicators"]] == [None, None]
    assert docs["ZB-003"]["status"]["progress"] == 70 and docs["ZB-003"]["status"]["deadline"] == "2022-08-31"
    row = rows["ZB-003"]
    assert (row["状态"], row["进度"], row["进展日期"], row["进展情况"], row["办结日期"], row["延期至"]) == (
        "推进中", "70", "2022-06-30", "已完成项目建设内容的70%", "", "")
    docs, rows = exported(demo_workspace, "2022-12-31", "zhuanban")
    m = docs["ZB-003"]["matter"]
    assert (m["state"], m["closed_on"], m["extensions"][0]["approved_on"]) == ("已办结", "2022-11-02", "2022-08-25")
    assert [i["done"] for i in m["indicators"]] == [4000, 1000]
    assert (rows["ZB-003"]["状态"], rows["ZB-003"]["延期至"], rows["ZB-003"]["延期批准日期"]) == ("已办结", "2022-10-31",
                                                                                           "2022-08-25")


def test_an_extension_approved_after_d_is_pending_at_d(tmp_workspace: Path) -> None:
    """Applied 06-20, approved 07-05: at 07-01 the deadline is still 06-30 (overdue, red) and the extension 待批准."""
    write_matter(tmp_workspace, "xian", "XW-001", "编号: XW-001\n事项: 道路改造\n牵头单位: 县住建局\n交办日期: 2022-01-01\n"
                 "完成时限: 2022-06-30\n状态: 推进中\n延期:\n  - {申请日期: 2022-06-20, 新时限: 2022-09-30, 理由: 雨季,"
                 " 批准人: 常务副县长, 批准日期: 2022-07-05}\n进展:\n  - {日期: 2022-06-10, 进度: 90}\n")
    at = json.loads(run(tmp_workspace, "show", "XW-001", "--today", "2022-07-01", "--format", "json").stdout)
    assert (at["deadline"], at["overdue_days"], at["light"]) == ("2022-06-30", 1, "red")
    assert at["matter"]["extensions"] == [{"applied_on": "2022-06-20", "new_deadline": "2022-09-30", "reason": "雨季"}]
    assert "2022-06-20 申请延至 2022-09-30(雨季;待批准)" in run(tmp_workspace, "show", "XW-001", "--today", "2022-07-01").stdout
    docs, rows = exported(tmp_workspace, "2022-07-01")
    assert docs["XW-001"]["matter"]["extensions"] == at["matter"]["extensions"]
    assert (rows["XW-001"]["延期至"], rows["XW-001"]["延期批准人"], rows["XW-001"]["延期批准日期"]) == ("2022-09-30", "", "")
    assert json.loads(run(tmp_workspace, "show", "XW-001", "--today", "2022-07-05", "--format", "json").stdout)[
        "deadline"] == "2022-09-30"


def test_a_signoff_after_d_is_not_shown_at_d(tmp_workspace: Path) -> None:
    """Closed 06-20, signed off 08-01: at 07-01 the matter is 已办结 with no 销号 record, in export as in show."""
    write_matter(tmp_workspace, "xian", "XW-001", "编号: XW-001\n事项: 道路改造\n牵头单位: 县住建局\n交办日期: 2022-01-01\n"
                 "完成时限: 2022-06-30\n状态: 已销号\n办结日期: 2022-06-20\n销号: {日期: 2022-08-01, 审核人: 县委督查室,"
                 " 批准人: 常务副县长}\n进展:\n  - {日期: 2022-06-20, 进度: 100, 状态: 已办结}\n"
                 "  - {日期: 2022-08-01, 状态: 已销号}\n")
    docs, rows = exported(tmp_workspace, "2022-07-01")
    m = docs["XW-001"]["matter"]
    assert (m["state"], m["closed_on"], "signoff" in m, docs["XW-001"]["status"]["status"]) == (
        "已办结", "2022-06-20", False, "closed")
    assert (rows["XW-001"]["状态"], rows["XW-001"]["销号日期"], rows["XW-001"]["审核人"]) == ("已办结", "", "")
    docs, rows = exported(tmp_workspace, "2022-08-01")
    assert (docs["XW-001"]["matter"]["state"], rows["XW-001"]["销号日期"]) == ("已销号", "2022-08-01")


def test_replies_and_documents_after_d_are_not_known_at_d(tmp_workspace: Path) -> None:
    """依督办〔2022〕1号 was due 06-25 and answered (late) on 07-08; 依督提〔2022〕1号 followed on 07-09, due 07-14."""
    write_matter(tmp_workspace, "xian", "XW-001", "编号: XW-001\n事项: 道路改造\n牵头单位: 县住建局\n交办日期: 2022-01-01\n"
                 "完成时限: 2022-12-31\n状态: 推进中\n进展:\n  - {日期: 2022-06-10, 进度: 50}\n")
    (tmp_workspace / "reports").mkdir()
    (tmp_workspace / "reports/issued.yaml").write_text(
        "- {编号: 依督办〔2022〕1号, 种类: 督办通知单, 单位: 县住建局, 印发日期: 2022-06-20, 回复期限: 2022-06-25,"
        " 事项: [XW-001], 回复日期: 2022-07-08, 回复内容: 已整改, 源提交: " + "0" * 40 + "}\n"
        "- {编号: 依督提〔2022〕1号, 种类: 提示单, 单位: 县住建局, 印发日期: 2022-07-09, 回复期限: 2022-07-14,"
        " 事项: [XW-001], 源提交: " + "0" * 40 + "}\n", encoding="utf-8")

    def escalate(today: str) -> str:
        return run(tmp_workspace, "escalate", "--today", today).stdout

    # at 06-30 the reply of 07-08 is not known: the ladder calls for the 提示单 (the one issued on 07-09)
    assert escalate("2022-06-30").splitlines()[1] == "蓝色提示单 → 县住建局:XW-001 道路改造(依督办〔2022〕1号 逾期未回复)"
    assert "没有需要升级的督办事项" in escalate("2022-07-10")  # answered; the 提示单 is not due before 07-14
    assert escalate("2022-07-20").splitlines()[1] == "橙色督办单 → 县住建局:XW-001 道路改造(依督提〔2022〕1号 逾期未回复)"
    acc = run(tmp_workspace, "accountability", "2022Q3", "--today", "2022-06-30").stdout
    assert "督办事项共0项" in acc and "督提" not in acc
    acc = run(tmp_workspace, "accountability", "2022Q3", "--today", "2022-07-20").stdout
    assert "督办事项共1项" in acc and "2份督办文书逾期未回复" in acc
    assert "| 依督办〔2022〕1号 | 督办通知单 | 2022年6月20日 | 2022年6月25日 | 2022年7月8日逾期回复：已整改 |" in acc

"""一线调研: the work calendar, the quota arithmetic worked by hand, and the research commands.

The calendar is the shipped rules.yaml's 2022 (法定节假日 and 调休上班 as the State Council announced them).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.periods import WorkCalendar
from yilan_cli.research import Person, Visit, quota
from yilan_cli.workspace import load_rules

from .conftest import REPO, git

RULES = load_rules(REPO / "schemas" / "rules.yaml")
CAL = WorkCalendar(RULES.holidays, RULES.workdays)
LEADER = Person("zhao", "赵某", "副县长", "县级领导", "县政府")
HEAD = Person("zhou", "周某", "镇党委书记", "乡镇部门主要负责人", "依兰镇")


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


# --------------------------------------------------------------------------- the calendar
def test_2022_has_249_working_days() -> None:
    # 2022 starts on a Saturday: 52 weeks + 1 Saturday → 260 weekdays. Holidays on weekdays: 1月3日 (1),
    # 1月31日–2月4日 (5), 4月4–5日 (2), 5月2–4日 (3), 6月3日 (1), 9月12日 (1), 10月3–7日 (5) = 18.
    # Make-up working days (weekends): 1月29、30日, 4月2、24日, 5月7日, 10月8、9日 = 7.  260 − 18 + 7 = 249.
    assert CAL.working_days(date(2022, 1, 1), date(2022, 12, 31)) == 249


@pytest.mark.parametrize(("first", "last", "working"), [
    (date(2022, 1, 1), date(2022, 1, 2), 0),     # the Saturday and Sunday before the first Monday: a short week
    (date(2022, 1, 3), date(2022, 1, 9), 4),     # 元旦 Monday off
    (date(2022, 1, 24), date(2022, 1, 30), 7),   # both weekend days are 调休上班
    (date(2022, 1, 31), date(2022, 2, 6), 0),    # the Spring Festival week, spanning January and February
    (date(2022, 2, 28), date(2022, 3, 6), 5),    # a week spanning February and March counts once
    (date(2022, 10, 3), date(2022, 10, 9), 2),   # 国庆: only the make-up weekend works
    (date(2022, 12, 26), date(2022, 12, 31), 5),  # the last week ends on the year's last day (a Saturday)
])
def test_weeks_of_2022(first: date, last: date, working: int) -> None:
    weeks = {(w.first, w.last): w.working_days for w in CAL.weeks(2022)}
    assert weeks[(first, last)] == working


@pytest.mark.parametrize(("first", "last"), [
    (date(2022, 1, 1), date(2022, 1, 1)), (date(2022, 1, 31), date(2022, 2, 6)), (date(2022, 12, 31), date(2022, 12, 31)),
    (date(2021, 12, 20), date(2022, 1, 10)), (date(2022, 3, 7), date(2022, 12, 31)), (date(2022, 5, 1), date(2022, 4, 1)),
])
def test_working_days_equal_counting_day_by_day(first: date, last: date) -> None:
    n = (last - first).days + 1
    by_hand = sum(CAL.is_working(date.fromordinal(first.toordinal() + i)) for i in range(max(n, 0)))
    assert CAL.working_days(first, last) == by_hand


def test_2022_has_53_weeks_two_of_them_without_work() -> None:
    weeks = CAL.weeks(2022)
    assert len(weeks) == 53 and sum(1 for w in weeks if w.working_days == 0) == 2


# --------------------------------------------------------------------------- the quota, by hand
def _visits(person: Person, *days: str) -> list[Visit]:
    return [Visit(person.id, date.fromisoformat(d), f"地点{i}", "主题") for i, d in enumerate(days)]


def test_a_county_leader_behind_the_pace_on_6_march() -> None:
    # Visits: 1月5日; 1月12日、13日; 1月29日 (a 调休 Saturday); 2月8日 twice (two places, one day);
    # 2月22日; 3月1日 (the week 2月28日–3月6日 spans two months).
    visits = _visits(LEADER, "2022-01-05", "2022-01-12", "2022-01-13", "2022-01-29", "2022-02-08", "2022-02-08",
                     "2022-02-22", "2022-03-01")
    q = quota(LEADER, visits, RULES, 2022, date(2022, 3, 6))
    assert (q.visits, q.days) == (8, 7)  # one day counts one day
    # Weeks ended by Sunday 6 March: 10, of which 1月1–2日 and the Spring Festival week owe nothing → 8.
    # Below the weekly 1: 1月17–23日 and 2月14–20日 → 2.
    assert (q.weeks_done, q.weeks_below) == (8, 2)
    # 53 − 10 = 43 weeks left, all with working days (国庆 week keeps 2): (60 − 7) / 43 = 1.23… → 1.3 a week
    assert (q.weeks_left, q.needed_per_week) == (43, 1.3)
    # Working days to 6 March: January 21 (21 weekdays − 1月3日 − 1月31日 + 29日、30日), February 16
    # (20 − 2月1–4日), March 1–4 = 4 → 41.  Pro rata: 60 × 41 / 249 = 9.88 → behind with 7 days → 黄.
    assert q.expected == 9.9 and q.light == "yellow"
    # Still possible: 249 − 41 = 208 working days after 6 March, less the two weeks that hold 6 (4月2日 and
    # 4月24日 make-up days) capped at 5 a week → 206; 7 + 206 = 213 ≥ 60.
    assert q.reachable == 213


def test_ten_days_by_6_march_is_on_pace() -> None:
    days = ["2022-01-04", "2022-01-11", "2022-01-18", "2022-01-25", "2022-02-08", "2022-02-15", "2022-02-16",
            "2022-02-22", "2022-02-23", "2022-03-01"]
    q = quota(LEADER, _visits(LEADER, *days), RULES, 2022, date(2022, 3, 6))
    assert (q.days, q.weeks_below, q.light) == (10, 0, "green")  # 10 ≥ 9.88


def test_a_township_head_who_can_no_longer_make_90_days() -> None:
    # 40 visit days by 30 November. December 2022 has 22 working days and no holiday; the week of
    # 11月28日 has 1–2 December left: 2 + 5 + 5 + 5 + 5 = 22 still possible → 62 < 90 → 红.
    # Weeks not ended: 11月28日–12月4日 and four more → 5; (90 − 40) / 5 = 10.0 a week.
    workdays = [d for d in (date.fromordinal(date(2022, 1, 1).toordinal() + i) for i in range(334)) if CAL.is_working(d)]
    visits = [Visit(HEAD.id, d, "村", "主题") for d in workdays[:40]]
    q = quota(HEAD, visits, RULES, 2022, date(2022, 11, 30))
    assert (q.days, q.reachable, q.weeks_left, q.needed_per_week, q.light) == (40, 62, 5, 10.0, "red")


def test_after_the_year_nothing_is_left_and_a_met_quota_needs_nothing() -> None:
    workdays = [d for d in (date.fromordinal(date(2022, 1, 1).toordinal() + i) for i in range(365)) if CAL.is_working(d)]
    q = quota(LEADER, [Visit(LEADER.id, d, "村", "主题") for d in workdays[:60]], RULES, 2022, date(2023, 1, 15))
    assert (q.days, q.weeks_left, q.needed_per_week, q.light) == (60, 0, 0.0, "green")
    q = quota(LEADER, [], RULES, 2022, date(2023, 1, 15))
    assert (q.needed_per_week, q.light) == (None, "red")


# --------------------------------------------------------------------------- commands
@pytest.fixture
def repo(git_demo: Path) -> Path:
    return git_demo


def test_research_add_appends_one_line_in_one_commit(repo: Path) -> None:
    r = run("research", "add", "--person", "赵某", "--date", "2022-07-04", "--place", "依兰镇东升村", "--topic", "秸秆离田",
            "--found", "离田率偏低", "--result", "协调农机合作社", "--matter", "xc-001", root=repo)
    assert r.exit_code == 0, r.output
    assert "一线调研 赵某 2022-07-04 依兰镇东升村:秸秆离田" in r.stdout
    text = (repo / "research" / "2022" / "fxz-nongye.yaml").read_text(encoding="utf-8")
    assert text.endswith("  - {日期: 2022-07-04, 地点: 依兰镇东升村, 主题: 秸秆离田, 发现问题: 离田率偏低, "
                         "解决情况: 协调农机合作社, 事项: [XC-001]}\n")
    assert git(repo, "show", "--stat", "--format=%B", "HEAD").splitlines()[:5] == [
        "一线调研 赵某 2022-07-04 依兰镇东升村:秸秆离田", "", "Yilan-Action: research", "Yilan-Matter: XC-001", ""]
    assert "research/2022/fxz-nongye.yaml | 1 +" in git(repo, "show", "--stat", "HEAD")
    assert git(repo, "status", "--porcelain") == ""
    # the matter shows it, and its history lists it
    shown = run("show", "XC-001", "--today", "2022-07-05", root=repo).stdout
    assert "2022-07-04 赵某(副县长(分管农业))依兰镇东升村 秸秆离田;发现问题:离田率偏低;解决情况:协调农机合作社" in shown
    doc = json.loads(run("show", "XC-001", "--format", "json", "--today", "2022-07-05", root=repo).stdout)
    assert doc["research"][-1]["person"] == "fxz-nongye" and doc["research"][-1]["date"] == "2022-07-04"
    hist = run("history", "XC-001", root=repo).stdout
    assert "一线调研  一线调研 赵某 2022-07-04 依兰镇东升村:秸秆离田" in hist


def test_a_new_year_starts_a_new_file(repo: Path) -> None:
    r = run("research", "add", "--person", "xz", "--date", "2023-01-04", "--place", "县经济开发区", "--topic", "企业复工",
            root=repo)
    assert r.exit_code == 0, r.output
    text = (repo / "research" / "2023" / "xz.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 一线调研记录:刘某(县长),2023年。") and "人员: xz\n调研:\n" in text


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--person", "无名氏"], "E601", "没有这个人员:无名氏"),
    (["--person", "xz", "--matter", "XC-999"], "E604", "事项不存在:XC-999"),
    (["--person", "xz", "--found", "联系人手机13912345678"], "E315", "发现问题 中含有手机号"),
    (["--person", "xz", "--date", "2022-02-30"], "E204", "日期不存在：2022-02-30"),
])
def test_bad_research_is_refused_and_nothing_is_written(repo: Path, args: list[str], code: str, words: str) -> None:
    base = {"--date": "2022-07-04", "--place": "依兰镇", "--topic": "调研"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    head = git(repo, "rev-parse", "HEAD")
    r = run("research", "add", *[x for kv in base.items() for x in kv], root=repo)
    assert r.exit_code == 2 and words in r.stderr and (not code or f"[{code}]" in r.stderr)
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""


def test_the_same_visit_twice_is_refused(repo: Path) -> None:
    args = ["research", "add", "--person", "xz", "--date", "2022-07-04", "--place", "依兰镇", "--topic", "调研"]
    assert run(*args, root=repo).exit_code == 0
    r = run(*args, root=repo)
    assert r.exit_code == 2 and "research/2022/xz.yaml:" in r.stderr and "[E605] 调研记录重复:2022-07-04 依兰镇" in r.stderr


def test_check_validates_research_files_with_positions(repo: Path) -> None:
    path = repo / "research" / "2022" / "xz.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("日期: 2022-", "日期: 2021-", 1)
    lines.append("  - {日期: 2022-06-31, 地点: 依兰镇, 主题: 调研}")
    lines.append("  - {日期: 2022-06-29, 地点: 依兰镇, 题目: 调研}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (repo / "research" / "2022" / "nobody.yaml").write_text("人员: nobody\n调研: []\n", encoding="utf-8")
    (repo / "research" / "stray.yaml").write_text("人员: xz\n", encoding="utf-8")
    r = run("check", "--today", "2022-06-30", root=repo)
    assert r.exit_code == 1
    n = len(lines)
    for expected in ("research/2022/xz.yaml:4:6: 错误[E603] 调研日期 2021-01-05 不在 2022 年",
                     f"research/2022/xz.yaml:{n - 1}:6: 错误[E203] 日期 不是日期:2022-06-31",
                     f"research/2022/xz.yaml:{n}:5: 错误[E202] 缺少必填字段:主题",
                     f"research/2022/xz.yaml:{n}:31: 错误[E201] 未知字段:题目",
                     "research/2022/nobody.yaml:1:1: 错误[E601] 人员未登记:nobody",
                     "research/stray.yaml:1:1: 错误[E606] 调研记录文件位置不正确"):
        assert expected in r.stdout, r.stdout
    # research status still counts the good files and names the bad ones
    s = run("research", "status", "--today", "2022-06-30", root=repo)
    assert s.exit_code == 0 and "个调研记录文件有错误,未计入" in s.stderr


def test_research_status_json_and_table() -> None:
    doc = json.loads(run("research", "status", "--today", "2022-06-30", "--format", "json").stdout)
    assert doc["version"] == 1 and doc["year"] == 2022 and len(doc["people"]) == 10
    by_id = {p["id"]: p for p in doc["people"]}
    gao = by_id["xwsj"]
    assert set(gao) >= {"id", "name", "category", "visits", "days", "weeks_below", "needed_per_week", "light"}
    assert gao["category"] == "县级领导" and gao["per_year"] == 60 and gao["light"] == "green"
    assert {p["light"] for p in doc["people"]} == {"green", "yellow"}
    table = run("research", "status", "--today", "2022-06-30", "--category", "县级领导").stdout
    assert "2022年一线调研定额完成情况(评估日 2022-06-30)" in table and "周某" not in table and "高某" in table


def test_the_circular_reports_field_research() -> None:
    q2 = run("report", "2022Q2").stdout
    line = next(x for x in q2.splitlines() if x.startswith("一线调研："))
    assert line.startswith("一线调研：截至2022年6月30日，县级领导5人累计调研")
    assert "落后于序时进度（黄灯）" in line


def test_two_clerks_appending_to_one_file_merge_without_conflict(repo: Path) -> None:
    assert "research/**/*.yaml merge=union" in (repo / ".gitattributes").read_text(encoding="utf-8")
    git(repo, "checkout", "-q", "-b", "clerk-b")
    assert run("research", "add", "--person", "xz", "--date", "2022-07-05", "--place", "江湾镇", "--topic", "防汛",
               root=repo).exit_code == 0
    git(repo, "checkout", "-q", "main")
    assert run("research", "add", "--person", "xz", "--date", "2022-07-04", "--place", "依兰镇", "--topic", "秸秆",
               root=repo).exit_code == 0
    git(repo, "merge", "-q", "--no-edit", "clerk-b")
    text = (repo / "research" / "2022" / "xz.yaml").read_text(encoding="utf-8")
    assert "地点: 江湾镇" in text and "地点: 依兰镇" in text and "<<<<<<<" not in text
    assert run("check", "--today", "2022-07-05", root=repo).exit_code == 0  # no error findings


def test_research_status_table_golden(golden: Any) -> None:
    golden("research_status_2022-06-30.txt", run("research", "status", "--today", "2022-06-30").stdout)


def test_a_workspace_that_tracks_nobody_has_no_research_paragraph(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    (root / "schemas" / "people.yaml").unlink()
    q2 = run("report", "2022Q2", root=root).stdout
    assert "一线调研" not in q2 and "按状态：" in q2
    assert "没有登记人员" in run("research", "status", "--today", "2022-06-30", root=root).stdout


@pytest.mark.parametrize(("text", "words"), [
    ("- {id: Zhang, 姓名: 张某, 类别: 县级领导}\n", "人员编号 'Zhang' 应为小写字母开头"),
    ("- {id: zhang, 姓名: 张某, 类别: 县长}\n", "zhang 的类别 '县长' 不在 rules.yaml 一线调研.定额 中"),
    ("- {id: zhang, 姓名: 张某, 类别: 县级领导}\n- {id: zhang, 姓名: 李某, 类别: 县级领导}\n", "人员编号 zhang 重复"),
])
def test_a_broken_people_registry_stops_with_the_file_named(tmp_path: Path, text: str, words: str) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "ledgers").mkdir()
    (root / "schemas" / "people.yaml").write_text(text, encoding="utf-8")
    r = run("research", "status", root=root)
    assert r.exit_code == 2 and "people.yaml" in r.stderr and words in r.stderr


def test_a_leaders_report_gives_that_leaders_own_figures() -> None:
    """A deputy's monthly report: the county paragraph, and the deputy's own visits against the quota."""
    text = run("report", "2022-06", "--leader", "赵某").stdout
    line = next(x for x in text.splitlines() if x.startswith("一线调研："))
    assert line.endswith("其中赵某本人调研21次、21天，序时应达29.4天（黄灯）。")
    county = run("report", "2022-06").stdout
    assert "本人调研" not in county

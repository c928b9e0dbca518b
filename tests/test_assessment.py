"""1+N+1 assessment: the year ranked on its four quarters, a ledger's own scoring rules, the xlsx.

Three matters, worked by hand with the shipped rules (weights 40/30/30, overdue −2, red −1, grace 10 days;
quarter weights 0.2/0.25/0.25/0.3):

- XM-001 县住建局, 重大项目建设 (monthly reports), assigned 01-01, due 03-31, never started.
- XW-001 县住建局, 县委县政府决策部署 (quarterly), 01-01 → 12-31, 20% on 03-25, 50% on 06-20.
- XW-002 县发改局, quarterly, 01-01 → 06-30, 50% on 03-31, closed 06-20.

县住建局, quarter by quarter (D = the quarter's last day):
  Q1  按期办结 0/1 (XM-001 due, open) 0 · 序时 1/2 (XM-001 at its deadline 0% of 100%; XW-001 20% of
      24.5%) 15 · 报告 0/1 (XM-001 owes February) 0 · XM-001 red −1                          = 14
  Q2  0/1 · 序时 1/2 (XW-001 50% of 49.5%) 15 · 报告 1/2 (XM-001 misses May; XW-001 reported Q1) 15 ·
      overdue −2 · red −1                                                                       = 27
  Q3  0/1 · 序时 0/2 (XW-001 50% of 74.7%) 0 · 报告 1/2 (XW-001 reported Q2) 15 · −2 · −1          = 12
  Q4  0/2 (XW-001 due 12-31, open) · 0/2 · 报告 0/2 (no Q3 entry) · overdue −2 · red 2 × −1        = −4
  Year 0.2×14 + 0.25×27 + 0.25×12 + 0.3×(−4) = 2.8 + 6.75 + 3 − 1.2                             = 11.35
县发改局: Q1 序时 1/1 (50% of 49.4%) → 100 (按期办结 and 报告 have nothing to measure: their weight goes to 序时,
赛马.无可计量: 分摊); Q2 closed on time, Q1 reported → 100; Q3, Q4 nothing to measure at all → no score
(无可计量); year (0.2 × 100 + 0.25 × 100) / 0.45 = 100.

With 重大项目建设's own rules (按期办结 60, 序时 20, 报告 20, 超期扣分 5) 县住建局's matters score in two
halves: XM-001 under its ledger's rules, XW-001 under the defaults, each weighted ½, deductions per matter:
(within a group, a rate with nothing to measure hands its weight to the group's measured rates)
  Q1  ½ × 0 + ½ × 100 (XW-001: 序时 1/1 carries all 100) − 1                                     = 49
  Q2  ½ × 0 + ½ × (50 + 50) (序时 1/1, 报告 1/1; 按期办结's 40 spread 30:30) − 5 − 1                 = 44
  Q3  ½ × 0 + ½ × (0 + 50) (序时 0/1, 报告 1/1) − 5 − 1                                           = 19
  Q4  ½ × 0 + ½ × 0 − 5 − 1 − 1                                                                 = −7
  Year 0.2×49 + 0.25×44 + 0.25×19 + 0.3×(−7) = 9.8 + 11 + 4.75 − 2.1                             = 23.45
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.periods import parse_period
from yilan_cli.ranking import rank, rank_year
from yilan_cli.store import load_ledgers
from yilan_cli.workspace import load

from .conftest import REPO

MATTERS = {
    "xiangmu/XM-001": "编号: XM-001\n事项: 县城供水管网改造\n牵头单位: 县住建局\n交办日期: 2022-01-01\n完成时限: 2022-03-31\n"
                      "状态: 未启动\n",
    "xian/XW-001": "编号: XW-001\n事项: 老旧小区加装电梯\n牵头单位: 县住建局\n交办日期: 2022-01-01\n完成时限: 2022-12-31\n"
                   "状态: 推进中\n进展:\n  - {日期: 2022-03-25, 进度: 20, 情况: 完成设计}\n"
                   "  - {日期: 2022-06-20, 进度: 50, 情况: 完成一半}\n",
    "xian/XW-002": "编号: XW-002\n事项: 县级规划编制\n牵头单位: 县发改局\n交办日期: 2022-01-01\n完成时限: 2022-06-30\n"
                   "状态: 已办结\n办结日期: 2022-06-20\n进展:\n  - {日期: 2022-03-31, 进度: 50, 情况: 完成初稿}\n"
                   "  - {日期: 2022-06-20, 进度: 100, 状态: 已办结, 情况: 通过评审}\n",
}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "schemas", root / "schemas")
    for name, text in MATTERS.items():
        path = root / "ledgers" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _override(root: Path) -> None:
    path = root / "schemas" / "ledgers" / "xiangmu.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "赛马: {按期办结权重: 60, 序时达标权重: 20, 按期报告权重: 20, 超期扣分: 5}\n", encoding="utf-8")


def _scores(root: Path, period: str) -> dict[str, Any]:
    w = load(root)
    records = load_ledgers(w, use_cache=False).records
    p = parse_period(period)
    groups = rank_year(w, records, p) if p.kind == "year" else rank(w, records, p)
    return {u.unit: u for g in groups for u in g.units if u.matters}


@pytest.mark.parametrize(("period", "housing", "reform"), [
    ("2022Q1", 14.0, 100.0), ("2022Q2", 27.0, 100.0), ("2022Q3", 12.0, None), ("2022Q4", -4.0, None),
    ("2022", 11.35, 100.0),
])
def test_quarters_and_the_year(ws: Path, period: str, housing: float, reform: float | None) -> None:
    s = _scores(ws, period)
    assert (s["县住建局"].score, s["县发改局"].score) == (housing, reform)
    if reform is None:  # XW-002 closed in Q2: nothing left to measure, so no score and no rank
        assert s["县发改局"].rank is None and s["县发改局"].breakdown.startswith("无可计量")


def test_the_year_breakdown_names_each_quarter(ws: Path) -> None:
    u = _scores(ws, "2022")["县住建局"]
    assert u.quarters == (14.0, 27.0, 12.0, -4.0)
    assert u.breakdown == "一季度 14.0×0.2 + 二季度 27.0×0.25 + 三季度 12.0×0.25 + 四季度 -4.0×0.3"


def test_a_year_in_progress_uses_the_quarters_so_far(ws: Path) -> None:
    w = load(ws)
    records = load_ledgers(w, use_cache=False).records
    from datetime import date

    groups = rank_year(w, records, parse_period("2022"), date(2022, 6, 30))
    u = next(u for g in groups for u in g.units if u.unit == "县住建局")
    # (0.2×14 + 0.25×27) / 0.45 = 9.55 / 0.45 = 21.22
    assert u.score == 21.22 and u.breakdown.endswith(",按权重 0.45 折算")


@pytest.mark.parametrize(("period", "housing"), [("2022Q1", 49.0), ("2022Q2", 44.0), ("2022Q3", 19.0),
                                                 ("2022Q4", -7.0), ("2022", 23.45)])
def test_a_ledger_carries_its_own_scoring_rules(ws: Path, period: str, housing: float) -> None:
    _override(ws)
    assert _scores(ws, period)["县住建局"].score == housing
    assert _scores(ws, period)["县发改局"].score == (None if period in ("2022Q3", "2022Q4") else 100.0)  # defaults


def test_the_breakdown_says_which_rules_scored_what(ws: Path) -> None:
    _override(ws)
    text = _scores(ws, "2022Q2")["县住建局"].breakdown
    assert text == ("[通用规则 1项,占50%] 按期办结 —（无可计量，权重分摊） · 序时达标 1/1 得50.0 · 按期报告 1/1 得50.0 | "
                    "[重大项目建设规则 1项,占50%] 按期办结 0/1 得0.0 · 序时达标 0/1 得0.0 · 按期报告 0/1 得0.0 · 超期1项 −5 · "
                    "红灯1项 −1")


def test_a_bad_override_stops_with_the_file_named(ws: Path) -> None:
    path = ws / "schemas" / "ledgers" / "xiangmu.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "赛马: {按时办结权重: 60}\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(ws), "rank", "2022Q2"])
    assert r.exit_code == 2 and "xiangmu.yaml" in r.stderr and "赛马 不支持 按时办结权重" in r.stderr


def test_export_assessment_writes_the_organization_departments_table(ws: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "考核.xlsx"
    r = CliRunner().invoke(app, ["--root", str(ws), "export", "--assessment", "2022", "-o", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["乡镇", "县直部门"]
    rows = list(wb["县直部门"].iter_rows(values_only=True))
    assert rows[0][:8] == ("名次", "单位", "分组", "年度得分", "一季度", "二季度", "三季度", "四季度")
    # the rates are the whole year's at 12-31: XW-002 closed on time; nothing else left to measure
    assert rows[1][:15] == (1, "县发改局", "县直部门", 100, 100, 100, "—", "—", 1, "1/1", "—", "—", 0, 0, "红榜")
    # second of two, but with an overdue and two red matters: never praised — the bottom of its group instead
    assert rows[2][:15] == (2, "县住建局", "县直部门", 11.35, 14, 27, 12, -4, 2, "0/2", "0/2", "0/2", 1, 2, "黑榜")
    assert rows[3][0] == "—" and rows[3][3] == "—"  # units without matters are listed, unranked
    assert wb["县直部门"].oddHeader.left.text == "内部资料 注意保存"
    bad = CliRunner().invoke(app, ["--root", str(ws), "export", "--assessment", "2022", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "只能导出为 .xlsx" in bad.stderr


def test_the_annual_circular_ranks_on_the_quarters() -> None:
    text = CliRunner().invoke(app, ["--root", str(REPO), "report", "2022"]).stdout
    assert "一季度" in text and "×0.2 + 二季度" in text


# --------------------------------------------------------------------------- fair and explained (issue 19)
# Townships in 2022Q2 at 06-30 (quarterly reports, 40/30/30, quotas 3 and 3), worked by hand:
#   依兰镇   XW-101 closed 05-20, due 06-30: 按期办结 1/1, nothing else measured      分摊 100 (1/1 carries all)
#   江湾镇   XW-102 as XW-101; XW-103 01-01→12-31, 30% 03-25, 50% 06-20 (序时 49.5%): 3 of 3 measured → 100
#   三道岗镇 XW-104 on time, XW-105 due 05-31 closed 06-10 (late): 按期办结 1/2            分摊 50 (满分 80)
#   宏克力镇 XW-106 on time, XW-107 late: the same                                    分摊 50 (满分 80)
#   团山子乡 XW-108 late: 按期办结 0/1                                                 分摊 0 (满分 60)
#   达连河镇 XW-109 长期, assigned 04-01, 10% 04-10, no report owed yet: nothing to measure  分摊 — (无可计量; 满分 100)
def _race_matter(mid: str, unit: str, assigned: str, deadline: str, closed: str | None = None,
                 progress: tuple[tuple[str, int], ...] = ()) -> str:
    text = f"编号: {mid}\n事项: 测试事项{mid}\n牵头单位: {unit}\n交办日期: {assigned}\n完成时限: {deadline}\n"
    if closed:
        return text + f"状态: 已办结\n办结日期: {closed}\n进展:\n  - {{日期: {closed}, 进度: 100, 状态: 已办结, 情况: 完成}}\n"
    text += "状态: 推进中\n"
    if progress:
        text += "进展:\n" + "".join(f"  - {{日期: {d}, 进度: {p}, 情况: 推进}}\n" for d, p in progress)
    return text


RACE = {
    "XW-101": ("依兰镇", "2022-04-01", "2022-06-30", "2022-05-20", ()),
    "XW-102": ("江湾镇", "2022-04-01", "2022-06-30", "2022-05-20", ()),
    "XW-103": ("江湾镇", "2022-01-01", "2022-12-31", None, (("2022-03-25", 30), ("2022-06-20", 50))),
    "XW-104": ("三道岗镇", "2022-04-01", "2022-06-30", "2022-05-20", ()),
    "XW-105": ("三道岗镇", "2022-04-01", "2022-05-31", "2022-06-10", ()),
    "XW-106": ("宏克力镇", "2022-04-01", "2022-06-30", "2022-05-20", ()),
    "XW-107": ("宏克力镇", "2022-04-01", "2022-05-31", "2022-06-10", ()),
    "XW-108": ("团山子乡", "2022-04-01", "2022-05-31", "2022-06-10", ()),
    "XW-109": ("达连河镇", "2022-04-01", "长期", None, (("2022-04-10", 10),)),
}


@pytest.fixture
def race(tmp_path: Path) -> Path:
    root = tmp_path / "race"
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "ledgers" / "xian").mkdir(parents=True)
    for mid, (unit, assigned, deadline, closed, progress) in RACE.items():
        (root / "ledgers" / "xian" / f"{mid}.yaml").write_text(
            _race_matter(mid, unit, assigned, deadline, closed, progress), encoding="utf-8")
    return root


def _race_rules(root: Path, **race: str) -> None:
    path = root / "schemas" / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in race.items():
        text = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
    path.write_text(text, encoding="utf-8")


def _towns(root: Path) -> Any:
    w = load(root)
    return next(g for g in rank(w, load_ledgers(w, use_cache=False).records, parse_period("2022Q2")) if g.group == "乡镇")


@pytest.mark.parametrize(("rule", "expected"), [
    ("分摊", [("依兰镇", 1, 100.0), ("江湾镇", 1, 100.0), ("三道岗镇", 3, 50.0), ("宏克力镇", 3, 50.0), ("团山子乡", 5, 0.0),
             ("达连河镇", None, None), ("道台桥镇", None, None), ("愚公乡", None, None), ("迎兰朝鲜族乡", None, None)]),
    ("满分", [("依兰镇", 1, 100.0), ("达连河镇", 1, 100.0), ("江湾镇", 1, 100.0), ("三道岗镇", 4, 80.0), ("宏克力镇", 4, 80.0),
             ("团山子乡", 6, 60.0), ("道台桥镇", None, None), ("愚公乡", None, None), ("迎兰朝鲜族乡", None, None)]),
])
def test_nothing_to_measure_follows_the_rule(race: Path, rule: str, expected: list[tuple[str, int | None, float | None]]
                                             ) -> None:
    _race_rules(race, 无可计量=rule)
    g = _towns(race)
    assert [(u.unit, u.rank, u.score) for u in g.units] == expected


@pytest.mark.parametrize(("rule", "unit", "breakdown"), [
    ("分摊", "依兰镇", "按期办结 1/1 得100.0 · 序时达标 —（无可计量，权重分摊） · 按期报告 —（无可计量，权重分摊）"),
    ("分摊", "江湾镇", "按期办结 1/1 得40.0 · 序时达标 1/1 得30.0 · 按期报告 1/1 得30.0"),
    ("分摊", "三道岗镇", "按期办结 1/2 得50.0 · 序时达标 —（无可计量，权重分摊） · 按期报告 —（无可计量，权重分摊）"),
    ("分摊", "达连河镇", "无可计量：按期办结、序时达标、按期报告均无可计量事项，不计分、不排名"),
    ("满分", "依兰镇", "按期办结 1/1 得40.0 · 序时达标 —（无可计量，按满分计）得30.0 · 按期报告 —（无可计量，按满分计）得30.0"),
])
def test_the_breakdown_says_what_happened_to_an_empty_rate(race: Path, rule: str, unit: str, breakdown: str) -> None:
    _race_rules(race, 无可计量=rule)
    assert next(u for u in _towns(race).units if u.unit == unit).breakdown == breakdown


@pytest.mark.parametrize(("rule", "ties", "red", "black"), [
    # 三道岗镇 and 宏克力镇 share 第3 across the quota of 3: both in — but at 50 points, below 及格 (60), neither
    # is praised (ranking.RED_LIST_FLOOR); both fall to the 黑榜 pool
    ("分摊", "全部列入", ["依兰镇", "江湾镇"], ["团山子乡", "宏克力镇", "三道岗镇"]),
    # all out: the 黑榜 pool (below 100, not on the 红榜) from the bottom is 团山子乡 1, 宏克力镇 = 三道岗镇 2 (2–3)
    ("分摊", "全部不列入", ["依兰镇", "江湾镇"], ["团山子乡", "宏克力镇", "三道岗镇"]),
    # 满分: three tie at 第1 (达连河镇 scores full on nothing, listed in registry order) — 第4 is off the 红榜
    ("满分", "全部列入", ["依兰镇", "达连河镇", "江湾镇"], ["团山子乡", "宏克力镇", "三道岗镇"]),
    ("满分", "全部不列入", ["依兰镇", "达连河镇", "江湾镇"], ["团山子乡", "宏克力镇", "三道岗镇"]),
])
def test_ties_at_the_list_edge_are_all_in_or_all_out(race: Path, rule: str, ties: str, red: list[str],
                                                     black: list[str]) -> None:
    _race_rules(race, 无可计量=rule, 名额并列=ties)
    g = _towns(race)
    assert ([u.unit for u in g.red_list], [u.unit for u in g.black_list]) == (red, black)
    assert "达连河镇" not in [u.unit for u in g.red_list + g.black_list] or rule == "满分"  # no score: on no list


def test_a_bad_nothing_to_measure_rule_is_refused(race: Path) -> None:
    _race_rules(race, 无可计量="不管")
    r = CliRunner().invoke(app, ["--root", str(race), "rank", "2022Q2"])
    assert r.exit_code == 2 and "赛马.无可计量" in r.stderr and "可用:分摊、满分" in r.stderr


def test_a_rule_group_with_nothing_to_measure_hands_its_share_on(race: Path) -> None:
    # 依兰镇 also leads XM-201 (重大项目建设, own rules; 长期, assigned 06-15: nothing to measure): its half of the
    # matters goes to XW-101's group, which scores 100 on 1/1 — 100, not ½ × 100
    _override(race)
    (race / "ledgers" / "xiangmu").mkdir()
    (race / "ledgers" / "xiangmu" / "XM-201.yaml").write_text(
        _race_matter("XM-201", "依兰镇", "2022-06-15", "长期", None, (("2022-06-20", 10),)), encoding="utf-8")
    u = next(u for u in _towns(race).units if u.unit == "依兰镇")
    assert (u.score, u.rank) == (100.0, 1)
    assert u.breakdown == ("[通用规则 1项,占100%] 按期办结 1/1 得100.0 · 序时达标 —（无可计量，权重分摊） · "
                           "按期报告 —（无可计量，权重分摊） | [重大项目建设规则 1项,无可计量，份额分摊] "
                           "按期办结 — · 序时达标 — · 按期报告 —")


def test_the_method_sentences_state_the_rules_in_force(ws: Path) -> None:
    from yilan_cli.ranking import method_text

    _override(ws)
    w = load(ws)
    text = method_text(w.rules, w.ledgers.values())
    assert text == [
        "一、计分公式。乡镇、县直部门分组排名，各单位按其牵头的督办事项计分，满分100分。"
        "得分＝按期办结率×40＋序时达标率×30＋按期报告率×30－超期事项数×2－红灯事项数×1。",
        "二、指标口径。按期办结率为期内到期或期内办结的事项中按期办结（含按期阶段性办结）的比例；"
        "序时达标率为有序时进度要求的事项中未滞后于序时进度的比例；按期报告率为应报告进展的事项中按期报告的比例。",
        "三、行业规则。重大项目建设台账的事项另行计分：按期办结权重60、序时达标权重20、按期报告权重20、超期每项扣5分；"
        "其余事项按上述通用规则计分。单位牵头事项分属不同规则的，各规则得分按其事项数占比加权合计，扣分各按其规则计算。",
        "四、无可计量的处理。某项指标本期无可计量事项的，该项不得分，其权重按其余有可计量事项的指标的权重比例分摊；"
        "某一规则下的事项均无可计量的，其事项数占比由其余规则分摊；三项指标均无可计量事项的单位不计分、不排名，"
        "列为“无可计量”。",
        "五、名次。得分高的在前；得分相同的，超期事项少的在前；仍相同的，红灯事项少的在前。"
        "得分、超期事项数、红灯事项数均相同的并列同一名次，其后名次顺延（如1、1、3）；"
        "并列单位按单位名录顺序列出，名录顺序不影响名次。本期无牵头事项的单位不排名。",
        "六、红榜、黑榜。各组名次在前3名以内、得分不低于60分、且没有超期和红灯事项的单位列入红榜；未列入红榜且未得满分的单位中，"
        "自后向前第3名以内的单位列入黑榜。名额边缘有并列的，并列单位全部列入，榜单单位数可多于名额；"
        "不计分的单位不列入红榜、黑榜。",
    ]
    _race_rules(ws, 无可计量="满分", 名额并列="全部不列入", 红榜名额="5")
    w = load(ws)
    annual = method_text(w.rules, [], annual=True)
    assert [s[:2] for s in annual] == ["一、", "二、", "三、", "四、", "五、", "六、"]  # no 行业规则 without overrides
    assert annual[2] == "三、无可计量的处理。某项指标本期无可计量事项的，该项按满分计。"
    assert "名次在前5名以内" in annual[4] and "并列单位均不列入，榜单单位数可少于名额" in annual[4]
    assert annual[5] == ("六、年度排名。年度得分为一至四季度得分的加权平均，权重依次为0.2、0.25、0.25、0.3；"
                         "某季度无得分的，按其余季度的权重折算。")

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
县发改局: Q1 序时 1/1 (50% of 49.4%) → 100; Q2 closed on time, Q1 reported → 100; Q3, Q4 nothing to
measure → 100; year 100.

With 重大项目建设's own rules (按期办结 60, 序时 20, 报告 20, 超期扣分 5) 县住建局's matters score in two
halves: XM-001 under its ledger's rules, XW-001 under the defaults, each weighted ½, deductions per matter:
  Q1  ½ × 0 + ½ × (40 + 30 + 30) − 1                                                            = 49
  Q2  ½ × 0 + ½ × (40 + 30 + 30) − 5 − 1                                                        = 44
  Q3  ½ × 0 + ½ × (40 + 0 + 30) − 5 − 1                                                         = 29
  Q4  ½ × 0 + ½ × 0 − 5 − 1 − 1                                                                 = −7
  Year 0.2×49 + 0.25×44 + 0.25×29 + 0.3×(−7) = 9.8 + 11 + 7.25 − 2.1                             = 25.95
"""

from __future__ import annotations

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
    return {u.unit: u for g in groups for u in g.units if u.score is not None}


@pytest.mark.parametrize(("period", "housing", "reform"), [
    ("2022Q1", 14.0, 100.0), ("2022Q2", 27.0, 100.0), ("2022Q3", 12.0, 100.0), ("2022Q4", -4.0, 100.0),
    ("2022", 11.35, 100.0),
])
def test_quarters_and_the_year(ws: Path, period: str, housing: float, reform: float) -> None:
    s = _scores(ws, period)
    assert (s["县住建局"].score, s["县发改局"].score) == (housing, reform)


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


@pytest.mark.parametrize(("period", "housing"), [("2022Q1", 49.0), ("2022Q2", 44.0), ("2022Q3", 29.0),
                                                 ("2022Q4", -7.0), ("2022", 25.95)])
def test_a_ledger_carries_its_own_scoring_rules(ws: Path, period: str, housing: float) -> None:
    _override(ws)
    assert _scores(ws, period)["县住建局"].score == housing
    assert _scores(ws, period)["县发改局"].score == 100.0  # its ledger keeps the defaults


def test_the_breakdown_says_which_rules_scored_what(ws: Path) -> None:
    _override(ws)
    text = _scores(ws, "2022Q2")["县住建局"].breakdown
    assert text == ("[通用规则 1项,占50%] 按期办结 — 得40.0 · 序时达标 1/1 得30.0 · 按期报告 1/1 得30.0 | "
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
    assert rows[1][:15] == (1, "县发改局", "县直部门", 100, 100, 100, 100, 100, 1, "1/1", "—", "—", 0, 0, "红榜")
    assert rows[2][:15] == (2, "县住建局", "县直部门", 11.35, 14, 27, 12, -4, 2, "0/2", "0/2", "0/2", 1, 2, "红榜")
    assert rows[3][0] == "—" and rows[3][3] == "—"  # units without matters are listed, unranked
    assert wb["县直部门"].oddHeader.left.text == "内部资料 注意保存"
    bad = CliRunner().invoke(app, ["--root", str(ws), "export", "--assessment", "2022", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "只能导出为 .xlsx" in bad.stderr


def test_the_annual_circular_ranks_on_the_quarters() -> None:
    text = CliRunner().invoke(app, ["--root", str(REPO), "report", "2022"]).stdout
    assert "一季度" in text and "×0.2 + 二季度" in text

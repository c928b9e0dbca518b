"""Issue 18: business dates checked where typed (docs/time.md, 日期的校验).

A fact is never dated after the real today unless ``--future`` is given (E323): a mistyped 2099-01-01 would
otherwise block every later entry of the matter. A date written without a year takes it from the command's
business context (``--assigned``, ``--date``, the document answered, the sheet's year), never silently from
the clock; a sheet cell with no context at all is refused, naming the cell (E324).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import filled_form, git

ZB1 = "ledgers/zhuanban/ZB-001.yaml"
XW2 = "ledgers/xian/XW-002.yaml"


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def refused(root: Path, *args: str, typed: str = "2099-01-01", today: date | None = None) -> Any:
    """The command exits 2 with E323 naming the typed date and the real today; nothing written or committed."""
    head = git(root, "rev-parse", "HEAD")
    r = run(root, *args)
    assert r.exit_code == 2, (args, r.output)
    assert "[E323]" in r.stderr and typed in r.stderr, r.stderr
    assert f"晚于今天({(today or date.today()).isoformat()})" in r.stderr, r.stderr
    assert "--future" in r.stderr
    assert git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""
    return r


# --------------------------------------------------------------------------- a fact after today
def test_an_update_dated_2099_is_refused_and_future_lets_it_through(git_demo: Path) -> None:
    before = (git_demo / ZB1).read_bytes()
    r = refused(git_demo, "update", "ZB-001", "--progress", "60", "--note", "完成主体施工", "--date", "2099-01-01")
    assert "进展日期 2099-01-01 晚于今天" in r.stderr
    assert (git_demo / ZB1).read_bytes() == before
    r = run(git_demo, "update", "ZB-001", "--progress", "60", "--note", "完成主体施工", "--date", "2099-01-01", "--future")
    assert r.exit_code == 0, r.output
    assert "- {日期: 2099-01-01, 进度: 60, 情况: 完成主体施工}" in (git_demo / ZB1).read_text(encoding="utf-8")


def test_every_write_command_checks_the_dates_of_its_facts(git_demo: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "台账.csv"
    sheet.write_text("事项,牵头单位,交办日期,完成时限\n城区供水管网改造,县水务局,2022-03-01,2022-12-31\n", encoding="utf-8")
    out = str(tmp_path / "文书")
    for args in (
        ["close", "ZB-001", "--date", "2099-01-01"],
        ["signoff", "ZB-001", "--reviewer", "县委督查室", "--approver", "常务副县长", "--date", "2099-01-01"],
        ["extend", "ZB-001", "--to", "2099-12-31", "--reason", "设备到货延迟", "--date", "2099-01-01"],
        ["extend", "ZB-001", "--to", "2099-12-31", "--reason", "设备到货延迟", "--date", "2022-11-30",
         "--approved-on", "2099-01-01"],
        ["add", "ZB", "--title", "测试", "--lead-unit", "县水务局", "--deadline", "2099-12-31", "--assigned", "2099-01-01"],
        ["update", "ZB-001", "--milestone", "完成招标=2099-01-01", "--date", "2022-11-30"],
        ["research", "add", "--person", "xz", "--date", "2099-01-01", "--place", "依兰镇东升村", "--topic", "秸秆离田"],
        ["notice", "reply", "依督办〔2022〕1号", "--date", "2099-01-01", "--text", "已制定整改方案"],
        ["notice", "--issue", "--today", "2099-01-01", "-o", out],
        ["escalate", "--apply", "--today", "2099-01-01", "-o", out],
        ["report", "2022Q3", "--issue", "--date", "2099-01-01", "-o", f"{out}/通报.md"],
        ["import", str(sheet), "--ledger", "xian", "--today", "2099-01-01"],
        ["import", str(sheet), "--ledger", "xian", "--assigned", "2099-01-01"],
    ):
        refused(git_demo, *args)
    assert not Path(out).exists()
    # a deadline is naturally in the future, and --today of a read command is a view date: neither is refused
    r = run(git_demo, "add", "ZB", "--title", "远期规划", "--lead-unit", "县水务局", "--deadline", "2099-12-31",
            "--assigned", "2022-07-20")
    assert r.exit_code == 0, r.output
    assert run(git_demo, "status", "--today", "2099-01-01").exit_code in (0, 1)


def test_the_clock_is_read_in_one_place(git_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the clock at 2022-12-10, a date without a year is this year's and must not lie after today."""
    from yilan_cli import clock

    monkeypatch.setattr(clock, "real_today", lambda: date(2022, 12, 10))
    r = refused(git_demo, "update", "ZB-001", "--progress", "60", "--note", "完成主体施工", "--date", "12月20日",
                typed="12月20日(即 2022-12-20)", today=date(2022, 12, 10))
    assert "12月20日 没写年份,取的是 2022 年" in r.stderr
    refused(git_demo, "close", "ZB-001", "--date", "2022-12-11", typed="2022-12-11", today=date(2022, 12, 10))
    r = run(git_demo, "update", "ZB-001", "--progress", "60", "--note", "完成主体施工", "--date", "12月10日")
    assert r.exit_code == 0, r.output
    assert "- {日期: 2022-12-10, 进度: 60, 情况: 完成主体施工}" in (git_demo / ZB1).read_text(encoding="utf-8")
    r = run(git_demo, "update", "ZB-001", "--progress", "65", "--note", "完成附属工程")  # no --date: the (patched) today
    assert r.exit_code == 0, r.output
    assert "- {日期: 2022-12-10, 进度: 65, 情况: 完成附属工程}" in (git_demo / ZB1).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a date without a year
def test_a_date_without_a_year_takes_it_from_the_command(git_demo: Path, tmp_path: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "城区供水管网改造", "--lead-unit", "县水务局", "--deadline", "年底",
            "--assigned", "2022-07-20")
    assert r.exit_code == 0, r.output
    text = (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert "交办日期: 2022-07-20\n完成时限: 2022-12-31\n" in text
    # the extension's 申请日期 gives the year of its new deadline and of its approval
    r = run(git_demo, "extend", "XW-002", "--to", "年底", "--reason", "资金审核延后", "--date", "2022-09-20",
            "--approved-by", "常务副县长", "--approved-on", "9月25日")
    assert r.exit_code == 0, r.output
    assert ("{申请日期: 2022-09-20, 新时限: 2022-12-31, 理由: 资金审核延后, 批准人: 常务副县长, 批准日期: 2022-09-25}"
            in (git_demo / XW2).read_text(encoding="utf-8"))
    # a milestone met: in the year of the entry's --date
    r = run(git_demo, "update", "XW-002", "--milestone", "开工建设=7月15日", "--note", "已开工", "--date", "2022-11-30")
    assert r.exit_code == 0, r.output
    assert "{名称: 开工建设, 时限: 2022-07-15, 完成日期: 2022-07-15}" in (git_demo / XW2).read_text(encoding="utf-8")
    # a reply: in the year of the document it answers (issued 2022-11-30), not of the clock
    r = run(git_demo, "notice", "--issue", "--today", "2022-11-30", "-o", str(tmp_path / "通知单"))
    assert r.exit_code == 0, r.output
    number = r.stdout.split()[0]
    assert number.startswith("依督办〔2022〕")
    r = run(git_demo, "notice", "reply", number, "--date", "12月5日", "--text", "已制定整改方案")
    assert r.exit_code == 0, r.output
    assert "回复日期: 2022-12-05" in (git_demo / "reports/issued.yaml").read_text(encoding="utf-8")


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    r = CliRunner().invoke(app, ["init", str(tmp_path / "fresh")], catch_exceptions=False)
    assert r.exit_code == 0
    return tmp_path / "fresh"


HEADER = ["序号", "工作任务", "责任单位", "交办时间", "时限要求", "推进情况", "完成进度", "进展日期"]
ROWS = [[1, "城区污水管网改造", "县水务局", "2月1日", "6月底", "完成设计", "30%", "3月31日"],
        [2, "农贸市场提档升级", "县住建局", "2023-03-01", "年底", "完成选址", "20%", "2023-04-30"]]


def workbook(path: Path, title: str | None, rows: list[list[Any]] = ROWS, name: str = "县委县政府重点工作") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    if title:
        ws.append([title])
        ws.merge_cells("A1:H1")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_a_2023_sheet_dates_its_partial_cells_in_2023(fresh: Path, tmp_path: Path) -> None:
    book = tmp_path / "重点工作台账.xlsx"
    workbook(book, "2023年县委县政府重点工作任务台账")
    r = run(fresh, "import", str(book), "--ledger", "xian")
    assert r.exit_code == 0, r.output
    xw1 = (fresh / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8")
    assert "交办日期: 2023-02-01\n完成时限: 2023-06-30\n" in xw1
    assert "- {日期: 2023-03-31, 进度: 30, 情况: 完成设计}" in xw1
    xw2 = (fresh / "ledgers/xian/XW-002.yaml").read_text(encoding="utf-8")
    assert "交办日期: 2023-03-01\n完成时限: 2023-12-31\n" in xw2


def test_a_sheet_without_a_year_refuses_the_cell_instead_of_guessing(fresh: Path, tmp_path: Path) -> None:
    book = tmp_path / "台账.xlsx"
    workbook(book, None, name="Sheet1")
    r = run(fresh, "import", str(book), "--ledger", "xian")
    assert r.exit_code == 1, r.output  # the row that says its year (交办日期 2023-03-01) is imported
    assert ("台账.xlsx:2: 错误[E324] 工作表“Sheet1”D2 单元格(交办时间)的“2月1日”没写年份,表中也找不到是哪一年"
            in r.stderr)
    assert not (fresh / "ledgers/xian/XW-002.yaml").exists()
    assert "交办日期: 2023-03-01\n完成时限: 2023-12-31\n" in (fresh / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8")
    # --assigned is the context a row without its own 交办日期 year has
    r = run(fresh, "import", str(book), "--ledger", "xian", "--assigned", "2023-01-10", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "第 2 行 新增 XW-002 城区污水管网改造" in r.stdout
    # a CSV names the row and column the same way
    csv = tmp_path / "台账.csv"
    csv.write_text("事项,牵头单位,交办日期,完成时限\n城区供水管网改造,县水务局,3月1日,年底\n", encoding="utf-8")
    r = run(fresh, "import", str(csv), "--ledger", "xian")
    assert r.exit_code == 1 and "台账.csv:2: 错误[E324] C2 单元格(交办日期)的“3月1日”没写年份" in r.stderr


def test_a_fact_cell_after_today_is_refused_naming_the_cell(fresh: Path, tmp_path: Path) -> None:
    book = tmp_path / "台账.xlsx"
    rows = [[1, "城区污水管网改造", "县水务局", "2023-02-01", "2099-12-31", "完成设计", "30%", "2099-01-01"]]
    workbook(book, "2023年重点工作台账", rows)
    r = run(fresh, "import", str(book), "--ledger", "xian")
    assert r.exit_code == 1
    assert (f"错误[E323] 工作表“县委县政府重点工作”H3 单元格(进展日期) 2099-01-01 晚于今天({date.today().isoformat()})"
            in r.stderr)
    assert not (fresh / "ledgers/xian/XW-001.yaml").exists()
    r = run(fresh, "import", str(book), "--ledger", "xian", "--future")  # 完成时限 2099 was never the problem
    assert r.exit_code == 0, r.output
    assert "- {日期: 2099-01-01, 进度: 30, 情况: 完成设计}" in (fresh / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8")


def test_a_fill_in_form_for_a_period_not_over_is_refused(git_demo: Path, tmp_path: Path) -> None:
    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 80, "进展情况": "完成户厕改造"}}, "2099-01")
    r = refused(git_demo, "import", "--progress", str(form), typed="2099-01-31")
    assert "2099年1月结束后再导入" in r.stderr


def test_a_fill_in_form_reported_before_its_period_ends_is_refused(git_demo: Path, tmp_path: Path) -> None:
    """import --today 2022-07-20 of a July form would record entries dated 07-31 as reported on 07-20."""
    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 30}})
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-07-20")
    assert r.exit_code == 2
    assert "错误[E323] 报送日期 2022-07-20 早于填报期间2022年7月的最后一天 2022-07-31" in r.stderr


# --------------------------------------------------------------------------- the pieces
def test_parse_day_without_a_context_year() -> None:
    from yilan_cli.periods import DateError, YearMissing, parse_day

    for text in ("6月底", "年底", "12月31日前", "3月1日"):
        with pytest.raises(YearMissing):
            parse_day(text, None)
    assert parse_day("2023年6月底", None) == date(2023, 6, 30) and parse_day("2023-06-30", None) == date(2023, 6, 30)
    assert parse_day("年底", date(2022, 7, 20)) == date(2022, 12, 31)
    for text in ("13月底", "2月30日"):  # no date in any year: not a missing year
        with pytest.raises(DateError) as e:
            parse_day(text, None)
        assert not isinstance(e.value, YearMissing)


def test_sheet_year_and_column_letters() -> None:
    from yilan_cli.sheets import column_letter, sheet_year

    assert sheet_year(["2023年县委县政府重点工作任务台账", "填报日期:2024年1月5日"]) == 2023
    assert sheet_year(["2022—2023年重点工作", "填报日期:2023年1月5日"]) == 2023  # a title naming two years names none
    assert sheet_year(["重点工作台账", "Sheet1", "台账"]) is None
    assert sheet_year(["", "2023年重点工作"]) == 2023
    assert [column_letter(n) for n in (1, 8, 26, 27, 52, 53)] == ["A", "H", "Z", "AA", "AZ", "BA"]


def test_a_date_without_a_year_on_a_matter_takes_the_matter_s_year(git_demo: Path) -> None:
    """6月底 typed today (the clock says years later) for SW-002, last reported 2022-06-28, is 2022-06-30 — the
    first 6月底 on or after its last entry — and the command says so; close and signoff read it the same way."""
    r = run(git_demo, "update", "SW-002", "--progress", "25", "--note", "完成户厕改造300户", "--date", "6月底")
    assert r.exit_code == 0, r.output
    assert "进展日期 6月底 记为 2022-06-30(该事项最后一条进展为 2022-06-28,取其后最近的 6月底)" in r.stdout
    assert "- {日期: 2022-06-30, 进度: 25, 情况: 完成户厕改造300户}" in (git_demo / "ledgers/sheng/SW-002.yaml").read_text(
        encoding="utf-8")
    r = run(git_demo, "update", "SW-002", "--progress", "30", "--note", "完成户厕改造360户", "--date", "3月31日")
    assert r.exit_code == 0, r.output
    assert "记为 2023-03-31" in r.stdout  # the first 3月31日 after 2022-06-30
    r = run(git_demo, "close", "XC-003", "--date", "10月20日", "--note", "全部完成")
    assert r.exit_code == 0, r.output
    assert "办结日期 10月20日 记为 2022-10-20" in r.stdout
    assert "办结日期: 2022-10-20" in (git_demo / "ledgers/xiangcun/XC-003.yaml").read_text(encoding="utf-8")


def test_a_view_date_without_a_year_is_in_the_period_s_year(git_demo: Path) -> None:
    """report 2022Q2 --today 6月底 is the circular at 2022-06-30, not at 6月底 of the clock's year."""
    full = run(git_demo, "report", "2022Q2", "--today", "2022-06-30")
    assert full.exit_code == 0, full.output
    assert run(git_demo, "report", "2022Q2", "--today", "6月底").stdout == full.stdout
    assert run(git_demo, "rank", "2022Q2", "--today", "6月底").stdout == run(git_demo, "rank", "2022Q2", "--today",
                                                                              "2022-06-30").stdout

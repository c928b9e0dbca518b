"""Issue 21: the spreadsheets of ../shared/cases/sheets (copied to tests/cases/sheets) land as the office meant,
or each cell that cannot is reported by sheet and cell — never a silently wrong or dropped value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.yamlio import fast_load

CASES = Path(__file__).parent / "cases" / "sheets"


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def imported(root: Path, name: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    """Import a case into the 县委县政府督办 ledger (xian); the new matters by 事项."""
    before = {p.name for p in (root / "ledgers/xian").glob("*.yaml")}
    r = run(root, "import", str(CASES / name), "--ledger", "xian", "--assigned", "2022-01-01", "--today", "2022-06-01")
    new = [p for p in (root / "ledgers/xian").glob("*.yaml") if p.name not in before]
    docs = [fast_load(p.read_text(encoding="utf-8")) for p in new]
    return r, {d["事项"]: d for d in docs}


def progress(doc: dict[str, Any]) -> int | None:
    return next((e.get("进度") for e in reversed(doc.get("进展") or []) if e.get("进度") is not None), None)


def test_deadlines_written_as_spans_end_on_their_last_day(git_demo: Path) -> None:
    r, got = imported(git_demo, "02-时限写法.xlsx")
    deadlines = {title.split("(")[1].rstrip(")"): str(d["完成时限"]) for title, d in got.items()}
    assert deadlines == {
        "2022年12月31日前": "2022-12-31", "2022年9月30日之前": "2022-09-30", "2022年6月": "2022-06-30",
        "2022年上半年": "2022-06-30", "9月中旬": "2022-09-20", "年内": "2022-12-31", "2022年10月底": "2022-10-31",
        "２０２２年９月３０日": "2022-09-30", "2022年6月30号前": "2022-06-30",
    }
    # 每季度 is a report cycle, not a deadline: the cell is named, with what to write instead
    assert "工作表“台账”D7 单元格(完成时限) 无法识别：每季度" in r.stdout + r.stderr
    assert "报告周期" in r.stdout + r.stderr


def test_progress_written_as_shares_or_words(git_demo: Path) -> None:
    r, got = imported(git_demo, "03-进度写法.xlsx")
    assert {t: progress(d) for t, d in got.items()} == {"进度事项3": 80, "进度事项6": 100, "进度事项8": 50}
    said = r.stdout + r.stderr
    for row, text in ((2, "八成"), (3, "已完成"), (5, "约80%"), (6, "80%以上"), (8, "完成年度任务的75%")):
        assert f"工作表“台账”E{row} 单元格(完成进度) 无法识别：{text}" in said, text


def test_a_column_of_shares_reads_one_as_all(git_demo: Path) -> None:
    """Another system's CSV writes 进度 as shares of 1: 0.8 is 80, and in that column 1 is 100."""
    _, got = imported(git_demo, "04-小数进度.csv")
    assert {t: progress(d) for t, d in got.items()} == {"小数进度事项甲": 80, "小数进度事项乙": 100}


def test_dates_of_a_1904_workbook_are_not_shifted(git_demo: Path) -> None:
    _, got = imported(git_demo, "06-1904日期系统.xlsx")
    doc = got["城区停车场建设"]
    assert (str(doc["交办日期"]), str(doc["完成时限"])) == ("2022-02-10", "2022-10-31")


@pytest.mark.parametrize(("values", "expected"), [
    ([0.8, 1], [80, 100]), ([0.8, 45], [80, 45]), ([1, 1], [1, 1]), (["0.5", "1"], [50, 100]), (["80%", 1], [80, 1]),
])
def test_which_columns_hold_shares(values: list[Any], expected: list[int]) -> None:
    from yilan_cli.sheets import _fraction_column, cell_progress

    fractions = _fraction_column(values)
    assert [cell_progress(v, fractions) for v in values] == expected


def test_a_formula_saved_without_its_value_names_its_cell(git_demo: Path) -> None:
    """Written by a program and never opened in Excel/WPS: the values are not in the file — never read as
    empty (缺少事项) or 0 (进度)."""
    r, got = imported(git_demo, "07-含公式未计算.xlsx")
    said = r.stdout + r.stderr
    assert got == {} and r.exit_code == 1
    for cell, formula in (("D2 单元格(完成时限)", "=DATE(2022,6,30)"), ("B3 单元格(工作任务)", '="公式事项"&"二"'),
                          ("C4 单元格(责任单位)", '="县住建局"'), ("E5 单元格(完成进度)", "=ROUND(3/4*100,0)")):
        assert f"错误[X014] 工作表“台账”{cell} 是公式（{formula}），文件中没有保存计算结果" in said, cell
    assert "在 Excel/WPS 中打开该文件、保存后再导入" in said


def test_a_two_row_header_with_merged_parents(git_demo: Path) -> None:
    """推进情况 over 完成进度 | 存在问题: each column keeps its own field, the sub-header row is no data row."""
    r, got = imported(git_demo, "18-两行表头.xlsx")
    assert r.exit_code == 0, r.output
    assert set(got) == {"县城供水管网改造", "农贸市场升级改造"}
    water = got["县城供水管网改造"]["进展"][-1]
    assert (water.get("进度"), water.get("存在问题"), water.get("情况")) == (65, "资金缺口300万元", None)
    assert str(got["县城供水管网改造"]["完成时限"]) == "2022-09-30"


@pytest.mark.parametrize(("name", "code", "words"), [
    ("08-加密的台账.xlsx", "X015", "设置了打开密码"),
    ("08-县住建局台账.xlsx", "X001", "旧版 Excel 97-2003（.xls）或 WPS 表格（.et）格式"),
    ("08-台账.et", "X001", "另存为“Excel 工作簿（*.xlsx）”"),
])
def test_files_a_workbook_cannot_be_read_from_say_what_they_are(git_demo: Path, name: str, code: str, words: str) -> None:
    r, got = imported(git_demo, name)
    assert r.exit_code == 2 and got == {} and r.stderr.startswith(f"错误[{code}]") and words in r.stderr, r.output
    assert "BadZipFile" not in r.output


@pytest.mark.parametrize(("name", "title"), [("08-系统导出.xls", "网页导出事项"), ("08-制表符分隔.csv", "制表符分隔事项")])
def test_a_web_page_named_xls_and_a_tab_separated_gbk_csv_are_read(git_demo: Path, name: str, title: str) -> None:
    r, got = imported(git_demo, name)
    assert r.exit_code == 0, r.output
    assert str(got[title]["完成时限"]) == "2022-06-30" and got[title]["牵头单位"] == "县住建局"


def test_an_html_table_spans_fill_like_merged_cells() -> None:
    from yilan_cli.sheets import html_grid

    page = ("<html><body><table><tr><th>工作任务</th><th>责任单位</th><th>完成时限</th></tr>"
            "<tr><td>甲</td><td rowspan=2>县水务局</td><td>2022-06-30</td></tr>"
            "<tr><td>乙</td><td>2022-07-31</td></tr><tr><td colspan=2>合计&amp;说明<br>第二行</td><td></td></tr>"
            "</table><table><tr><td>另一张表</td></tr></table></body></html>")
    assert html_grid(page.encode()) == [["工作任务", "责任单位", "完成时限"], ["甲", "县水务局", "2022-06-30"],
                                        ["乙", "县水务局", "2022-07-31"], ["合计&说明\n第二行", "合计&说明\n第二行", None]]


def test_hidden_sheets_and_rows_are_said(git_demo: Path, tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["工作任务", "责任单位", "完成时限"])
    ws.append(["甲事项", "县水务局", "2022-12-31"])
    ws.append(["乙事项", "县住建局", "2022-12-31"])
    ws.row_dimensions[3].hidden = True  # filtered out in WPS
    scratch = wb.create_sheet("草稿")
    scratch.append(["工作任务", "责任单位", "完成时限"])
    scratch.append(["草稿事项", "县水务局", "2022-12-31"])
    scratch.sheet_state = "hidden"
    wb.save(book)
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01")
    assert r.exit_code == 0, r.output
    assert "工作表“草稿”是隐藏的，未读取" in r.stderr and "草稿事项" not in r.stdout
    assert "工作表“台账”第 3 行是隐藏行（筛选或手工隐藏），已照常读取" in r.stderr and "乙事项" in r.stdout
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01", "--sheet", "草稿")
    assert "草稿事项" in r.stdout


def test_marking_a_milestone_adds_no_empty_progress_line(git_demo: Path) -> None:
    path = git_demo / "ledgers/xian/XW-002.yaml"
    entries = path.read_text(encoding="utf-8").count("  - {日期: ")
    r = run(git_demo, "update", "XW-002", "--milestone", "完成招标=2022-07-10", "--date", "2022-07-12")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert "{名称: 完成招标, 时限: 2022-05-31, 完成日期: 2022-07-10}" in text
    assert text.count("  - {日期: ") == entries and "{日期: 2022-07-12}" not in text
    assert run(git_demo, "audit").exit_code == 0


def test_the_fill_in_form_carries_milestones_and_records_those_met(git_demo: Path, tmp_path: Path) -> None:
    import openpyxl

    from .conftest import filled_form

    form = filled_form(git_demo, tmp_path, {5: {"本期完成节点": "完成招标=7月10日、开工建设"}})
    ws = openpyxl.load_workbook(form)["进展填报"]
    header = [c.value for c in ws[3]]
    assert "未完成节点" in header and "本期完成节点" in header
    assert ws.cell(5, header.index("未完成节点") + 1).value == "完成招标（时限 2022-05-31）\n开工建设（时限 2022-07-15）"
    path = git_demo / "ledgers/xian/XW-002.yaml"
    entries = path.read_text(encoding="utf-8").count("  - {日期: ")
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert "{名称: 完成招标, 时限: 2022-05-31, 完成日期: 2022-07-10}" in text
    assert "{名称: 开工建设, 时限: 2022-07-15, 完成日期: 2022-07-31}" in text  # no date: within the period
    assert text.count("  - {日期: ") == entries  # marks alone add no 进展 line
    again = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-05")  # sent twice
    assert again.exit_code == 0 and "节点完成已记录(此表已导入过),不重复写入" in again.stdout
    assert path.read_text(encoding="utf-8") == text
    bad = filled_form(git_demo, tmp_path, {5: {"本期完成节点": "完工验收"}})
    r = run(git_demo, "import", "--progress", str(bad), "--today", "2022-08-03")
    assert r.exit_code == 1 and "XW-002 没有名为 完工验收 的节点" in r.stderr


def test_the_alias_table_in_the_docs_is_the_codes() -> None:
    from yilan_cli.sheets import ALIASES, IGNORED

    doc = (Path(__file__).parent.parent / "docs" / "excel.md").read_text(encoding="utf-8")
    for field, names in ALIASES.items():
        assert f"| {field} | {'、'.join(names)} |" in doc, field
    assert "、".join(IGNORED) in doc


@pytest.mark.parametrize("typed", ["长期坚持", "持续推进", "2022年上半年", "三季度"])
def test_the_command_line_reads_deadlines_as_sheets_do(git_demo: Path, typed: str) -> None:
    r = run(git_demo, "add", "ZB", "--title", "测试", "--lead-unit", "县水务局", "--deadline", typed,
            "--assigned", "2022-01-10")
    assert r.exit_code == 0, r.output
    text = (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    expected = {"长期坚持": "长期", "持续推进": "长期", "2022年上半年": "2022-06-30", "三季度": "2022-09-30"}[typed]
    assert f"完成时限: {expected}\n" in text


# ------------------------------------------------------------------ the review round's inputs (issue 21)
def _book(tmp_path: Path, rows: list[list[Any]], name: str = "台账.xlsx", fmt: dict[str, str] | None = None,
          merges: tuple[str, ...] = ()) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for r in rows:
        ws.append(r)
    for ref, f in (fmt or {}).items():
        ws[ref].number_format = f
    for ref in merges:
        ws.merge_cells(ref)
    path = tmp_path / name
    wb.save(path)
    return path


def test_two_columns_for_one_field_are_refused(git_demo: Path, tmp_path: Path) -> None:
    book = _book(tmp_path, [["事项", "牵头单位", "完成时限", "完成时间（实际）", "进度"],
                            ["任务甲", "县住建局", "2022-12-31", "2022-05-20", 60]])
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01")
    assert r.exit_code == 2 and "[X017]" in r.stderr and "C 列“完成时限”和 D 列“完成时间（实际）”都对应字段 完成时限" in r.stderr
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01",
            "--map", "完成时间（实际）=-")
    assert r.exit_code == 0, r.output


def test_a_merge_across_columns_gives_its_text_to_its_first_column(tmp_path: Path) -> None:
    from yilan_cli.sheets import read_table

    book = _book(tmp_path, [["事项", "牵头单位", "完成时限", "进展情况", "存在问题"],
                            ["修路", "县住建局", "2022-12-31", "已开工建设，目前无问题", None]], merges=("D2:E2",))
    (_, values), = read_table(book).rows
    assert values.get("进展情况") == "已开工建设，目前无问题" and "存在问题" not in values


@pytest.mark.parametrize(("cell", "expected"), [
    ("2022.6-2022.12", "2022-12-31"), ("2022-06-30至2022-12-31", "2022-12-31"), ("2022/6/1~2022/12/31", "2022-12-31"),
])
def test_ranges_of_whole_dates_end_on_their_end(cell: str, expected: str) -> None:
    from datetime import date

    from yilan_cli.sheets import cell_date

    assert str(cell_date(cell, date(2022, 1, 1))) == expected


def test_a_date_cell_shown_as_a_month_is_that_month(tmp_path: Path) -> None:
    from datetime import datetime

    from yilan_cli.sheets import read_table

    book = _book(tmp_path, [["事项", "牵头单位", "完成时限"], ["修路", "县住建局", datetime(2022, 12, 1)]],
                 fmt={"C2": 'yyyy"年"m"月"'})
    (_, values), = read_table(book).rows
    assert values["完成时限"] == "2022年12月"


def test_a_formula_error_value_is_no_data(git_demo: Path, tmp_path: Path) -> None:
    book = _book(tmp_path, [["事项", "牵头单位", "完成时限", "进展情况"], ["修路", "县住建局", "2022-12-31", "#N/A"]])
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01")
    assert r.exit_code == 1 and "[X014] 工作表“台账”D2 单元格(进展情况) 是公式出错的结果 #N/A" in r.stderr


def test_progress_rounds_half_up_and_a_lone_one_beside_shares_and_percentages_is_asked(git_demo: Path,
                                                                                   tmp_path: Path) -> None:
    from yilan_cli.sheets import cell_progress

    assert [cell_progress(v) for v in (72.5, "72.5", 0.725, 100.4)] == [73, 73, 73, 100]
    book = _book(tmp_path, [["事项", "牵头单位", "完成时限", "进度"], ["甲", "县住建局", "2022-12-31", 0.5],
                            ["乙", "县住建局", "2022-12-31", 60], ["丙", "县住建局", "2022-12-31", 1]])
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01")
    assert "工作表“台账”D4 单元格(进度) 的 1 是 1% 还是 100%？" in r.stderr


def test_a_fill_form_is_not_a_ledger_and_reports_each_matter_once(git_demo: Path, tmp_path: Path) -> None:
    from .conftest import filled_form

    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 30, "进展情况": "第一次填"}})
    r = run(git_demo, "import", str(form), "--ledger", "xian", "--today", "2022-08-03")
    assert r.exit_code == 2 and "[X008]" in r.stderr and "--progress" in r.stderr
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ws = wb["进展填报"]
    for c in range(1, ws.max_column + 1):
        ws.cell(6, c).value = ws.cell(4, c).value
    ws.cell(6, [x.value for x in ws[3]].index("本期进度") + 1).value = 40
    wb.save(form)
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert "[X018] SW-002 在表中出现两次（第 4 行和第 6 行）" in r.stderr


def test_a_fill_form_row_with_only_a_problem_is_recorded(git_demo: Path, tmp_path: Path) -> None:
    from .conftest import filled_form

    form = filled_form(git_demo, tmp_path, {4: {"存在问题": "资金缺口2000万元", "下步措施": "争取专项债"}})
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 0, r.output
    assert "存在问题: 资金缺口2000万元" in (git_demo / "ledgers/sheng/SW-002.yaml").read_text(encoding="utf-8")


def test_html_and_csv_edges(tmp_path: Path) -> None:
    from yilan_cli.sheets import html_grid, read_table

    said: list[str] = []
    page = ("<table><tr><td>工作任务</td><td>责任单位</td></tr><tr style='display: none'><td>甲\n      事项</td>"
            "<td>县水务局</td></tr></table>")
    assert html_grid(page.encode(), notes=said) == [["工作任务", "责任单位"], ["甲 事项", "县水务局"]]
    assert said and "display:none" in said[0]
    csv_path = tmp_path / "导出.csv"
    csv_path.write_bytes("2022年台账\n工作任务\t责任单位\t完成时限\n甲\t县水务局\t2022-12-31\n".encode("gbk"))
    assert read_table(csv_path).rows[0][1]["牵头单位"] == "县水务局"
    csv_path.write_bytes("工作任务,责任单位,完成时限\n乙,县住建局,2022-12-31\n".encode("utf-16"))
    assert read_table(csv_path).rows[0][1]["事项"] == "乙"


def test_a_column_a_unit_adds_to_the_form_is_said_not_imported(git_demo: Path, tmp_path: Path) -> None:
    import openpyxl

    from .conftest import filled_form

    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 30, "进展情况": "推进"}})
    wb = openpyxl.load_workbook(form)
    ws = wb["进展填报"]
    ws.protection.sheet = False
    col = ws.max_column + 1
    ws.cell(3, col).value = "备注"
    ws.cell(4, col).value = "另附说明材料"
    wb.save(form)
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 0, r.output
    assert "填报表不导入这些列的内容：备注" in r.stderr


def test_a_past_sheet_dates_progress_by_its_own_filing_day(git_demo: Path, tmp_path: Path) -> None:
    book = _book(tmp_path, [["2022年县委县政府重点工作台账"], ["填报日期：2022年7月5日"],
                            ["事项", "牵头单位", "完成时限", "进度"], ["修路", "县住建局", "2022-12-31", "70%"]])
    before = {p.name for p in (git_demo / "ledgers/xian").glob("*.yaml")}
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--assigned", "2022-02-01")
    assert r.exit_code == 0, r.output
    assert "按表头的填报日期 2022-07-05 记进展" in r.stderr
    new = next(p for p in (git_demo / "ledgers/xian").glob("*.yaml") if p.name not in before)
    assert "{日期: 2022-07-05, 进度: 70}" in new.read_text(encoding="utf-8")


def test_a_past_sheet_without_assigned_dates_says_what_to_add(git_demo: Path) -> None:
    r = run(git_demo, "import", str(CASES / "02-时限写法.xlsx"), "--ledger", "xian", "--dry-run")
    assert "（表中没有交办日期，按" in r.stderr and "--assigned" in r.stderr


def test_the_default_fill_form_name_never_blanks_a_returned_form(git_demo: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["export", "--fill", "--unit", "县住建局", "--period", "2022-07"]
    assert run(git_demo, *args).exit_code == 0
    returned = tmp_path / "填报表-县住建局-2022-07.xlsx"
    data = returned.read_bytes()
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "[E504]" in r.stderr and returned.read_bytes() == data
    r = run(git_demo, "import", "--progress", str(returned), "--today", "2022-08-03")  # still blank
    assert r.exit_code == 2 and "[X019]" in r.stderr


def test_progress_over_100_and_a_mark_without_its_equals_sign_name_the_fix(git_demo: Path, tmp_path: Path) -> None:
    from .conftest import filled_form

    book = _book(tmp_path, [["事项", "牵头单位", "完成时限", "进度"], ["修路", "县住建局", "2022-12-31", "120%"]])
    r = run(git_demo, "import", str(book), "--ledger", "xian", "--dry-run", "--assigned", "2022-01-01")
    assert "[E206] 工作表“台账”D2 单元格(进度) 的进度 120% 不在 0–100 之间" in r.stderr and "超额完成写100" in r.stderr
    form = filled_form(git_demo, tmp_path, {5: {"本期完成节点": "开工建设 7月20日"}})
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert "写成 开工建设=7月20日" in r.stderr

"""Excel and CSV in and out with real files made by openpyxl, in real git repositories."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import filled_form, git

COMPUTED = ("台账", "预警灯", "序时进度", "超期天数")  # derived, not stored


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # UTF-8 with BOM: WPS/Excel open it as Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    r = CliRunner().invoke(app, ["init", str(tmp_path / "fresh")], catch_exceptions=False)
    assert r.exit_code == 0
    return tmp_path / "fresh"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips_every_stored_field(git_demo: Path, fresh: Path, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert run(git_demo, "export", "--include-sensitive", "--today", "2022-06-30", "-o", str(first)).exit_code == 0
    r = run(fresh, "import", str(first), "--today", "2022-07-01")
    assert r.exit_code == 0, r.output
    assert "新增 42 项,更新 0 项" in r.stdout
    assert git(fresh, "log", "-1", "--format=%s").strip() == f"导入 a.{fmt}:新增 42 项,更新 0 项"
    assert run(fresh, "export", "--include-sensitive", "--today", "2022-06-30", "-o", str(second)).exit_code == 0
    assert stored(first) == stored(second)
    # importing again changes nothing and never duplicates
    before = git(fresh, "rev-parse", "HEAD")
    r = run(fresh, "import", str(first), "--today", "2022-07-02")
    assert "没有需要写入的修改" in r.stdout and git(fresh, "rev-parse", "HEAD") == before
    assert len(list((fresh / "ledgers").rglob("*.yaml"))) == 42


def stored(path: Path) -> list[list[Any]]:
    """Every row of an export without its computed columns, as text, sorted."""
    if path.suffix == ".csv":
        tables = [csv_rows(path.read_bytes())]
    else:
        wb = openpyxl.load_workbook(path)
        tables = [[[("" if c is None else str(c)) for c in r] for r in s.iter_rows(values_only=True)] for s in wb.worksheets[1:]]
    rows = []
    for table in tables:
        keep = [i for i, name in enumerate(table[0]) if name not in COMPUTED]
        rows += [[r[i] for i in keep] for r in table]
    return sorted(rows)


def ledger_workbook(path: Path) -> None:
    """A sheet as offices keep it: a title, a date line, aliases, merged units, serial and text dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "县委县政府重点工作"
    ws.append(["2022年县委县政府重点工作任务台账"])
    ws.append(["填报日期:2022年7月5日"])
    ws.append(["序号", "工作任务", "目标任务", "责任单位", "牵头县领导", "时限要求", "推进情况", "完成进度"])
    ws.append([1, "城区供水管网改造", "年底前改造管网20公里", "县水务局", "分管副县长", 44773, "完成设计", "30%"])
    ws.append([2, "农贸市场提档升级", "新建农贸市场1处", None, "分管副县长", "2022年9月底", "完成选址", 0.2])
    ws.append([3, "老旧小区改造", "改造小区12个", "县住建局", "分管副县长", "10月底前", "7个小区开工", 45])
    ws.merge_cells("D4:D5")  # 县水务局 leads rows 4 and 5
    ws.append([4, "智慧城管平台", "平台上线", "县城管局", "分管副县长", "2022-12-31", None, None])
    ws.append([5, "", "缺少事项名称的行", "县住建局", None, "2022-12-31", None, None])
    ws.append([6, "公厕改造", "新建公厕10座", "县住建局", None, "明年某时", None, None])
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws.merge_cells("A1:H1")
    wb.save(path)


def test_importing_a_real_ledger_sheet(fresh: Path, tmp_path: Path) -> None:
    book = tmp_path / "2022年重点工作台账.xlsx"
    ledger_workbook(book)
    r = run(fresh, "import", str(book), "--ledger", "xian", "--assigned", "2022-02-01", "--today", "2022-07-05")
    assert r.exit_code == 1, r.output  # some rows were bad; the good ones landed
    assert "2022年重点工作台账.xlsx:7: 错误[E305] 单位未登记:县城管局" in r.stderr
    assert "2022年重点工作台账.xlsx:8: 错误[E202] 该行缺少事项" in r.stderr
    assert "2022年重点工作台账.xlsx:9: 错误[E203] 工作表“县委县政府重点工作”F9 单元格(时限要求) 无法识别：明年某时" in r.stderr
    assert git(fresh, "log", "-1", "--format=%s").strip() == "导入 2022年重点工作台账.xlsx:新增 3 项,更新 0 项"
    xw1 = (fresh / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8")
    assert "完成时限: 2022-07-31\n" in xw1  # Excel serial 44773
    assert "- {日期: 2022-07-05, 进度: 30, 情况: 完成设计}" in xw1
    xw2 = (fresh / "ledgers/xian/XW-002.yaml").read_text(encoding="utf-8")
    assert "牵头单位: 县水务局\n" in xw2 and "完成时限: 2022-09-30\n" in xw2 and "进度: 20" in xw2  # merged cell, 0.2
    xw3 = (fresh / "ledgers/xian/XW-003.yaml").read_text(encoding="utf-8")
    assert "完成时限: 2022-10-31\n" in xw3 and "牵头领导: [分管副县长]" in xw3
    assert (fresh / "ledgers/xian/.last-id").read_text() == "3\n"
    # next month the office re-imports the same sheet with new figures: matched by 事项 + 牵头单位
    wb = openpyxl.load_workbook(book)
    wb.active["H4"] = "55%"
    wb.active["G4"] = "完成管材招标"
    wb.save(book)
    r = run(fresh, "import", str(book), "--ledger", "xian", "--today", "2022-08-05")
    assert "第 4 行 更新 XW-001 城区供水管网改造:进度 30% → 55%" in r.stdout
    assert "第 6 行 不变 XW-003" in r.stdout
    names = sorted(p.name for p in (fresh / "ledgers/xian").glob("*.yaml"))
    assert names == ["XW-001.yaml", "XW-002.yaml", "XW-003.yaml"]
    xw1 = (fresh / "ledgers/xian/XW-001.yaml").read_text(encoding="utf-8")
    assert "- {日期: 2022-08-05, 进度: 55, 情况: 完成管材招标}" in xw1


def test_strict_and_dry_run_write_nothing(fresh: Path, tmp_path: Path) -> None:
    book = tmp_path / "台账.xlsx"
    ledger_workbook(book)
    before = git(fresh, "rev-parse", "HEAD")
    r = run(fresh, "import", str(book), "--ledger", "xian", "--strict", "--today", "2022-07-05")
    assert r.exit_code == 2 and "按 --strict 未导入任何内容" in r.stderr
    r = run(fresh, "import", str(book), "--ledger", "xian", "--dry-run", "--today", "2022-07-05")
    assert "试运行:3 个事项将被写入,3 行有错误;未写入任何文件" in r.stdout
    assert git(fresh, "rev-parse", "HEAD") == before and git(fresh, "status", "--porcelain") == ""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_three_encodings(fresh: Path, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "台账.csv"
    text = "事项名称,承办单位,完成时间,进展情况,完成进度\n秸秆综合利用,县农业农村局,2022年10月底,完成收储点建设,40%\n"
    path.write_bytes(text.encode(encoding))
    r = run(fresh, "import", str(path), "--ledger", "xiangcun", "--assigned", "2022-03-01", "--today", "2022-07-01")
    assert r.exit_code == 0, r.output
    xc = (fresh / "ledgers/xiangcun/XC-001.yaml").read_text(encoding="utf-8")
    assert "事项: 秸秆综合利用\n" in xc and "完成时限: 2022-10-31\n" in xc and "进度: 40" in xc


def test_old_formats_and_open_files_get_a_sentence(fresh: Path, tmp_path: Path) -> None:
    for name in ("台账.xls", "台账.et"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0")
        r = run(fresh, "import", str(tmp_path / name), "--ledger", "xian")
        assert r.exit_code == 2 and "[X001]" in r.stderr and "另存为“Excel 工作簿（*.xlsx）”后再导入" in r.stderr
    book = tmp_path / "台账.xlsx"
    ledger_workbook(book)
    (tmp_path / "~$台账.xlsx").write_bytes(b"owner")  # what WPS/Excel leave while the workbook is open
    r = run(fresh, "import", str(book), "--ledger", "xian")
    assert r.exit_code == 2 and "文件被占用,请先关闭" in r.stderr


HOSTILE = ["=HYPERLINK(\"http://evil.example/\",\"点击\")", "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


def test_formula_injection_is_neutralised_both_ways(git_demo: Path, fresh: Path, tmp_path: Path) -> None:
    for title in HOSTILE:
        r = run(git_demo, "add", "zhongda", "--title", title, "--lead-unit", "县委办", "--deadline", "2022-12-31",
                "--assigned", "2022-07-01")
        assert r.exit_code == 0, r.output
    out_csv, out_xlsx = tmp_path / "x.csv", tmp_path / "x.xlsx"
    run(git_demo, "export", "zhongda", "-o", str(out_csv), "--today", "2022-07-01")
    run(git_demo, "export", "zhongda", "-o", str(out_xlsx), "--today", "2022-07-01")
    titles = [row[1] for row in csv_rows(out_csv.read_bytes())[1:]]
    assert titles[1:] == ["'" + t for t in HOSTILE]
    wb = openpyxl.load_workbook(out_xlsx)
    cells = [row[2] for row in wb.worksheets[1].iter_rows(min_row=2)]  # 事项 after 预警灯 and 编号
    assert [c.value for c in cells][1:] == HOSTILE
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    r = run(fresh, "import", str(out_csv), "--today", "2022-07-02")
    assert r.exit_code == 0, r.output
    for i, title in enumerate(HOSTILE, start=2):
        assert f"ZD-00{i}" in r.stdout
        doc = (fresh / f"ledgers/zhongda/ZD-00{i}.yaml").read_text(encoding="utf-8")
        from yilan_cli.yamlio import fast_load

        assert fast_load(doc)["事项"] == title


def test_the_monthly_fill_in_round(git_demo: Path, tmp_path: Path) -> None:
    form = tmp_path / "填报表.xlsx"
    r = run(git_demo, "export", "--fill", "--unit", "县住建局", "--period", "2022年7月", "-o", str(form))
    assert r.exit_code == 0, r.output
    assert "县住建局 2022年7月进展填报表:2 项" in r.stdout
    wb = openpyxl.load_workbook(form)
    ws = wb["进展填报"]
    assert ws.protection.sheet is True
    header = [c.value for c in ws[3]]
    assert header == ["编号", "事项", "完成时限", "上期进度", "本期进度", "上期指标", "本期指标", "未完成节点", "本期完成节点",
                      "进展情况", "存在问题", "下步措施"]
    col = {name: header.index(name) + 1 for name in header}
    ids = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert ids == ["SW-002", "XW-002"]
    assert ws.cell(4, 1).protection.locked and ws.cell(4, 2).protection.locked
    assert ws.cell(4, col["上期指标"]).protection.locked
    for name in ("本期进度", "本期指标", "本期完成节点", "进展情况"):
        assert not ws.cell(4, col[name]).protection.locked, name
    assert ws.cell(4, col["未完成节点"]).protection.locked
    # the figure as it stood at the period's end (2022-07-31): June's 240户
    assert ws.cell(4, col["上期指标"]).value == "户厕改造 240/1200户 (20.0%)"
    assert ws.cell(5, col["上期指标"]).value is None  # XW-002 has no 量化指标
    rules = ws.data_validations.dataValidation
    assert rules and rules[0].type == "whole" and (rules[0].formula1, rules[0].formula2) == ("0", "100")
    assert wb["_yilan"].sheet_state == "veryHidden"
    # the unit fills it in, the way WPS/Excel would save it
    ws.cell(4, col["本期进度"]).value = 35
    ws.cell(4, col["本期指标"]).value = "户厕改造=420户"
    ws.cell(4, col["进展情况"]).value = "完成户厕改造420户"
    ws.cell(4, col["存在问题"]).value = "施工队伍仍不足"
    ws.cell(5, col["本期进度"]).value = 65
    ws.cell(5, col["进展情况"]).value = "完成招标,7月15日开工"
    wb.save(form)
    before = int(git(git_demo, "rev-list", "--count", "HEAD"))
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 0, r.output
    assert int(git(git_demo, "rev-list", "--count", "HEAD")) == before + 1
    assert git(git_demo, "log", "-1", "--format=%s").strip() == "导入 县住建局 2022年7月进展填报:2 项"
    sw = (git_demo / "ledgers/sheng/SW-002.yaml").read_text(encoding="utf-8")
    assert ("- {日期: 2022-07-31, 进度: 35, 指标: {户厕改造: 420}, 情况: 完成户厕改造420户, 存在问题: 施工队伍仍不足, "
            "报告人: 县住建局, 报送日期: 2022-08-03}") in sw
    assert "- {日期: 2022-06-28, 进度: 20, 指标: {户厕改造: 240}," in sw  # the old undated value, dated by its entry
    assert "进度: 65, 情况: '完成招标,7月15日开工'" in (git_demo / "ledgers/xian/XW-002.yaml").read_text(encoding="utf-8")


def test_a_fill_in_figure_that_is_not_a_pair_names_its_cell(git_demo: Path, tmp_path: Path) -> None:
    form = filled_form(git_demo, tmp_path, {4: {"本期指标": "改造了420户"},
                                            5: {"本期指标": "户厕=5"}})  # XW-002 has no such indicator
    before = (git_demo / "ledgers/sheng/SW-002.yaml").read_bytes()
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 1
    assert "填报表.xlsx:4: 错误[E205] 工作表“进展填报”G4 单元格(本期指标) 无法识别：改造了420户" in r.stderr \
        and "户厕改造=600" in r.stderr
    assert "填报表.xlsx:5: 错误[E201] 没有名为 户厕 的量化指标" in r.stderr
    assert (git_demo / "ledgers/sheng/SW-002.yaml").read_bytes() == before


def test_an_altered_row_in_the_fill_in_form_is_refused(git_demo: Path, tmp_path: Path) -> None:
    form = tmp_path / "填报表.xlsx"
    run(git_demo, "export", "--fill", "--unit", "县住建局", "--period", "2022-07", "-o", str(form))
    wb = openpyxl.load_workbook(form)
    ws = wb["进展填报"]
    ws.protection.sheet = False  # a unit that removed the protection and edited the title
    ws.cell(4, 2).value = "农村人居环境整治(已改)"
    ws.cell(4, 5).value = 40
    ws.cell(5, 1).value = "ZB-001"  # and pasted another unit's ID
    ws.cell(5, 5).value = 50
    wb.save(form)
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 1
    assert "填报表.xlsx:4: 错误[X009] 第 4 行的编号或事项被改动" in r.stderr
    assert "填报表.xlsx:5: 错误[X009]" in r.stderr
    assert "没有需要写入的修改" in r.stdout


def test_xlsx_export_is_styled_for_people(git_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    run(git_demo, "export", "-o", str(out), "--today", "2022-06-30")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "汇总" and "重点工作专班" in wb.sheetnames and len(wb.sheetnames) == 14
    summary = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    assert summary[-1] == ["合计", 42, 4, 5, 1, 14, 17, 3, 3, 0.476]  # 47.6% (tests/test_export_layout.py)
    ws = wb["重点工作专班"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref.startswith("A1:")
    assert ws["A1"].font.bold
    light_col = [c.value for c in ws[1]].index("预警灯") + 1
    assert ws.cell(2, light_col).value == "绿" and ws.cell(2, light_col).fill.fgColor.rgb.endswith("C8E6C9")
    assert ws.column_dimensions["C"].width > 20  # 事项, fitted to the Chinese titles


def test_json_export_and_the_schema_validates_the_demo(git_demo: Path) -> None:
    import json

    import jsonschema

    doc = json.loads(run(git_demo, "export", "--format", "json", "--today", "2022-06-30").stdout)
    assert doc["version"] == 1 and len(doc["matters"]) == 42
    xf = next(m for m in doc["matters"] if m["matter"]["id"] == "XF-001")
    assert xf["extra"] == {"petition_no": "YLXF-2022-0012"}  # 信访人 is sensitive
    schema = json.loads((git_demo / "schemas/matter.schema.json").read_text(encoding="utf-8"))
    from yilan_cli.yamlio import fast_load

    for path in sorted((git_demo / "ledgers").rglob("*.yaml")):
        jsonschema.validate(fast_load(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"编号": "ZB-001", "事项": "x", "未知字段": 1}, schema)


def test_guard_and_unquote() -> None:
    from yilan_cli.sheets import guard, unquote

    for text in ("=1", "+1", "-1", "@1", "\t=1", "\r=1"):
        assert guard(text) == "'" + text and unquote(guard(text)) == text
    assert guard("县住建局") == "县住建局" and guard(-5) == -5 and unquote("'普通引号") == "'普通引号"


def test_date_cells(tmp_path: Path) -> None:
    from yilan_cli.sheets import cell_date, cell_progress

    today = date(2022, 7, 1)
    assert cell_date(44773, today) == date(2022, 7, 31)
    assert cell_date(datetime(2022, 4, 30, 0, 0), today) == date(2022, 4, 30)
    assert cell_date("2022年4月底", today) == date(2022, 4, 30)
    assert cell_date("4月底前", today) == date(2022, 4, 30)
    assert cell_date("2022.4.3", today) == date(2022, 4, 3)
    assert cell_date("2022-04-30 00:00:00", today) == date(2022, 4, 30)
    assert cell_date("长期", today) == "长期"
    assert [cell_progress(v) for v in (0.7, "70%", 70, "70", 1, None)] == [70, 70, 70, 70, 1, None]


def test_a_fill_in_form_imported_twice_records_its_report_once(git_demo: Path, tmp_path: Path) -> None:
    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 35, "本期指标": "户厕改造=420", "进展情况": "完成户厕改造420户"}})
    assert run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03").exit_code == 0
    commits = git(git_demo, "rev-list", "--count", "HEAD")
    again = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-05")  # the unit sent it twice
    assert again.exit_code == 0, again.output
    assert "SW-002 农村人居环境整治提升五年行动(2022年度任务):已有相同的 2022-07-31 进展(此表已导入过),不重复写入" in again.stdout
    assert "没有需要写入的修改" in again.stdout and git(git_demo, "rev-list", "--count", "HEAD") == commits
    text = (git_demo / "ledgers/sheng/SW-002.yaml").read_text(encoding="utf-8")
    assert text.count("日期: 2022-07-31") == 1


def test_a_late_form_after_a_later_entry_says_what_to_do(git_demo: Path, tmp_path: Path) -> None:
    form = filled_form(git_demo, tmp_path, {4: {"本期进度": 35}})
    assert run(git_demo, "update", "SW-002", "--progress", "50", "--note", "完成600户", "--date", "2022-08-31").exit_code == 0
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-09-03")
    assert r.exit_code == 1
    assert ("填报表.xlsx:4: 错误[E307] SW-002 已有更晚的进展(2022-08-31),2022年7月的填报不能再按 2022-07-31 记入"
            in r.stderr) and "--note" not in r.stderr


@pytest.mark.parametrize(("cell", "expected"), [
    ("户厕改造=600", [("户厕改造", 600.0, "")]),
    ("户厕改造＝600户;引进项目：4", [("户厕改造", 600.0, "户"), ("引进项目", 4.0, "")]),
    ("户厕改造=1.5万", [("户厕改造", 1.5, "万")]),  # the unit is checked against the indicator's by the importer
    # the figure read as the command line reads it (indicators.parse_figure): a thousands separator is 1200
    ("户厕改造=1,200", [("户厕改造", 1200.0, "")]), ("户厕改造=1,20", ValueError),
    ("户厕改造=1e3", ValueError), ("户厕改造=1 200", ValueError),
    ("户厕改造=1+1", ValueError), ("户厕改造=600,x=1", ValueError), ("户厕改造=600;户厕改造=700", ValueError),
    ("改造了420户", ValueError), ("", []),
])
def test_a_figures_cell_is_read_whole_or_refused(cell: str, expected: Any) -> None:
    from yilan_cli.sheets import cell_indicators

    if expected is ValueError:
        with pytest.raises(ValueError):
            cell_indicators(cell)
    else:
        assert cell_indicators(cell) == expected


def test_a_figure_in_another_unit_is_refused_naming_the_unit(git_demo: Path, tmp_path: Path) -> None:
    form = filled_form(git_demo, tmp_path, {4: {"本期指标": "户厕改造=1.2万"}})
    r = run(git_demo, "import", "--progress", str(form), "--today", "2022-08-03")
    assert r.exit_code == 1
    assert "填报表.xlsx:4: 错误[E215] 指标 户厕改造 的单位是户，填报的单位是万" in r.stderr

"""Shared values never become git options or paths out of the workspace (issue 16: the first two kinds).

A ledger repository is written by colleagues, units and the forge: a committed value is data. Each test
stands for a case in shared/cases/hostile/ and asserts the file untouched and the refusal named.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git, tmpfs, written_notes

POSIX = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def run(root: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def tamper_source_commit(repo: Path, value: str) -> None:
    register = repo / "reports" / "issued.yaml"
    text = re.sub(r"源提交: [0-9a-f]+", f'源提交: "{value}"', register.read_text(encoding="utf-8"))
    register.write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "更正登记")


@pytest.mark.parametrize("args", [["diff"], ["report", "2022Q2", "--as-issued"]])
def test_a_committed_source_commit_never_reaches_git_as_an_option(git_demo: Path, tmp_path: Path, args: list[str]) -> None:
    """diff_option_injection.sh (`diff`), and the second place of the kind (`report --as-issued`, git archive)."""
    written_notes(git_demo, "2022Q2")
    assert run(git_demo, "report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md")).exit_code == 0
    victim = tmp_path / ".bashrc"
    victim.write_text("# 十年积累的配置\n", encoding="utf-8")
    tamper_source_commit(git_demo, f"--output={victim}")
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "[G008]" in r.stderr and f"--output={victim}" in r.stderr
    assert victim.read_text(encoding="utf-8") == "# 十年积累的配置\n"


def test_a_typed_revision_that_looks_like_an_option_is_refused(git_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "written-by-git"
    for args in (["diff", "--", f"--output={out}..HEAD"], ["status", f"--as-recorded=--output={out}"]):
        r = run(git_demo, *args)
        assert r.exit_code == 2 and "[G008]" in r.stderr, r.output
    assert not out.exists()


@POSIX
def test_a_symlinked_template_is_never_read(git_demo: Path, tmp_path: Path) -> None:
    """template_symlink_exfil.sh: a committed link in report_templates/ cannot pull a file into a circular."""
    secret = tmp_path / "secret.txt"
    secret.write_text("PASSWORD=hunter2\n", encoding="utf-8")
    templates = git_demo / "report_templates"
    (templates / "页脚.txt").symlink_to(secret)
    shipped = (templates / "quarterly.md.j2").read_text(encoding="utf-8")
    (templates / "quarterly.md.j2").write_text(shipped + "{% include '页脚.txt' %}\n", encoding="utf-8")
    git(git_demo, "add", "-A")
    git(git_demo, "commit", "-qm", "页脚")
    out = tmp_path / "通报.md"
    r = run(git_demo, "report", "2022Q2", "-o", str(out))
    assert r.exit_code == 2 and "[E114]" in r.stderr and "report_templates/页脚.txt" in r.stderr
    assert not out.exists() and "hunter2" not in r.output


@POSIX
def test_a_symlinked_ledger_folder_and_register_are_refused(git_demo: Path, tmp_path: Path) -> None:
    """symlink_escapes.sh (a), and a second place: the register of issued documents."""
    outside = tmp_path / "另一个单位的台账"
    (git_demo / "ledgers" / "zhuanban").rename(outside)
    (git_demo / "ledgers" / "zhuanban").symlink_to(outside)
    r = run(git_demo, "check", "--today", "2022-06-30")
    assert r.exit_code == 1 and "ledgers/zhuanban/ZB-001.yaml:1:1: 错误[E114]" in r.stdout
    r = run(git_demo, "export", "zhuanban", "--format", "csv", "--today", "2022-06-30")
    assert "ZB-001" not in r.stdout
    assert run(git_demo, "report", "2022Q2").exit_code == 2  # a report never silently drops them

    (git_demo / "ledgers" / "zhuanban").unlink()
    outside.rename(git_demo / "ledgers" / "zhuanban")
    register = tmp_path / "register.yaml"
    register.write_text("- {编号: 依督通〔2022〕1号, 种类: 季度通报, 期间: 2022Q2, 源提交: abc}\n", encoding="utf-8")
    (git_demo / "reports" / "issued.yaml").unlink()  # the demo's own register, replaced by a link
    (git_demo / "reports" / "issued.yaml").symlink_to(register)
    r = run(git_demo, "report", "2022Q2", "--as-issued")
    assert r.exit_code == 2 and "[E114]" in r.stderr and "reports/issued.yaml" in r.stderr


@POSIX
def test_update_never_follows_a_symlinked_matter_file(git_demo: Path, tmp_path: Path) -> None:
    """symlink_escapes.sh (b): the outside file is neither read into the ledger nor written."""
    outside = tmp_path / "ZB-009.yaml"
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8").replace("ZB-001", "ZB-009")
    outside.write_text(text, encoding="utf-8")
    (git_demo / "ledgers/zhuanban/ZB-009.yaml").symlink_to(outside)
    git(git_demo, "add", "-A")
    git(git_demo, "commit", "-qm", "链接")
    r = run(git_demo, "update", "ZB-009", "--note", "经由链接", "--date", "2022-07-10")
    assert r.exit_code == 2 and "[E114]" in r.stderr
    assert outside.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("body", "words"), [
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ r.title|truncate(-5) }}", "AssertionError"),
    ("{% macro m(n) %}{{ m(n+1) }}{% endmacro %}{{ m(0) }}", "RecursionError"),
    ("第一行\n{{ range(10**6)|list|length }}", "第 2 行"),
])
def test_template_runtime_errors_name_the_template_and_line(git_demo: Path, body: str, words: str) -> None:
    """template_runtime_e999.sh: a template's own failure is T005 with its name and line, never E999."""
    (git_demo / "report_templates" / "quarterly.md.j2").write_text(body + "\n", encoding="utf-8")
    r = run(git_demo, "report", "2022Q2")
    assert r.exit_code == 2 and "[T005]" in r.stderr and "quarterly.md.j2" in r.stderr and words in r.stderr
    assert "E999" not in r.stderr


def test_a_template_including_outside_its_folder_names_the_include(git_demo: Path) -> None:
    (git_demo / "report_templates" / "quarterly.md.j2").write_text("{% include '../schemas/rules.yaml' %}\n",
                                                                  encoding="utf-8")
    r = run(git_demo, "report", "2022Q2")
    assert r.exit_code == 2 and "[T002]" in r.stderr and "../schemas/rules.yaml" in r.stderr
    assert "临期天数" not in r.output


# --------------------------------------------------------------------------- text as terminal control
def test_terminal_control_in_matter_text_is_shown_visibly(git_demo: Path, tmp_path: Path) -> None:
    """terminal_escape.sh: control characters in a unit's CSV, a title and notes never reach the terminal raw."""
    sheet = tmp_path / "单位上报.csv"
    sheet.write_text('事项,牵头单位,完成时限,交办日期\n"正常标题\x1b]0;PWNED\x07\x1b[2J伪造",县水务局,2022-12-31,2022-01-01\n',
                     encoding="utf-8")
    r = run(git_demo, "import", str(sheet), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 0 and "\x1b" not in r.output and "\x07" not in r.output  # ESC and BEL became spaces
    # C1 controls (8-bit CSI) and bidi overrides are legal in XML, so they can be stored: they are shown, not obeyed
    title = "正常\x9b2J伪造\u202e标题"
    assert run(git_demo, "add", "zhuanban", "--title", title, "--lead-unit", "县水务局", "--deadline", "2022-12-31",
               "--assigned", "2022-01-01").exit_code == 0
    assert run(git_demo, "update", "ZB-004", "--note", "正常\n2022-06-30 100% 已办结(伪造的一行)",
               "--date", "2022-02-02").exit_code == 0
    for args in (["show", "ZB-004", "--today", "2022-06-30"], ["status", "zhuanban", "--today", "2022-06-30"],
                 ["history", "ZB-004"], ["diff", "--since", "2020-01-01"], ["import", str(sheet), "--dry-run",
                                                                            "--ledger", "zhuanban"]):
        r = run(git_demo, *args)
        assert "\x9b" not in r.output and "\u202e" not in r.output, args
    shown = run(git_demo, "show", "ZB-004", "--today", "2022-06-30").stdout
    assert "正常\\x9b2J伪造\\u202e标题" in shown
    forged = next(line for line in shown.splitlines() if "伪造的一行" in line)
    assert forged.startswith("      ")  # a continuation of the note, not a 进展 line of its own


# --------------------------------------------------------------------------- characters outputs cannot carry
def test_a_control_character_in_a_file_is_an_error_with_its_line(git_demo: Path) -> None:
    """control_char_breaks_exports.sh: a \\v written by hand (YAML escape) fails check, not every export."""
    path = git_demo / "ledgers/zhuanban/ZB-002.yaml"
    text = path.read_text(encoding="utf-8").replace("备注: ", '备注: "第一段\\v第二段"\n# ', 1)
    path.write_text(text, encoding="utf-8")
    r = run(git_demo, "check", "--today", "2022-06-30")
    line = text[: text.index('备注: "第一段')].count("\n") + 1
    assert r.exit_code == 1 and f"ledgers/zhuanban/ZB-002.yaml:{line}:" in r.stdout and "[E116]" in r.stdout
    assert "\\x0b" in r.stdout


def test_pasted_control_characters_become_spaces_and_the_user_is_told(git_demo: Path, tmp_path: Path) -> None:
    """09-从Word粘贴.csv and typed input: the \\v becomes a space; every document can still be made."""
    sheet = tmp_path / "从Word粘贴.csv"
    sheet.write_text('事项,牵头单位,完成时限,交办日期\n"第一行\x0b第二行",县水务局,2022-12-31,2022-01-01\n', encoding="utf-8")
    r = run(git_demo, "import", str(sheet), "--ledger", "zhuanban")
    assert r.exit_code == 0 and "第 2 行" in r.stderr and "已换成空格" in r.stderr
    assert "事项: 第一行 第二行" in (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    r = run(git_demo, "update", "ZB-004", "--note", "甲\x0b乙", "--date", "2022-02-02")
    assert r.exit_code == 0 and "已换成空格" in r.stderr
    assert "情况: 甲 乙" in (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert run(git_demo, "export", "-o", str(tmp_path / "a.xlsx"), "--today", "2022-06-30").exit_code == 0
    assert run(git_demo, "report", "2022Q2", "--format", "docx", "-o", str(tmp_path / "a.docx")).exit_code == 0


@pytest.mark.parametrize(("text", "shown"), [
    ("普通文字\n第二行\t制表", "普通文字\n第二行\t制表"),  # line feeds and tabs stay
    ("\x1b[2J清屏", "\\x1b[2J清屏"),
    ("回车\r覆盖", "回车\\x0d覆盖"),
    ("\x9b2J", "\\x9b2J"),
    ("\u202e反向", "\\u202e反向"),
    ("\x7f", "\\x7f"),
])
def test_visible_writes_control_characters_out(text: str, shown: str) -> None:
    from yilan_cli.terminal import continued, visible

    assert visible(text) == shown
    assert continued("甲\n乙") == "甲\n    乙"


# --------------------------------------------------------------------------- workbooks that exhaust memory
def _doctored(tmp_path: Path, name: str, edit: object) -> Path:
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "单位报表"
    wb.active.append(["事项", "牵头单位", "完成时限", "交办日期"])
    wb.active.append(["导入测试", "县水务局", "2022-12-31", "2022-01-01"])
    base = tmp_path / "base.xlsx"
    wb.save(base)
    target = tmp_path / name
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()  # type: ignore[operator]
            zout.writestr(item, data)
    return target


@pytest.mark.parametrize(("name", "edit", "words"), [
    ("stray_cell.xlsx", lambda s: s.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                            "<is><t> </t></is></c></row></sheetData>"), "1048576 行"),
    ("merged.xlsx", lambda s: s.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="F1:XFD1048576"/>'
                                        "</mergeCells>"), "合并单元格"),
])
def test_a_tiny_workbook_that_would_unfold_into_billions_of_cells_is_refused_at_once(
        git_demo: Path, tmp_path: Path, name: str, edit: object, words: str) -> None:
    """xlsx_tiny_dos.sh: X013 naming the sheet, in well under a second, before any grid is built."""
    import time as clock

    sheet = _doctored(tmp_path, name, edit)
    started = clock.monotonic()
    r = run(git_demo, "import", str(sheet), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 2 and "[X013]" in r.stderr and "单位报表" in r.stderr and words in r.stderr
    assert clock.monotonic() - started < 10  # (the unguarded reader took 25–90 s and 4 GB)


def test_import_limits_come_from_the_rules(git_demo: Path, tmp_path: Path) -> None:
    rules = git_demo / "schemas" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("最大行数: 20000", "最大行数: 1"), encoding="utf-8")
    sheet = _doctored(tmp_path, "two_rows.xlsx", lambda s: s)
    r = run(git_demo, "import", str(sheet), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 2 and "[X013]" in r.stderr and "超过导入上限 1" in r.stderr


# Hostile workbooks built straight from XML: each row is one way past the old regex scan (issue: the
# attacker helper's list). The guard must refuse every one with X013 naming the sheet (or the part), before
# openpyxl builds anything and after reading no more of the file than its limits allow.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>事项</t></is></c><c r="B1" t="inlineStr"><is><t>牵头单位</t></is></c>'
          '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c><c r="D1" t="inlineStr"><is><t>交办日期</t></is></c></row>')


def worksheet(rows: str = "", after: str = "", declaration: str = "") -> str:
    return f'{declaration}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetData>{HEADER}{rows}</sheetData>{after}</worksheet>'


def package(sheet: str = "", *, target: str = "worksheets/sheet1.xml", at: str = "xl/workbook.xml",
            sheets: int = 1, extra: dict[str, str | bytes] | None = None) -> bytes:
    """A workbook written by hand: ``at`` is where the workbook part lives (found through [Content_Types].xml
    and _rels/.rels, as openpyxl finds it), ``target`` the sheets' relationship target as written."""
    import io
    import zipfile

    folder = at.rsplit("/", 1)[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/{at}" ContentType="{SPREADSHEET}.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
                   f'Type="{RELS}/officeDocument" Target="{at}"/></Relationships>')
        entries = "".join(f'<sheet name="单位报表{i or ""}" sheetId="{i + 1}" r:id="rId1"/>' for i in range(sheets))
        z.writestr(at, f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{entries}</sheets></workbook>')
        z.writestr(f"{folder}/_rels/{at.rsplit('/', 1)[1]}.rels", f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship '
                   f'Id="rId1" Type="{RELS}/worksheet" Target="{target}"/></Relationships>')
        if sheet:
            z.writestr(f"{folder}/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def far_cell(prefix: str = "") -> str:
    return f'<{prefix}row r="1048576"><{prefix}c r="XFD1048576"><{prefix}v>1</{prefix}v></{prefix}c></{prefix}row>'


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
COMMENTED = {  # a comment far away: openpyxl creates the cell it hangs on
    "xl/worksheets/_rels/sheet1.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId9" '
                                           f'Type="{RELS}/comments" Target="../comments1.xml"/></Relationships>',
    "xl/comments1.xml": f'<comments xmlns="{MAIN}"><authors><author>甲</author></authors><commentList>'
                        '<comment ref="XFD1048576" authorId="0"><text><t>批注</t></text></comment></commentList></comments>'}
GBK_STYLES = ('<?xml version="1.0" encoding="GBK"?><styleSheet xmlns="' + MAIN + '"><cellXfs>'
              + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 60_000 + "</cellXfs></styleSheet>").encode("gbk")
HOSTILE_WORKBOOKS = [
    # (name, workbook, words in the refusal, most XML elements the guard may read)
    ("single_quotes", package(worksheet(far_cell().replace('"', "'"))), "单位报表”有 1048576 行", 100),
    ("spaces_around_equals", package(worksheet(far_cell().replace("=", " = "))), "1048576 行", 100),
    ("character_reference", package(worksheet('<row r="2"><c r="&#88;FD2"><v>1</v></c></row>')), "16384 列", 100),
    ("prefixed_elements", package(worksheet(far_cell("x:")).replace("<worksheet ", f'<worksheet xmlns:x="{MAIN}" ')),
     "1048576 行", 100),
    ("prefixed_merge", package(worksheet(after=f'<x:mergeCells xmlns:x="{MAIN}"><x:mergeCell ref="A1:XFD1048576"/>'
                                               "</x:mergeCells>")), "17179869184 个合并单元格", 100),
    ("whole_column_merge", package(worksheet(after='<mergeCells><mergeCell ref="D:E"/></mergeCells>')), "2097152 个合并单元格",
     100),
    ("rows_without_r", package(worksheet("<row/>" * 1_000_000)), "20001 行", 20_100),
    ("row_number_as_float", package(worksheet('<row r="1.048576e6"><c><v>1</v></c></row>')), "1048576 行", 100),
    ("cells_without_r", package(worksheet("<row>" + "<c><v>1</v></c>" * 300 + "</row>")), "300 列", 1000),
    ("cells_not_named_c", package(worksheet('<row r="2">' + "<x/>" * 300 + "</row>")), "300 列", 1000),
    ("foreign_element_in_a_row", package(worksheet('<row r="2"><y:row xmlns:y="urn:y" r="XFD2"/></row>')), "16384 列", 100),
    ("target_dot_slash", package(worksheet(far_cell()), target="./worksheets/sheet1.xml"), "单位报表”有 1048576 行", 100),
    ("target_dot_dot", package(worksheet(far_cell()), target="../xl/worksheets/sheet1.xml"), "单位报表”有 1048576 行", 100),
    ("target_absolute", package(worksheet(far_cell()), target="/xl/worksheets/sheet1.xml"), "单位报表”有 1048576 行", 100),
    ("workbook_elsewhere", package(worksheet(far_cell()), at="book/main.xml"), "单位报表”有 1048576 行", 100),
    ("sheet_nowhere_listed", package(extra={"xl/worksheets/sheet1.xml": "", "xl/worksheets/sheet9.xml": worksheet(far_cell())}),
     "部件 xl/worksheets/sheet9.xml 有 1048576 行", 100),
    ("hyperlink_range", package(worksheet(after='<hyperlinks><hyperlink ref="A2:GR20000"/></hyperlinks>')),
     "单位报表”有 4000000 个单元格", 100),
    ("comment_far_away", package(worksheet(), extra=COMMENTED), "单位报表”有 1048576 行", 100),
    ("doctype_in_the_sheet", package(worksheet(declaration=LAUGHS)), "单位报表”含有 DOCTYPE", 10),
    ("doctype_in_shared_strings", package(worksheet(), extra={"xl/sharedStrings.xml": LAUGHS + f'<sst xmlns="{MAIN}">'
                                                              "<si><t>&lol3;</t></si></sst>"}),
     "部件 xl/sharedStrings.xml 含有 DOCTYPE", 100),
    ("styles_in_gbk", package(worksheet(), extra={"xl/styles.xml": GBK_STYLES}), "部件 xl/styles.xml 的格式", 60_000),
    ("one_part_two_sheets", package(worksheet("".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 100 + "</row>"
                                                      for r in range(2, 800))), sheets=2),
     "单位报表1”有 150001 个单元格(连同之前的工作表)", 320_000),
    ("hyperlinks_into_merged_cells", package(worksheet(after="<mergeCells>" + "".join(
        f'<mergeCell ref="A{r}:B{r}"/>' for r in range(2, 5002)) + "</mergeCells><hyperlinks>"
        + '<hyperlink ref="B5001"/>' * 30 + "</hyperlinks>")), "30 个超链接指向 5000 处合并单元格的内部", 5100),
    ("hundreds_of_sheets", package(worksheet(), sheets=300), "含有 300 个工作表", 400),
    ("zip_bomb", package(worksheet(), extra={"xl/media/image1.png": bytes(60 * 2**20)}), "解压后有 60 MB", 0),
    ("too_many_parts", package(worksheet(), extra={f"customXml/item{i}.xml": "<a/>" for i in range(1000)}),
     "含有 1005 个部件", 0),
    ("a_huge_zip_directory", package(worksheet(), extra={f"{i:0>400}": "" for i in range(2000)}), "部件远超导入上限 1000", 0),
]


@pytest.fixture(scope="module")
def importer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import make_workspace

    return make_workspace(tmp_path_factory.mktemp("guard") / "w", demo=True)


@pytest.mark.parametrize(("name", "data", "words", "most"), HOSTILE_WORKBOOKS, ids=[row[0] for row in HOSTILE_WORKBOOKS])
def test_hostile_workbooks_are_refused_before_openpyxl_reads_them(
        importer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes, words: str, most: int) -> None:
    """Every bypass of the regex scan: X013 naming the sheet, no grid built, the parse cut short at the limit."""
    from yilan_cli import sheets

    seen = 0
    start = sheets._Tally.start

    def counting(self: object, tag: str, attrs: object) -> None:
        nonlocal seen
        seen += 1
        start(self, tag, attrs)  # type: ignore[arg-type]

    def never(*_: object) -> None:
        raise AssertionError("openpyxl was asked to build the grid")

    monkeypatch.setattr(sheets._Tally, "start", counting)
    monkeypatch.setattr(sheets, "_xlsx_grids", never)
    book = tmp_path / f"{name}.xlsx"
    book.write_bytes(data)
    r = run(importer, "import", str(book), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 2 and "[X013]" in r.stderr and f"{name}.xlsx" in r.stderr, r.output
    assert words in r.stderr, r.stderr
    assert seen <= most, f"the guard read {seen} elements"


def test_what_openpyxl_ignores_is_not_counted(importer: Path, tmp_path: Path) -> None:
    """<dimension> only claims a size (openpyxl's full reader never reads it); a row's r jumping far ahead
    with no cells in between is what a WPS sheet with a styled last row looks like — within the limits."""
    book = tmp_path / "dimension.xlsx"
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>导入测试</t></is></c><c r="B2" t="inlineStr"><is><t>县水务局</t></is></c>' \
           '<c r="C2" t="inlineStr"><is><t>2022-12-31</t></is></c><c r="D2" t="inlineStr"><is><t>2022-01-01</t></is></c>' \
           '</row><row r="19999" ht="20" customHeight="1"/>'
    book.write_bytes(package(worksheet(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')))
    r = run(importer, "import", str(book), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "导入测试" in r.stdout


def test_an_ordinary_workbook_of_a_few_thousand_rows_imports(importer: Path, tmp_path: Path) -> None:
    """What WPS and openpyxl write (shared strings, styles, a merged title row, red text runs): 3,000 rows
    pass the guard well inside the limits, and a few hundred import."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from yilan_cli.sheets import guard_workbook
    from yilan_cli.workspace import Rules

    def ledger(rows: int) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = "2022年台账"
        ws.append(["2022年县委县政府重点工作台账"])
        ws.merge_cells("A1:F1")
        ws.append(["序号", "事项", "牵头单位", "完成时限", "交办日期", "进展情况"])
        for i in range(1, rows + 1):
            note = CellRichText("第", TextBlock(InlineFont(color="FF0000", b=True), f"{i}"), "项:按序时推进")
            ws.append([i, f"重点工作{i}", "县水务局", "2022-12-31", "2022-01-01", note])
        book = tmp_path / f"台账{rows}.xlsx"
        wb.save(book)
        return book

    big = ledger(3000)
    guard_workbook(big.read_bytes(), big, Rules().sheet_limits)
    r = run(importer, "import", str(ledger(300)), "--ledger", "zhuanban", "--dry-run")
    assert r.exit_code == 0 and "300 个事项将被写入" in r.stdout, r.output


# Properties: on small random sheets the guard never lets through what openpyxl builds beyond the limits,
# and on orderly ones (what WPS and Excel write) it refuses exactly what openpyxl builds beyond them.
SMALL = (12, 8, 60, 20, 50)  # rows, columns, cells, merged cells, MB
_REF = st.one_of(st.none(), st.sampled_from(["", "1", "A", "A0", "$A$1", "a5", "A1.5", "XFD1", "A9999", "B2 "]),
                 st.builds(lambda c, r: f"{c}{r}", st.sampled_from(["A", "B", "C", "H", "I", "J", "Z", "AA"]),
                           st.integers(1, 16)))
_ROW_R = st.one_of(st.none(), st.integers(-1, 16).map(str), st.sampled_from(["", "x", "1.0", "3e0", "2.5", "13", "١٢"]))
_CELL_TAG = st.sampled_from(["c", "c", "c", "x:c", "y:c", "v", "x:row"])
_CELL = st.builds(lambda tag, r: f"<{tag}{'' if r is None else f' r={chr(34)}{r}{chr(34)}'}/>", _CELL_TAG, _REF)
_ROW = st.builds(lambda tag, r, cells: f"<{tag}{'' if r is None else f' r={chr(34)}{r}{chr(34)}'}>{''.join(cells)}</{tag}>",
                 st.sampled_from(["row", "row", "x:row", "y:row"]), _ROW_R, st.lists(_CELL, max_size=6))
_RANGE = st.builds(lambda a, b: f"{a}:{b}" if b else a, _REF.filter(bool), st.one_of(st.none(), _REF.filter(bool)))


def _sheet(rows: list[str], merges: list[str], links: list[str]) -> bytes:
    after = ""
    if merges:
        after += "<mergeCells>" + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    if links:
        after += "<hyperlinks>" + "".join(f'<hyperlink ref="{h}"/>' for h in links) + "</hyperlinks>"
    xml = worksheet("".join(rows), after).replace("<worksheet ", f'<worksheet xmlns:x="{MAIN}" xmlns:y="urn:y" ')
    return package(xml)


def _built(data: bytes) -> tuple[int, int, int] | None:
    """openpyxl's max row, max column and merged area, or None where it refuses the file itself."""
    import io
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ws = load_workbook(io.BytesIO(data)).worksheets[0]
    except Exception:  # noqa: BLE001 - a file openpyxl cannot read is refused later as X006
        return None
    return ws.max_row, ws.max_column, sum(r.size["rows"] * r.size["columns"] for r in ws.merged_cells.ranges)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, max_size=8), merges=st.lists(_RANGE, max_size=2), links=st.lists(_RANGE, max_size=2))
def test_the_guard_never_passes_a_sheet_that_openpyxl_builds_beyond_the_limits(
        rows: list[str], merges: list[str], links: list[str]) -> None:
    from yilan_cli.errors import UsageError
    from yilan_cli.sheets import guard_workbook

    data = _sheet(rows, merges, links)
    try:
        guard_workbook(data, Path("p.xlsx"), SMALL)
    except UsageError as e:
        assert e.code == "X013"
        return
    built = _built(data)
    if built is not None:
        max_row, max_col, merged = built
        assert max_row <= SMALL[0] and max_col <= SMALL[1] and max_row * max_col <= SMALL[2] and merged <= SMALL[3], built


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 4)),
                                 st.lists(st.one_of(st.none(), st.integers(1, 3)), min_size=1, max_size=5)), max_size=6))
def test_on_orderly_sheets_the_guard_refuses_exactly_what_openpyxl_builds_too_large(
        layout: list[tuple[int | None, list[int | None]]]) -> None:
    """Rows and cells in order, each with an r or without (a gap to skip, or None: the next one)."""
    from openpyxl.utils import get_column_letter

    from yilan_cli.errors import UsageError
    from yilan_cli.sheets import guard_workbook

    rows, row = [], 1
    for gap, cells in layout:
        row += gap or 1
        col, xml = 0, []
        for step in cells:
            col += step or 1
            xml.append("<c><v>1</v></c>" if step is None else f'<c r="{get_column_letter(col)}{row}"><v>1</v></c>')
        rows.append(f"<row>{''.join(xml)}</row>" if gap is None else f'<row r="{row}">{"".join(xml)}</row>')
    data = _sheet(rows, [], [])
    limits = (SMALL[0], SMALL[1], 10**6, 10**6, 50)
    built = _built(data)
    assert built is not None
    try:
        guard_workbook(data, Path("p.xlsx"), limits)
        passed = True
    except UsageError:
        passed = False
    assert passed == (built[0] <= limits[0] and built[1] <= limits[1]), (built, rows)


# --------------------------------------------------------------------------- no input ends in "internal error"
@pytest.mark.parametrize("args", [
    ["report", "9999Q4"], ["report", "0001Q1"], ["notice", "--today", "9999-12-31"], ["escalate", "--today", "9999-12-31"],
    ["research", "status", "--today", "9999-12-31"], ["diff", "--since", "0001-01-01"],
    ["update", "ZB-002", "--note", "年份写错", "--date", "2202-07-31"],
])
def test_years_outside_1900_to_2100_are_refused_where_typed(git_demo: Path, args: list[str]) -> None:
    """boundary_dates_e999.sh: E214, never an overflow; a typo'd 2202 never blocks later updates."""
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "[E214]" in r.stderr and "E999" not in r.stderr


def test_as_recorded_at_a_day_not_over_yet_is_the_ledger_now(git_demo: Path) -> None:
    r = run(git_demo, "status", "--as-recorded", "2100-01-01", "--today", "2022-06-30")
    assert r.exit_code == 0 and "ZB-001" in r.stdout


def test_history_in_a_shallow_clone_and_into_a_closed_pipe(git_demo: Path, tmp_path: Path) -> None:
    """history_crashes.sh: a shallow clone's history is shown; `| head` ends quietly."""
    import subprocess

    from .test_e2e import yilan_exe

    for k in range(3):
        assert run(git_demo, "update", "ZB-001", "--note", f"第{k}次", "--date", f"2022-07-1{k}").exit_code == 0
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_demo}", str(shallow)], check=True)
    r = run(shallow, "history", "ZB-001")
    assert r.exit_code == 0 and "E999" not in r.output and "(浅克隆:这个提交之前的历史不在本仓库中,改动不详)" in r.stdout
    r = run(shallow, "audit", "--format", "json")  # the boundary commit "adds" every matter: never judged as tamper
    findings = json.loads(r.stdout)["findings"]
    assert r.exit_code == 0 and [f["kind"] for f in findings] == ["浅克隆"]
    for _ in range(5):
        p = subprocess.run(f"'{yilan_exe()}' --root '{git_demo}' history ZB-001 | head -1", shell=True,
                           capture_output=True, text=True)
        assert "E999" not in p.stderr and "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


@pytest.mark.parametrize("args", [
    ["report", "2022Q2", "--format", "docx", "-o", "{dir}"],
    ["notice", "--today", "2022-06-30", "-o", "{file}"],
    ["accountability", "2022Q2", "-o", "{dir}"],
])
def test_output_onto_a_folder_or_a_file_is_refused_with_a_sentence(git_demo: Path, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    args = [a.format(dir=str(tmp_path), file=str(tmp_path / "a-file.txt")) for a in args]
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "[E504]" in r.stderr and "E999" not in r.stderr


def test_output_into_a_missing_folder_is_created(git_demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "新建" / "二季度" / "通报.md"
    assert run(git_demo, "report", "2022Q2", "-o", str(target)).exit_code == 0 and target.exists()


REGISTER = ("- {编号: 依督办〔2022〕1号, 种类: 督办通知单, 单位: 县水务局, 印发日期: 2022-06-30, 回复期限: 2022-07-05, "
            "事项: [ZB-002], 源提交: 0123abc}\n")
DOCX = ["report", "2022Q2", "--format", "docx", "-o", "{out}/通报.docx"]
ACCOUNTABILITY = ["accountability", "2022Q3", "--today", "2022-09-30", "--format", "docx", "-o", "{out}/问责.docx"]


# (file, text replaced, replacement, command, code, what the message names). Before, most rows ended in E999;
# the others were taken silently (a name that is a mapping, a 10,000-year holiday) or refused as E000
# without the field
@pytest.mark.parametrize(("rel", "old", "new", "args", "code", "field"), [
    # wrong shapes (a list where fields are expected, fields where text is, a null list item)
    ("schemas/units.yaml", "单位:\n", "单位: 5\nx:\n", ["status"], "E400", "单位 应为清单"),
    ("schemas/units.yaml", "- 分组: 乡镇", "- 分组: {乡: 镇}", ["status"], "E400", "单位[1].分组 应为文本"),
    ("schemas/rules.yaml", "灯:\n", "灯: 5\nx:\n", ["status"], "E400", "灯 应为字段"),
    ("schemas/rules.yaml", "赛马:\n", "赛马: [1]\nx:\n", ["rank", "2022Q2"], "E400", "赛马 应为字段"),
    ("schemas/rules.yaml", "县级领导: {每周次数: 1, 全年天数: 60}", "县级领导: {x: 5}", ["status"], "E400",
     "一线调研.定额.县级领导.每周次数"),
    ("schemas/taskforces.yaml", "- {id: TF10", "- null\n- {id: TF10", ["status"], "E400", "专班[10] 应为字段"),
    ("schemas/ledgers/zhuanban.yaml", "前缀: ZB", "前缀: [ZB]", ["status"], "E400", "前缀 应为文本"),
    # numbers that would overflow date arithmetic, or are not numbers at all
    ("schemas/rules.yaml", "报告宽限天数: 10", "报告宽限天数: 1000000000000000000000000000000", ["status"], "E400",
     "报告宽限天数 应为 0–3660 之间的整数"),
    ("schemas/rules.yaml", "连续红灯月数: 3", "连续红灯月数: 1000000000000000000000000000000", ACCOUNTABILITY, "E400",
     "督导问责.问责移交条件.连续红灯月数 应为 0–120"),
    ("schemas/rules.yaml", "按期办结权重: 40", "按期办结权重: 1e400", ["rank", "2022Q2"], "E400",
     "赛马.按期办结权重 应为 0–1000"),
    ("schemas/rules.yaml", "- 2022-01-01..2022-01-03", "- 0001-01-01..9999-12-31", ["research", "status"], "E400",
     "工作日历.节假日[1]"),
    # document number formats are filled in by substitution, never str.format
    ("schemas/rules.yaml", "依督通〔{year}〕{n}号", '"{year.__class__}{n}"', ["status"], "E400", "通报.文号格式"),
    ("schemas/rules.yaml", '"依督督〔{year}〕{n}号"', '"督督{n:>999999999}"', ["escalate"], "E400", "督导问责.阶梯[2].文号格式"),
    # characters no .docx/.xlsx can hold
    ("schemas/ledgers/zhuanban.yaml", "名称: 重点工作专班", '名称: "重点工作\\v专班"', DOCX, "E400", "名称 含有"),
    ("schemas/rules.yaml", "red: {名称: 红灯", 'red: {名称: "红\\x01灯"', DOCX, "E400", "灯.red.名称 含有"),
    ("schemas/rules.yaml", "发文机关: [中共依兰县委督查室, 依兰县人民政府督查室]", '发文机关: "\\uFFFE督查室"', ["status"],
     "E400", "公文.发文机关 含有"),
    ("schemas/units.yaml", "- 县水务局", '- "县水务局\\v"', ["status"], "E400", "单位[2].成员[15] 含有"),
    ("report_notes/2022Q2.md", None, "## 主要成效\n\n好\x01的\n", DOCX, "E116", "report_notes/2022Q2.md:3:2"),
    ("report_notes/2022Q2.md", None, "## 主要成效\n\n\udcc4\udce3\n", DOCX, "E101", "不是 UTF-8"),
    ("reports/issued.yaml", "编号: 依督办〔2022〕1号", '编号: "督办\\v1号"', ["escalate"], "I011", "第 1 份文书的 编号"),
    # a register entry of the wrong shape
    ("reports/issued.yaml", "事项: [ZB-002]", "事项: 5", ["escalate", "--today", "2022-07-20"], "I011", "的 事项 应为清单"),
    ("reports/issued.yaml", "事项: [ZB-002]", "事项: 5", ACCOUNTABILITY, "I011", "的 事项 应为清单"),
    ("reports/issued.yaml", "印发日期: 2022-06-30", "印发日期: [2022]", ["escalate"], "I011", "的 印发日期 应为"),
    ("reports/issued.yaml", "印发日期: 2022-06-30, ", "", ["notice", "--as-issued", "依督办〔2022〕1号", "-o", "{out}/n"], "I011",
     "缺少 印发日期"),
])
def test_hostile_values_in_shared_files_are_refused_naming_the_file_and_field(
        demo_workspace: Path, tmp_path: Path, rel: str, old: str | None, new: str, args: list[str], code: str,
        field: str) -> None:
    """Found by the attacker helper: schemas/, report_notes and the register as a colleague may commit them.
    Each is refused with its code, the file and the field — never E999 (internal error)."""
    (demo_workspace / "reports").mkdir()
    (demo_workspace / "reports" / "issued.yaml").write_text(REGISTER, encoding="utf-8")
    path = demo_workspace / rel
    path.parent.mkdir(exist_ok=True)
    if old is None:
        path.write_text(new, encoding="utf-8", errors="surrogateescape")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    r = run(demo_workspace, *[a.format(out=tmp_path) for a in args])
    assert r.exit_code == 2 and f"[{code}]" in r.stderr, r.output
    assert rel in r.stderr and field in r.stderr, r.stderr
    assert "E999" not in r.output and not list(tmp_path.glob("*.docx"))


def test_document_numbers_are_filled_in_by_substitution() -> None:
    from yilan_cli.issuing import format_problem, next_number

    entries = [{"编号": "依督办〔2022〕7号"}, {"编号": "依督办〔2022〕0000000000000000000000000000000000000009号"}]
    assert next_number(entries, "依督办〔{year}〕{n}号", 2022, 2) == ["依督办〔2022〕8号", "依督办〔2022〕9号"]
    for fmt in ("{year.__class__}{n}", "{n:>999999999}", "{0}{n}", "{n}{n}", "无序号", "{n}}"):
        assert format_problem(fmt), fmt
    assert not format_problem("依督通〔{year}〕{n}号") and not format_problem("第{n}期")


def test_quarters_weighed_zero_rank_without_dividing_by_zero(demo_workspace: Path) -> None:
    """年度季度权重 [0, 0, 0, 1] before the fourth quarter divided by zero (E999); all four 0 is refused."""
    rules = demo_workspace / "schemas" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("[0.2, 0.25, 0.25, 0.3]", "[0, 0, 0, 1]"), encoding="utf-8")
    r = run(demo_workspace, "rank", "2022", "--today", "2022-06-30", "--format", "json")
    assert r.exit_code == 0 and "有得分的季度权重均为 0" in r.stdout
    rules.write_text(rules.read_text(encoding="utf-8").replace("[0, 0, 0, 1]", "[0, 0, 0, 0]"), encoding="utf-8")
    r = run(demo_workspace, "rank", "2022")
    assert r.exit_code == 2 and "[E400]" in r.stderr and "赛马.年度季度权重" in r.stderr


def test_a_matter_schema_that_is_not_utf8_is_stale_not_an_internal_error(demo_workspace: Path) -> None:
    (demo_workspace / "schemas" / "matter.schema.json").write_bytes(b"\xff\xfe{")
    r = run(demo_workspace, "check", "--today", "2022-06-30")
    assert r.exit_code == 1 and "schemas/matter.schema.json:1:1: 错误[E401]" in r.stdout and "E999" not in r.output


@POSIX
def test_a_schema_file_that_is_a_folder_or_a_link_is_refused_before_it_is_read(demo_workspace: Path) -> None:
    """The cache key read every schema file before read_schema could refuse it: a folder was E999, and a
    committed link to /dev/zero would have been read until memory ran out."""
    units = demo_workspace / "schemas" / "units.yaml"
    units.unlink()
    units.mkdir()
    r = run(demo_workspace, "status")
    assert r.exit_code == 2 and "[E400]" in r.stderr and "schemas/units.yaml" in r.stderr and "E999" not in r.output
    units.rmdir()
    units.symlink_to("/dev/zero")
    r = run(demo_workspace, "status")
    assert r.exit_code == 2 and "[E114]" in r.stderr and "符号链接" in r.stderr  # a link, as everywhere


# --------------------------------------------------------------------------- text as document structure
def test_a_title_can_never_restructure_a_markdown_document(git_demo: Path, tmp_path: Path) -> None:
    """markdown_injection.sh: newlines and HTML in a title stay text in the circular and in a notice."""
    title = "供水改造\n\n## 三、表彰决定\n\n经研究,决定对县水务局通报表扬。<img src=x onerror=alert(1)>"
    assert run(git_demo, "add", "zhuanban", "--title", title, "--lead-unit", "县水务局", "--deadline", "2022-05-31",
               "--assigned", "2022-01-01").exit_code == 0
    report = run(git_demo, "report", "2022Q2").stdout
    raw_tag = re.compile(r"(?<!\\)<img")
    assert not any(line.startswith("## 三、表彰决定") for line in report.splitlines()) and not raw_tag.search(report)
    assert "| ZB-004 | 供水改造 ## 三、表彰决定 经研究，决定对县水务局通报表扬。\\<img src=x onerror=alert(1)\\> |" in report
    out = tmp_path / "通知"
    assert run(git_demo, "notice", "--today", "2022-06-30", "-o", str(out)).exit_code == 0
    notice = (out / "督办通知单-县水务局.md").read_text(encoding="utf-8")
    assert not any(line.startswith("## 三、表彰决定") for line in notice.splitlines()) and not raw_tag.search(notice)


def test_a_file_name_can_never_start_a_workflow_command(git_demo: Path) -> None:
    """GitHub/Gitea annotations: data cannot end the ::error command or start another one."""
    evil = git_demo / "ledgers" / "zhuanban" / "ZB-9,x::warning::伪造.yaml"
    evil.write_text("编号: ZB-009\n", encoding="utf-8")
    r = run(git_demo, "check", "--today", "2022-06-30", "--format", "github")
    line = next(ln for ln in r.stdout.splitlines() if "ZB-9" in ln)
    assert line.count("::") == 2 and "ZB-9%2Cx%3A%3Awarning%3A%3A" in line


# --------------------------------------------------------------------------- hints that work, encodings we do not control
def test_git_states_yilan_meets_are_named_with_a_way_out(git_demo: Path, tmp_path: Path) -> None:
    """unclear_messages.sh: an ignored path (G015) and a repository without commits (G014)."""
    (git_demo / ".gitignore").write_text(".yilan/\nledgers/zhuanban/ZB-004.yaml\n", encoding="utf-8")
    git(git_demo, "commit", "-qam", "忽略")
    r = run(git_demo, "add", "zhuanban", "--title", "t", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
            "--assigned", "2022-07-01")
    assert r.exit_code == 2 and "[G015]" in r.stderr and "git check-ignore -v ledgers/zhuanban/ZB-004.yaml" in r.stderr
    assert "本次修改没有保存" in r.stderr and not (git_demo / "ledgers/zhuanban/ZB-004.yaml").exists()
    bare = tmp_path / "无提交"
    (bare / "ledgers").mkdir(parents=True)
    import shutil

    shutil.copytree(git_demo / "schemas", bare / "schemas")
    shutil.copytree(git_demo / "ledgers" / "zhuanban", bare / "ledgers" / "zhuanban")
    git(bare, "init", "-q")
    for args in (["update", "ZB-001", "--note", "x", "--date", "2022-07-10"], ["history", "ZB-001"], ["audit"]):
        r = run(bare, *args)
        assert r.exit_code == 2 and "[G014]" in r.stderr and "git add -A" in r.stderr, (args, r.stderr)


def test_a_gbk_log_encoding_in_the_users_git_config_changes_nothing(git_demo: Path) -> None:
    """12-git-gbk-log: common advice on Chinese Windows; history and audit still read Chinese."""
    git(git_demo, "config", "i18n.logOutputEncoding", "gbk")
    assert run(git_demo, "update", "ZB-001", "--note", "中文进展", "--date", "2022-07-10").exit_code == 0
    r = run(git_demo, "history", "ZB-001")
    assert "陨石坑开发项目" in r.stdout and "\ufffd" not in r.stdout
    r = run(git_demo, "diff", "--since", "2000-01-01", "--format", "json")
    assert "陨石坑开发项目" in r.stdout or "ZB-001" in r.stdout


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounting a read-only file system needs root")
def test_a_read_only_workspace_reads_and_refuses_writes_with_a_sentence(tmp_path: Path) -> None:
    """readonly_e999.sh: a workspace on a read-only file system (root cannot bypass it, unlike file modes)."""
    import subprocess

    with tmpfs(tmp_path / "ro", "16m") as disk:
        ws = disk / "ws"
        assert CliRunner().invoke(app, ["init", str(ws), "--example"]).exit_code == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = run(ws, "status", "--today", "2022-06-30")
        assert r.exit_code == 0 and "ZB-001" in r.stdout
        r = run(ws, "update", "ZB-001", "--note", "x", "--date", "2022-07-10")
        assert r.exit_code == 2 and "[G012]" in r.stderr and "E999" not in r.stderr


@pytest.mark.parametrize("args", [
    ["add", "zhuanban", "--title", "t", "--lead-unit", "县水务局", "--deadline", "2022-12-31", "--assigned", "2022-07-01"],
    ["import", "{sheet}", "--ledger", "zhuanban", "--today", "2022-07-01"],
])
def test_a_corrupt_last_id_is_refused_never_read_as_zero(git_demo: Path, tmp_path: Path, args: list[str]) -> None:
    """last_id_e999.sh (add), and the importer as a second place: an ID could otherwise be given out again."""
    sheet = tmp_path / "新事项.csv"
    sheet.write_text("事项,牵头单位,完成时限\n导入的新事项,县水务局,2022-12-31\n", encoding="utf-8")
    (git_demo / "ledgers" / "zhuanban" / ".last-id").write_text("<<<<<<< HEAD\n3\n=======\n4\n>>>>>>> b\n", encoding="utf-8")
    git(git_demo, "commit", "-qam", "合并坏了")
    before = sorted((git_demo / "ledgers" / "zhuanban").glob("*.yaml"))
    r = run(git_demo, *[a.format(sheet=sheet) for a in args])
    assert r.exit_code in (1, 2) and "[E317]" in r.stderr and "E999" not in r.stderr
    assert sorted((git_demo / "ledgers" / "zhuanban").glob("*.yaml")) == before  # no matter got a guessed number


def test_names_excel_cannot_take_as_sheet_titles_still_export(git_demo: Path, tmp_path: Path) -> None:
    """A `/` (or `:` `?` `*` `[` `]`) in a ledger name or a unit group: the workbook is still written."""
    from openpyxl import load_workbook

    ledger = git_demo / "schemas" / "ledgers" / "zhuanban.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("名称: 重点工作专班", "名称: 重点工作/专班:2022"),
                      encoding="utf-8")
    units = git_demo / "schemas" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("分组: 乡镇", "分组: 乡镇/街道"), encoding="utf-8")
    out = tmp_path / "台账.xlsx"
    assert run(git_demo, "export", "-o", str(out), "--today", "2022-06-30").exit_code == 0
    assert "重点工作-专班-2022" in load_workbook(out).sheetnames
    out = tmp_path / "考核.xlsx"
    assert run(git_demo, "export", "--assessment", "2022", "-o", str(out), "--today", "2022-12-31").exit_code == 0
    assert "乡镇-街道" in load_workbook(out).sheetnames


def test_the_change_brief_and_the_ranking_in_markdown_are_text_only(git_demo: Path) -> None:
    """Found by the hostile-input helper: `diff` and `rank --format md` escaped nothing; `status --format csv`
    had no formula guard."""
    path = git_demo / "ledgers/xiangmu/XM-001.yaml"
    title = '事项: "污水厂 <img src=x> [点此](http://evil.example)\\n## 伪造的章节"'
    text = re.sub(r"(?m)^事项: .*$", lambda _: title, path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    git(git_demo, "commit", "-qam", "改名")
    brief = run(git_demo, "diff", "--since", "2000-01-01").stdout
    assert not re.search(r"(?<!\\)<img", brief) and not re.search(r"(?<!\\)\[点此\]", brief)
    assert not any(line.startswith("## 伪造") for line in brief.splitlines())
    units = git_demo / "schemas" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("分组: 乡镇", '分组: "乡镇 <b>"'), encoding="utf-8")
    assert "<b>" not in run(git_demo, "rank", "2022Q2", "--format", "md").stdout
    formula = '事项: "=HYPERLINK(\\"http://evil\\")"'
    path.write_text(re.sub(r"(?m)^事项: .*$", lambda _: formula, text), encoding="utf-8")
    csv_out = run(git_demo, "status", "--today", "2022-06-30", "--format", "csv").stdout
    assert "'=HYPERLINK" in csv_out and ",=HYPERLINK" not in csv_out


def test_odd_digits_and_odd_files_in_shared_places_are_findings_not_internal_errors(git_demo: Path) -> None:
    """Found by the hostile-input helper: a research folder named with superscript digits; .gitattributes a folder."""
    import shutil

    year = git_demo / "research" / "2022"
    shutil.move(str(year), str(git_demo / "research" / "²⁰²²"))
    r = run(git_demo, "check", "--today", "2022-06-30")
    assert r.exit_code == 1 and "E999" not in r.output and "[E606]" in r.stdout
    (git_demo / ".gitattributes").unlink()
    (git_demo / ".gitattributes").mkdir()
    r = run(git_demo, "doctor")
    assert r.exit_code == 1 and "E999" not in r.output and "Traceback" not in r.output


def test_markdown_escaping_is_linear_in_the_length_of_a_value() -> None:
    """Found by the case re-run helper: 50,000 blanks in a title took a minute to fold (a quadratic regex)."""
    import time as clock

    from yilan_cli.report import md_text

    started = clock.monotonic()
    assert md_text("招商引资" + " " * 500_000 + "攻坚").endswith("攻坚")
    assert clock.monotonic() - started < 2
    assert md_text("甲\n\n## 乙\r\n  丙") == "甲 ## 乙 丙"

"""How long openpyxl takes on the worst workbooks that pass the import guard (rules.yaml 表格导入限制).

    python bench/sheet_limits.py [--only NAME ...] [--import]

Each case is a workbook built straight from XML to sit just inside one limit (or all of them at once);
the guard must pass it, then `sheets._xlsx_grids` (openpyxl's full reader plus the grid `import` builds)
runs in a fresh process, which reports wall and CPU seconds and its peak RSS. The last columns time the
guard on the same file and on the case pushed just over its limit (the guard must refuse that one, fast).
With --import the two combined cases also run as `yilan import --dry-run` in a temporary workspace.
Results and the defaults chosen from them: docs/reliability.md (workbooks that exhaust memory).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from yilan_cli.sheets import column_letter as col

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
TEXT = "依兰县水务局牵头推进农村饮水安全巩固提升工程"


def workbook(sheets: list[str], styles: str = "", strings: str = "") -> bytes:
    """A package with one worksheet part per XML text in ``sheets``."""
    buf = io.BytesIO()
    over = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
                   for i in range(1, len(sheets) + 1))
    if styles:
        over += f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
    if strings:
        over += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>{over}</Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        entries = "".join(f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{entries}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{rels}</Relationships>')
        for i, xml in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if styles:
            z.writestr("xl/styles.xml", styles)
        if strings:
            z.writestr("xl/sharedStrings.xml", strings)
    return buf.getvalue()


def sheet(rows: str, after: str = "") -> str:
    return f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData>{after}</worksheet>'


HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>事项</t></is></c><c r="B1" t="inlineStr"><is><t>牵头单位</t></is></c></row>'


def dense(rows: int, cols: int, shared: bool = True, after: str = "") -> str:
    """Every cell filled: a shared-string index (what WPS and Excel write) or an inline text."""
    cell = '<c r="{0}{1}" t="s"><v>{2}</v></c>' if shared else '<c r="{0}{1}" t="inlineStr"><is><t>' + TEXT + "</t></is></c>"
    body = [HEAD] + [f'<row r="{r}">' + "".join(cell.format(col(c), r, c % 50) for c in range(1, cols + 1)) + "</row>"
                     for r in range(2, rows + 1)]
    return sheet("".join(body), after)


def strings(n: int, runs: int = 0) -> str:
    run = '<r><rPr><sz val="11"/><rFont val="宋体"/><charset val="134"/></rPr><t>依兰</t></r>'
    si = "<si>" + (run * runs if runs else f"<t>{TEXT}</t>") + "</si>"
    return f'<sst xmlns="{NS}" count="{n}" uniqueCount="{n}">' + "".join(si.replace("依兰", f"依兰{i}", 1)
                                                                       for i in range(n)) + "</sst>"


def styles(xfs: int) -> str:
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    return (f'<styleSheet xmlns="{NS}"><fonts count="1"><font><sz val="11"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            f'<borders count="1"><border/></borders><cellStyleXfs count="1">{xf}</cellStyleXfs>'
            f'<cellXfs count="{xfs}">{xf * xfs}</cellXfs></styleSheet>')


def cases(limits: tuple[int, int, int, int, int], over: bool) -> dict[str, bytes]:
    """name → workbook just inside the limits (``over``: just outside the one it probes)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from yilan_cli.sheets import _LINK_CHECKS, _SHEETS, element_caps

    rows, cols, cells, merged, mb = limits
    _, other = element_caps(cells)
    k = 1 if over else 0
    n50 = cells // 50
    return {
        # a full sheet: numbers/shared strings, 50 columns
        "dense shared strings": workbook([dense(n50 + k, 50)], strings=strings(50)),
        "dense inline text": workbook([dense(n50 + k, 50, shared=False)]),
        # one stray cell stretching the grid to the cell limit (the original fault, scaled down)
        "sparse corner": workbook([sheet(HEAD + f'<row r="{rows}"><c r="{col(cells // rows + k)}{rows}"><v>1</v></c></row>')]),
        "widest sparse": workbook([sheet(HEAD + f'<row r="{cells // cols}"><c r="{col(cols + k)}{cells // cols}"><v>1</v></c>'
                                               "</row>")]),
        # the merged-cell limit as one block and as many two-cell merges
        "merged block": workbook([sheet(HEAD, f'<mergeCells><mergeCell ref="C2:{col(2 + merged // 100)}{101 + k}"/>'
                                              "</mergeCells>")]),
        "merged pairs": workbook([sheet(HEAD, "<mergeCells>" + "".join(f'<mergeCell ref="A{r}:B{r}"/>'
                                                                        for r in range(2, merged // 2 + 2 + k))
                                        + "</mergeCells>")]),
        # the other-element cap spent on the dearest elements there are: cell styles, rich-text runs
        "styles": workbook([sheet(HEAD)], styles=styles((other - 200) // 3 + 200 * k)),
        "rich strings": workbook([sheet(HEAD)], strings=strings((other - 200) // 19 + 20 * k, runs=3)),
        # the all-element cap spent on rows without cells and values inside cells
        "empty rows": workbook([sheet(HEAD + '<row r="2" ht="20" customHeight="1"/>' * (rows - 1 + k))]),
        "cell children": workbook([sheet(HEAD + '<row r="2"><c r="A2">' + "<v>1</v>" * (element_caps(cells)[0] - 200 + 200 * k)
                                         + "</c></row>")]),
        # the cell limit spread over a hundred sheets
        "100 sheets": workbook([dense(n50 // 100 + (k if i == 99 else 0), 50) for i in range(100)], strings=strings(50)),
        # hyperlinks inside merged ranges (openpyxl searches the ranges for each) up to the guard's bound
        "links into merges": workbook([sheet(HEAD, "<mergeCells>" + "".join(f'<mergeCell ref="A{r}:B{r}"/>'
                                                                             for r in range(2, merged // 2 + 2))
                                             + "</mergeCells><hyperlinks>" + f'<hyperlink ref="B{merged // 2 + 1}"/>'
                                             * (_LINK_CHECKS // (merged // 2) + k) + "</hyperlinks>")]),
        # as many sheets as the guard lets through (openpyxl checks each title against all before it)
        "255 sheets": workbook([sheet(HEAD)] * (_SHEETS + k)),
        # text up to the size limit: few cells, long shared strings
        "big text": workbook([dense(200, 5)], strings=f'<sst xmlns="{NS}">'
                             + f"<si><t>{'督查' * (mb * 2**20 // (7 - k) // 50 + 1000 * k)}</t></si>" * 50 + "</sst>"),
        # every limit spent at once on what openpyxl finds dearest: inline text in every cell, two-cell merges
        # with hyperlinks inside, and the rest of the element weight on styles
        "all at once": workbook([dense(n50 - 2 + 4 * k, 50, shared=False, after="<mergeCells>" + "".join(
            f'<mergeCell ref="A{r}:D{r}"/>' for r in range(2, merged // 4 + 2)) + "</mergeCells><hyperlinks>"
            + f'<hyperlink ref="B{merged // 4 + 1}"/>' * (_LINK_CHECKS // (merged // 4)) + "</hyperlinks>")],
            styles=styles((other - 3 * (merged // 4 + _LINK_CHECKS // (merged // 4)) - 300) // 3)),
        # everything at once: cells, merges, styles, strings, each just inside its limit
        "combined": workbook([dense(n50 // 2, 50, after=f'<mergeCells><mergeCell ref="A2:{col(50)}{1 + merged // 50}"/>'
                                                        "</mergeCells>"),
                              sheet(HEAD + f'<row r="{rows}"><c r="{col(cells // 2 // rows + k)}{rows}"><v>1</v></c></row>')],
                             styles=styles((other // 2 - 200) // 3), strings=strings((other // 2 - 200) // 19, runs=3)),
    }


PROBE = """
import io, json, sys, time
from pathlib import Path
from yilan_cli.sheets import _xlsx_grids
data = sys.stdin.buffer.read()
wall, cpu = time.perf_counter(), time.process_time()
grids, _ = _xlsx_grids(data, Path("case.xlsx"), None)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "rss": int(next(x for x in open("/proc/self/status") if x.startswith("VmHWM")).split()[1]) // 1024,
                  "grid": sum(len(r) for _, g in grids for r in g)}))
"""


def guard_seconds(data: bytes, limits: tuple[int, int, int, int, int]) -> tuple[float, str]:
    from yilan_cli.errors import UsageError
    from yilan_cli.sheets import guard_workbook

    started = time.perf_counter()
    try:
        guard_workbook(data, Path("case.xlsx"), limits)
        verdict = "passed"
    except UsageError as e:
        verdict = "X013 " + e.message.split(" 的", 1)[-1][:40]
    return time.perf_counter() - started, verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--import", dest="run_import", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from yilan_cli.workspace import Rules

    limits = Rules().sheet_limits
    print(f"limits (rows, cols, cells, merged, MB): {limits}")
    inside, outside = cases(limits, over=False), cases(limits, over=True)
    print(f"{'case':22} {'zip KB':>7} {'guard s':>8} {'load wall s':>11} {'cpu s':>6} {'RSS MB':>7} {'grid':>8}"
          f"   over the limit: guard s, verdict")
    for name, data in inside.items():
        if args.only and name not in args.only:
            continue
        g, verdict = guard_seconds(data, limits)
        assert verdict == "passed", (name, verdict)
        r = subprocess.run([sys.executable, "-c", PROBE], input=data, capture_output=True, check=True)
        m = json.loads(r.stdout)
        g2, verdict2 = guard_seconds(outside[name], limits)
        print(f"{name:22} {len(data) // 1024:>7} {g:>8.2f} {m['wall']:>11.2f} {m['cpu']:>6.2f} {m['rss']:>7} {m['grid']:>8}"
              f"   {g2:.2f} {verdict2}", flush=True)
    if args.run_import:
        with tempfile.TemporaryDirectory() as tmp:
            exe = str(Path(sys.executable).with_name("yilan"))
            subprocess.run([exe, "init", f"{tmp}/w", "--example"], check=True, capture_output=True)
            for name in ("all at once", "combined"):
                book = Path(tmp) / f"{name.replace(' ', '_')}.xlsx"
                book.write_bytes(inside[name])
                r = subprocess.run(["/usr/bin/time", "-f", "%e s wall, %U s user, %M KB max RSS", exe, "--root", f"{tmp}/w",
                                    "import", str(book), "--ledger", "zhuanban", "--dry-run"], capture_output=True, text=True)
                print(f"yilan import --dry-run ({name}):", r.stderr.strip().splitlines()[-1])

if __name__ == "__main__":
    main()

"""Every report kind in every format: goldens, the 公文 XML, and real renderings to PDF.

The PDF checks use Debian's chromium (through Playwright, never `playwright install`), LibreOffice and
poppler, which .ci/run installs; fonts-noto-cjk supplies the CJK glyphs (without it: tofu boxes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.docx_report import docx_text

from .conftest import REPO, write_matter

KINDS = [("2022-06", "monthly"), ("2022Q2", "quarterly"), ("2022H1", "half"), ("2022", "annual")]


def report(period: str, fmt: str, tmp_path: Path, root: Path = REPO) -> Path:
    out = tmp_path / f"r.{fmt}"
    r = CliRunner().invoke(app, ["--root", str(root), "report", period, "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.parametrize(("period", "kind"), KINDS)
def test_goldens_for_every_kind_and_format(golden, tmp_path: Path, period: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    golden(f"report_{kind}.md", report(period, "md", tmp_path).read_text(encoding="utf-8"))
    golden(f"report_{kind}.html", report(period, "html", tmp_path).read_text(encoding="utf-8"))
    golden(f"report_{kind}.docx.txt", docx_text(report(period, "docx", tmp_path).read_bytes()))


def test_html_is_one_self_contained_file(tmp_path: Path) -> None:
    html = report("2022Q2", "html", tmp_path).read_text(encoding="utf-8")
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|https?:|//[a-z]", html, re.I), "no external reference"
    assert html.count("<svg") == 2 and "@page { size: A4" in html and "break-before: page" in html
    assert html.count("内部资料 注意保存") == 1  # the 份号/密级 position, top left of page 1


def test_hostile_titles_are_escaped_in_html(tmp_workspace: Path, tmp_path: Path) -> None:
    write_matter(tmp_workspace, "xian", "XW-001", title="'<script>alert(1)</script>|x'", deadline="2022-05-31")
    html = report("2022Q2", "html", tmp_path, tmp_workspace).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;|x" in html


def test_docx_follows_the_gongwen_format(tmp_path: Path) -> None:
    data = report("2022Q2", "docx", tmp_path).read_bytes()
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
        footer = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in body, font  # East Asian font names, not only font.name
    assert 'w:color w:val="FF0000"' in body and 'w:color="FF0000"' in body  # red letterhead and rule
    assert body.count("<w:tblHeader") >= 5  # header rows repeat on every page
    assert "PAGE" in footer and "— " in footer and " —" in footer
    assert report("2022Q2", "docx", tmp_path).read_bytes() == data  # same inputs, same bytes
    text = docx_text(data)
    assert text.startswith("内部资料 注意保存\n中共依兰县委督查室\n依兰县人民政府督查室\n")  # joint: one organ a line
    assert "关于2022年第二季度重点工作督办落实情况的季度通报" in text


def pdf_facts(pdf: Path) -> dict[str, Any]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    return {"pages": pages, "fonts": fonts, "embedded": all("yes" in r[-5:-4] for r in rows), "text": text,
            "font_count": len(rows)}


LINUX_RENDERERS = pytest.mark.skipif(
    sys.platform != "linux", reason="needs Debian's chromium, LibreOffice and poppler (installed by .ci/run)")


@pytest.mark.slow
@LINUX_RENDERERS
def test_html_prints_to_pdf_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    html = report("2022Q2", "html", tmp_path)
    pdf = tmp_path / "html.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(html.as_uri())
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        browser.close()
    facts = pdf_facts(pdf)
    assert facts["pages"] >= 8  # A4: the demo's tables alone fill more than eight pages
    # Chromium embeds CJK glyphs as unnamed Type 3 fonts of at most 256 glyphs each: dozens of them mean
    # hundreds of distinct characters were drawn; without fonts-noto-cjk every character is one tofu box
    assert facts["embedded"] and facts["font_count"] >= 20
    flat = facts["text"].replace("\n", "")
    assert "关于2022年第二季度重点工作督办落实情况的季度通报" in flat and "赛马排名" in flat and "县委宣传部" in flat


@pytest.mark.slow
@LINUX_RENDERERS
def test_docx_converts_to_pdf_in_libreoffice(tmp_path: Path) -> None:
    docx = report("2022Q2", "docx", tmp_path)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    str(docx), "--outdir", str(tmp_path)], capture_output=True, check=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    facts = pdf_facts(tmp_path / "r.pdf")
    assert facts["pages"] >= 4
    assert facts["embedded"] and "CJK" in facts["fonts"]  # a CJK font is embedded: no tofu boxes
    flat = facts["text"].replace("\n", "").replace(" ", "")
    assert "季度通报" in flat and "赛马排名" in flat and "—1—" in flat

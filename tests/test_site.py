"""The static dashboard, checked in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO

SHOTS = REPO / "docs" / "images"


def build(root: Path, out: Path, *extra: str) -> None:
    r = CliRunner().invoke(app, ["--root", str(root), "site", "-o", str(out), "--today", "2022-06-30", *extra])
    assert r.exit_code == 0, r.output


def test_every_page_is_local_marked_and_masks_sensitive_fields(git_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(git_demo, out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 1 + 13 + 24 + 42  # index, ledgers, units that lead something, matters
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count("内部资料 注意保存") == 2, page
        assert not re.search(r"\bsrc\s*=|https?:|url\(|@import|<link", html), page  # nothing fetched
    xf = (out / "matter/XF-001.html").read_text(encoding="utf-8")
    assert "(敏感,已隐藏)" in xf and "许某某" not in xf and "YLXF-2022-0012" in xf
    build(git_demo, tmp_path / "full", "--include-sensitive")
    assert "许某某" in (tmp_path / "full/matter/XF-001.html").read_text(encoding="utf-8")
    zb3 = (out / "matter/ZB-003.html").read_text(encoding="utf-8")
    assert "年底存栏肉牛" in zb3 and "新增" in zb3  # indicators, and the git history of the file
    # the page is the matter at 2022-06-30: the August extension, the entries from July on, the November close and
    # its figure are not on it; the page says five later entries exist (their number only)
    assert "延期" not in zb3 and "已办结" not in zb3 and "2022-07-31" not in zb3
    assert "2022-06-30</strong> 70%" in zb3 and "此后另有 5 条进展记录" in zb3
    assert '<td>年底存栏肉牛</td><td class="n">4000头</td><td class="n">—</td><td class="n">—</td>' in zb3  # none by June


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="drives Debian's /usr/bin/chromium (installed by .ci/run)")
def test_filter_by_unit_and_follow_a_link_in_chromium(git_demo: Path, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    """Screenshots land in docs/images only with --update-goldens (a normal run never touches the repo)."""
    from playwright.sync_api import sync_playwright

    shots = SHOTS if request.config.getoption("--update-goldens") else tmp_path
    out = tmp_path / "site"
    build(git_demo, out)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "index.html").as_uri())
        assert page.locator("h1").inner_text() == "中共依兰县委督查室、依兰县人民政府督查室督办事项总览"
        assert page.locator("#matters tbody tr:visible").count() == 42
        page.screenshot(path=str(shots / "site-index.png"))
        page.select_option("#f-unit", "县住建局")
        assert page.locator("#f-count").inner_text() == "4 项"
        visible = page.locator("#matters tbody tr:visible td:nth-child(2)").all_inner_texts()
        assert sorted(visible) == ["HB-002", "SW-002", "XF-001", "XW-002"]
        page.select_option("#f-light", "yellow")
        assert sorted(page.locator("#matters tbody tr:visible td:nth-child(2)").all_inner_texts()) == ["SW-002", "XW-002"]
        page.locator("#f-unit").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -60)")
        page.screenshot(path=str(shots / "site-filtered.png"))
        page.click("#matters tbody tr:visible >> text=XW-002")
        assert page.url.endswith("/matter/XW-002.html")
        body = page.locator("main").inner_text()
        assert "县城集中供热老旧管网改造" in body and "完成招标" in body and "黄灯" in body
        page.screenshot(path=str(shots / "site-matter.png"), full_page=True)
        browser.close()
    assert all(u.startswith("file://") for u in requests)  # nothing left the machine

"""`yilan site` into a folder it built before (issue 22): only pages whose bytes change are written, each in one
step; pages of matters that no longer exist are removed when yilan wrote them; nothing else is touched."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git

DAY = "2022-06-30"


def site(root: Path, out: Path, *extra: str) -> str:
    r = CliRunner().invoke(app, ["--root", str(root), "site", "-o", str(out), "--today", DAY, *extra])
    assert r.exit_code == 0, r.output
    return r.stdout


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``out`` → (inode, mtime): a file written again (renamed into place) has a new inode."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {name for name, sig in after.items() if before.get(name) != sig}


def pages(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}


def test_a_rebuild_with_nothing_changed_writes_nothing(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = site(demo_workspace, out)
    assert "80 个页面(写入 80 页,未变 0 页)" in first
    before, content = snapshot(out), pages(out)
    again = site(demo_workspace, out)
    assert "80 个页面(写入 0 页,未变 80 页)" in again, again
    assert snapshot(out) == before and pages(out) == content
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]  # no temporary file left behind
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "index.html").stat().st_mode & 0o777 == 0o666 & ~mask  # readable by the web server, as before


def test_one_update_rewrites_the_matter_its_ledger_its_unit_and_the_index(git_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(git_demo, out)
    full = pages(out)
    before = snapshot(out)
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "XW-002", "--progress", "80", "--note", "完成主体",
                                 "--date", DAY])
    assert r.exit_code == 0, r.output
    said = site(git_demo, out)
    assert "写入 4 页,未变 76 页" in said, said
    assert rewritten(before, snapshot(out)) == {"matter/XW-002.html", "ledger/xian.html", "unit/县住建局.html",
                                                 "index.html", ".yilan-site.json"}
    # the pages are exactly those a build into an empty folder makes
    assert pages(out) == pages(_fresh(git_demo, tmp_path / "fresh"))
    assert pages(out) != full and "完成主体" in (out / "matter/XW-002.html").read_text(encoding="utf-8")
    # a note alone changes only the matter's page (the lists show no notes)
    before = snapshot(out)
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "XW-002", "--note", "又一条", "--date", DAY])
    assert r.exit_code == 0, r.output
    assert "写入 1 页,未变 79 页" in site(git_demo, out)
    assert rewritten(before, snapshot(out)) == {"matter/XW-002.html", ".yilan-site.json"}


def _fresh(root: Path, out: Path) -> Path:
    site(root, out)
    return out


def test_a_page_changed_by_hand_or_deleted_is_made_again(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(demo_workspace, out)
    content = pages(out)
    page = out / "matter/ZB-002.html"
    page.write_bytes(page.read_bytes().replace(b"</h1>", b"</H1>"))  # the same size: its time tells
    later = (out / ".yilan-site.json").stat().st_mtime_ns + 10**9
    os.utime(page, ns=(later, later))  # after the build even where file times are coarse
    (out / "ledger/xian.html").unlink()
    assert "写入 2 页,未变 78 页" in site(demo_workspace, out)
    assert pages(out) == content


def test_the_page_of_a_matter_gone_is_removed_but_no_file_yilan_did_not_write(demo_workspace: Path,
                                                                               tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(demo_workspace, out)
    mine = {"matter/custom.html": b"<p>\xe6\x88\x91\xe7\x9a\x84</p>\n", "matter/ZZ-999.html": b"<p>x</p>\n",
            "notes.txt": b"x\n"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    zb1 = next((demo_workspace / "ledgers").rglob("ZB-001.yaml"))
    zb2 = next((demo_workspace / "ledgers").rglob("ZB-002.yaml"))
    edited = out / "matter/ZB-002.html"
    edited.write_bytes(edited.read_bytes() + b"<!-- kept by hand -->\n")  # no longer what yilan wrote
    zb1.unlink()
    zb2.unlink()
    made = set(pages(out))
    said = site(demo_workspace, out)
    gone = made - set(pages(out))
    assert "matter/ZB-001.html" in gone and f"删除旧页面 {len(gone)} 页" in said, said
    assert edited.exists()  # the page of a matter gone, changed since: someone's file now, left alone
    assert all((out / name).read_bytes() == data for name, data in mine.items())
    manifest = json.loads((out / ".yilan-site.json").read_text(encoding="utf-8"))
    assert "matter/ZB-001.html" not in manifest["pages"] and "matter/ZB-002.html" not in manifest["pages"]


def test_the_manifest_holds_hashes_and_sizes_only(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(demo_workspace, out, "--include-sensitive")
    assert "许某某" in (out / "matter/XF-001.html").read_text(encoding="utf-8")
    text = (out / ".yilan-site.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert set(doc) == {"yilan-site", "pages"} and set(doc["pages"]) == set(pages(out))
    for entry in doc["pages"].values():
        assert re.fullmatch(r"[0-9a-f]{32}", entry[0]) and re.fullmatch(r"([0-9a-f]{32})?", entry[1])
        assert isinstance(entry[2], int)
    assert text.isascii()  # no title, no name, no text of any page


def test_a_forged_manifest_deletes_nothing_outside_the_pages(demo_workspace: Path, tmp_path: Path) -> None:
    """The site folder is served and may be writable by others: a manifest naming files elsewhere (with their
    true hashes) is not obeyed."""
    import hashlib

    out = tmp_path / "site"
    site(demo_workspace, out)
    victims = {tmp_path / "victim.html": b"<p>precious</p>\n", out / "matter" / ".hidden.html": b"h\n"}
    for path, data in victims.items():
        path.write_bytes(data)
    doc = json.loads((out / ".yilan-site.json").read_text(encoding="utf-8"))
    for name, path in (("../victim.html", tmp_path / "victim.html"), ("matter/../../victim.html", tmp_path / "victim.html"),
                       (str(tmp_path / "victim.html"), tmp_path / "victim.html"), ("matter/.hidden.html",
                                                                                  out / "matter" / ".hidden.html")):
        data = path.read_bytes()
        doc["pages"][name] = [hashlib.blake2b(data, digest_size=16).hexdigest(), "", len(data)]
    (out / ".yilan-site.json").write_text(json.dumps(doc), encoding="utf-8")
    site(demo_workspace, out)
    assert all(path.read_bytes() == data for path, data in victims.items())


@pytest.mark.parametrize("use", ["{{ s.total }}", "{% set x = s %}{{ x.total }}", "{{ s['total'] }}"])
def test_a_matter_page_of_a_workspace_template_that_reads_the_total_follows_it(demo_workspace: Path, tmp_path: Path,
                                                                               use: str) -> None:
    """What a page depends on is read from its templates: one that prints the site's total on every matter page
    makes every matter page change when the total does."""
    shipped = Path(__file__).resolve().parent.parent / "report_templates" / "site_matter.html.j2"
    (demo_workspace / "report_templates").mkdir()
    text = shipped.read_text(encoding="utf-8").replace("<h1>", f"<p>共 {use} 项</p><h1>", 1)
    (demo_workspace / "report_templates" / "site_matter.html.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    site(demo_workspace, out)
    assert "<p>共 42 项</p>" in (out / "matter/ZB-002.html").read_text(encoding="utf-8")
    next((demo_workspace / "ledgers").rglob("ZB-001.yaml")).unlink()
    said = site(demo_workspace, out)
    assert all("<p>共 41 项</p>" in p.read_text(encoding="utf-8") for p in (out / "matter").glob("*.html")), said
    assert pages(out) == pages(_fresh(demo_workspace, tmp_path / "fresh"))


def test_a_changed_template_or_day_makes_the_pages_again(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    site(demo_workspace, out)
    shutil.copytree(Path(__file__).resolve().parent.parent / "report_templates", demo_workspace / "report_templates")
    base = demo_workspace / "report_templates" / "site_base.html.j2"
    base.write_text(base.read_text(encoding="utf-8").replace("<footer>", "<footer><p>测试页脚</p>"), encoding="utf-8")
    assert "写入 80 页" in site(demo_workspace, out)
    assert all("测试页脚" in text.decode("utf-8") for text in pages(out).values())
    r = CliRunner().invoke(app, ["--root", str(demo_workspace), "site", "-o", str(out), "--today", "2022-07-01"])
    assert r.exit_code == 0 and re.search(r"写入 \d+ 页,未变 0 页", r.stdout), r.output  # 数据截至 is on every page


def test_a_page_linked_away_is_refused_even_when_unchanged(git_demo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged page is not written, but a rebuild never writes or deletes through a link committed inside
    the workspace: a page that became a link is made again, and refused (E114)."""
    monkeypatch.chdir(git_demo)
    out = git_demo / "督办看板"
    assert CliRunner().invoke(app, ["site", "--today", DAY]).exit_code == 0
    victim = tmp_path / "victim.html"
    victim.write_bytes((out / "matter/ZB-002.html").read_bytes())
    (out / "matter/ZB-002.html").unlink()
    (out / "matter/ZB-002.html").symlink_to(victim)
    git(git_demo, "add", "-f", "督办看板/matter/ZB-002.html")
    r = CliRunner().invoke(app, ["site", "--today", DAY])
    assert r.exit_code == 2 and "[E114]" in r.stderr, r.output
    assert victim.read_bytes() == (tmp_path / "victim.html").read_bytes() and victim.is_file()



def test_the_pages_are_made_under_a_progress_bar(demo_workspace: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """progress.counted draws the bar on a terminal only; the site hands it every page and says what it is."""
    from yilan_cli import site as site_module

    seen = []

    def counted(items, total, label):  # type: ignore[no-untyped-def]
        seen.append((total, label))
        yield from items

    monkeypatch.setattr(site_module, "counted", counted)
    site(demo_workspace, tmp_path / "site")
    assert seen == [(80, "生成网页")]


def test_the_words_of_past_changes_are_read_once(git_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 修改记录 of every page: what changed between two versions of a file never changes, so a rebuild reads
    only the versions of commits it has not seen (.yilan/cache/site-history.bin)."""
    from yilan_cli import history

    site(git_demo, tmp_path / "a")
    read: list[str] = []
    original = history.Blobs.text

    def text(self: history.Blobs, sha: str) -> str | None:
        read.append(sha)
        return original(self, sha)

    monkeypatch.setattr(history.Blobs, "text", text)
    site(git_demo, tmp_path / "b")
    assert read == []
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "XW-002", "--note", "一条", "--date", DAY])
    assert r.exit_code == 0, r.output
    site(git_demo, tmp_path / "b")
    assert len(read) == 2  # the file before and after the new commit
    monkeypatch.setenv("YILAN_NO_CACHE", "1")
    assert pages(tmp_path / "b") == pages(_fresh(git_demo, tmp_path / "c"))  # as without any cache


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_worker_processes_make_the_same_pages_and_manifest(git_demo: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Many matter pages to make go to one worker process per core (site._in_workers): the same bytes, the same
    manifest, the same counts; a page in place is left alone, a changed one written, as in one process."""
    from yilan_cli import site as site_module

    one = site(git_demo, tmp_path / "one")
    monkeypatch.setattr(site_module, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(site_module, "PAGES_PER_TASK", 5)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    forked = []
    real = site_module._in_workers
    monkeypatch.setattr(site_module, "_in_workers", lambda *a: forked.append(len(a[2])) or real(*a))
    many = site(git_demo, tmp_path / "many")
    assert forked == [42]
    assert many.replace("many", "one") == one
    assert pages(tmp_path / "many") == pages(tmp_path / "one")
    assert (tmp_path / "many/.yilan-site.json").read_bytes() == (tmp_path / "one/.yilan-site.json").read_bytes()
    before = snapshot(tmp_path / "many")
    edited = tmp_path / "many/matter/ZB-002.html"
    edited.write_bytes(edited.read_bytes() + b"x")
    base = git_demo / "report_templates" / "site_matter.html.j2"  # every matter page to make again, same bytes
    base.write_text(base.read_text(encoding="utf-8") + "{# 注释 #}", encoding="utf-8")
    again = site(git_demo, tmp_path / "many")
    assert "写入 1 页,未变 79 页" in again and forked == [42, 42], again
    assert rewritten(before, snapshot(tmp_path / "many")) == {"matter/ZB-002.html", ".yilan-site.json"}
    assert pages(tmp_path / "many") == pages(tmp_path / "one")


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_template_failing_in_a_worker_is_said_as_in_one_process(git_demo: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from yilan_cli import site as site_module

    monkeypatch.setattr(site_module, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    (git_demo / "report_templates" / "site_matter.html.j2").write_text("<p>{{ 1/0 }}</p>\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["--root", str(git_demo), "site", "-o", str(tmp_path / "site"), "--today", DAY])
    assert r.exit_code == 2 and "[T005]" in r.stderr and "site_matter.html.j2" in r.stderr, r.output

"""What a colleague commits never forges the audit trail, never redirects what yilan writes, and never
prints as structure (issue 16: faults found by the attacker helper after the first round).

Each test asserts the right value: the commit shown once with its own subject, the file outside untouched,
the name shown visibly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git

POSIX = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def run(root: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


# --------------------------------------------------------------------------- the audit trail reads git's log exactly
@pytest.mark.parametrize("subject", [
    # the separators the log reader once split on, followed by a whole forged commit
    "正常的更正\x1e" + "a" * 40 + "\x1f县长\x1f2020-01-01\x1f领导已批准销号\x1fclose\x1fboss@gov.cn\x1fG",
    "更正\x1f伪造作者\x1f2020-01-01",
])
def test_a_subject_holding_separators_is_one_commit_with_its_own_subject(git_demo: Path, subject: str) -> None:
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 小改\n", encoding="utf-8")
    git(git_demo, "commit", "-qam", subject)
    r = run(git_demo, "history", "ZB-001", "--format", "json")
    assert r.exit_code == 0, r.output
    commits = json.loads(r.stdout)["history"]
    assert commits[0]["subject"] == subject and commits[-1]["subject"].startswith("新增 ZB-001 ")
    assert [c["action"] for c in commits] == ["manual"] + ["update"] * 6 + ["add"]  # the demo's own history after it
    assert not {c["author"] for c in commits} & {"县长", "伪造作者"}


def test_the_audit_of_a_forged_subject_names_the_real_author(git_demo: Path) -> None:
    """Second place of the kind: `audit` reads the same log."""
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("进展", "进展", 1) + "# x\n", encoding="utf-8")
    git(git_demo, "commit", "-qam", "改\x1e" + "b" * 40 + "\x1f县委书记\x1f2020-01-01\x1f伪造")
    r = run(git_demo, "audit", "--format", "json")
    assert r.exit_code in (0, 1), r.output
    head = git(git_demo, "rev-parse", "HEAD").strip()
    findings = [f for f in json.loads(r.stdout)["findings"] if f["commit"] == head]  # the demo's year has its own
    assert len(findings) == 1 and findings[0]["kind"] == "手工提交" and "县委书记" not in findings[0]["author"]
    assert findings[0]["detail"].endswith("改\x1e" + "b" * 40 + "\x1f县委书记\x1f2020-01-01\x1f伪造")


# --------------------------------------------------------------------------- outputs never go through a committed link
@POSIX
@pytest.mark.parametrize(("link", "args"), [
    ("督办看板", ["site", "--today", "2022-06-30"]),                      # the default site folder is a link
    ("督办看板/matter", ["site", "--today", "2022-06-30"]),               # a sub-folder of it
    ("督办看板/index.html", ["site", "--today", "2022-06-30"]),           # one page
    ("督办通知单", ["notice", "--today", "2022-06-30"]),                  # the default notice folder
    ("督办通知单/督办通知单-县水务局.md", ["notice", "--today", "2022-06-30"]),
])
def test_a_committed_link_where_yilan_writes_by_default_is_refused(
        git_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, link: str, args: list[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ".bashrc"
    victim.write_text("# 十年积累的配置\n", encoding="utf-8")
    place = git_demo / link
    place.parent.mkdir(parents=True, exist_ok=True)
    place.symlink_to(victim if place.suffix else outside)
    git(git_demo, "add", "-f", link)  # output folders are git-ignored: a colleague forces it in
    git(git_demo, "commit", "-qm", "同事提交的链接")
    monkeypatch.chdir(git_demo)
    r = CliRunner().invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 2 and "[E114]" in r.stderr and link.split("/")[-1] in r.stderr, r.output
    assert victim.read_text(encoding="utf-8") == "# 十年积累的配置\n" and sorted(os.listdir(outside)) == [".bashrc"]


@POSIX
def test_a_default_document_name_that_is_a_link_is_refused(git_demo: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Second place: report --format docx writes <title>.docx into the current folder by default."""
    victim = tmp_path / "victim.txt"
    victim.write_text("原文\n", encoding="utf-8")
    monkeypatch.chdir(git_demo)
    dry = CliRunner().invoke(app, ["report", "2022Q2", "--format", "docx"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    made = next(git_demo.glob("*.docx"))
    made.unlink()
    made.symlink_to(victim)
    r = CliRunner().invoke(app, ["report", "2022Q2", "--format", "docx"], catch_exceptions=False)
    assert r.exit_code == 2 and "[E114]" in r.stderr
    assert victim.read_text(encoding="utf-8") == "原文\n"


@POSIX
def test_a_link_the_user_names_outside_the_workspace_is_theirs(git_demo: Path, tmp_path: Path) -> None:
    """Outside the workspace nobody else committed anything: -o through the user's own link works."""
    real = tmp_path / "共享盘"
    real.mkdir()
    (tmp_path / "快捷方式").symlink_to(real)
    r = run(git_demo, "report", "2022Q2", "-o", str(tmp_path / "快捷方式" / "通报.md"))
    assert r.exit_code == 0, r.output
    assert (real / "通报.md").is_file()


# --------------------------------------------------------------------------- a value is one run of text in Markdown
def _markdown_kinds(document: str) -> tuple[list[str], set[str]]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(document)
    return [t.type for t in tokens], {c.type for t in tokens for c in (t.children or [])}


@pytest.mark.parametrize("value", ["~~~python", "```", "---", "===", "- - -", "***", "~~删除线~~", "&#60;img&#62;",
                                   "    缩进的代码", "1) 第一", "# 标题", "> 引用", "| a | b |", "<b>粗</b>", "[链接](x)"])
@pytest.mark.parametrize("before", ["前文\n", "前文\n\n"])  # right under a line (setext underline) or at a block's start
def test_markdown_structure_in_a_value_stays_text(value: str, before: str) -> None:
    from yilan_cli.report import md_text

    blocks, inline = _markdown_kinds(before + md_text(value) + "\n\n后文\n")
    paragraphs = 2 if before == "前文\n" else 3
    assert blocks == ["paragraph_open", "inline", "paragraph_close"] * paragraphs and inline <= {"text", "softbreak"}


def test_any_value_is_one_run_of_text_in_markdown() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from yilan_cli.report import md_text

    markdown = st.sampled_from([*"#>-+=*_~`&[]()<>|!\\:.) 1\n\t", "---", "~~~", "```", "&amp;", "    "])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(markdown | st.text(max_size=3), min_size=1, max_size=12).map("".join))
    def check(value: str) -> None:
        text = md_text(value)
        if not text.strip():
            return
        blocks, inline = _markdown_kinds("前文\n" + text + "\n\n后文\n")
        assert blocks == ["paragraph_open", "inline", "paragraph_close"] * 2 and inline <= {"text", "softbreak"}, text

    check()


# --------------------------------------------------------------------------- a committed file name is one line
@POSIX
@pytest.mark.parametrize("args", [
    ["check", "--today", "2022-06-30"],                    # the finding lines
    ["status", "--today", "2022-06-30"],                   # "these files were not counted" on stderr
    ["report", "2022Q2"],                                  # E502 listing the invalid files
    ["check", "--today", "2022-06-30", "--format", "github"],
])
def test_a_file_name_with_a_line_feed_cannot_print_a_finding_of_its_own(git_demo: Path, args: list[str]) -> None:
    name = "ZB-9\nledgers/zhuanban/ZB-001.yaml:1:1: 错误[E201] 伪造的发现.yaml"
    (git_demo / "ledgers" / "zhuanban" / name.replace("/", "∕")).write_text("编号: ZB-009\n", encoding="utf-8")
    r = run(git_demo, *args)
    lines = r.output.splitlines()
    assert not any("伪造的发现" in line and not line.lstrip().startswith(("ledgers/zhuanban/ZB-9\\n", "::error"))
                   for line in lines), r.output
    assert any("ZB-9\\n" in line or "ZB-9%0A" in line for line in lines)


# --------------------------------------------------------------------------- nothing is read through a link
@POSIX
def test_a_schema_file_linked_to_an_endless_device_is_refused_before_it_is_read(git_demo: Path) -> None:
    """The schema cache key hashed every schemas/ file before the link check: /dev/zero ran out of memory."""
    units = git_demo / "schemas" / "units.yaml"
    units.unlink()
    units.symlink_to("/dev/zero")
    r = run(git_demo, "status", "--today", "2022-06-30")
    assert r.exit_code == 2 and "[E114]" in r.stderr and "schemas/units.yaml" in r.stderr, r.output


@POSIX
def test_a_linked_last_id_is_refused_and_its_target_never_shown(git_demo: Path, tmp_path: Path) -> None:
    """import read ledgers/<key>/.last-id directly; a link put the target's first line into the E317 message."""
    secret = tmp_path / "secret"
    secret.write_text("PASSWORD=hunter2\n", encoding="utf-8")
    seq = git_demo / "ledgers" / "zhuanban" / ".last-id"
    seq.unlink()
    seq.symlink_to(secret)
    sheet = tmp_path / "新事项.csv"
    sheet.write_text("事项,牵头单位,完成时限,交办日期\n新的事项,县水务局,2022-12-31,2022-01-01\n", encoding="utf-8")
    for args in (["import", str(sheet), "--ledger", "zhuanban", "--dry-run"], ["import", str(sheet), "--ledger", "zhuanban"],
                 ["add", "zhuanban", "--title", "t", "--lead-unit", "县水务局", "--deadline", "2022-12-31"]):
        r = run(git_demo, *args)
        assert "hunter2" not in r.output and "[E114]" in r.output and "ledgers/zhuanban/.last-id" in r.output, args
    assert secret.read_text(encoding="utf-8") == "PASSWORD=hunter2\n"


@POSIX
def test_a_linked_research_year_folder_is_a_finding_not_skipped(git_demo: Path, tmp_path: Path) -> None:
    year = next(p for p in (git_demo / "research").iterdir() if p.is_dir())
    outside = tmp_path / "别处的调研"
    year.rename(outside)
    year.symlink_to(outside)
    r = run(git_demo, "check", "--today", "2022-06-30")
    assert r.exit_code == 1 and f"research/{year.name}:1:1: 错误[E114]" in r.stdout, r.output


@POSIX
def test_fmt_never_reads_or_writes_through_a_linked_ledger_folder(git_demo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "另一个单位的台账"
    (git_demo / "ledgers" / "zhuanban").rename(outside)
    (git_demo / "ledgers" / "zhuanban").symlink_to(outside)
    untidy = outside / "ZB-001.yaml"
    untidy.write_text(untidy.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    assert "ZB-001" not in run(git_demo, "fmt", "--check").output
    run(git_demo, "fmt")
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


# --------------------------------------------------------------------------- line breaks where one line is meant
def test_a_title_with_line_breaks_stays_on_its_line_in_messages_findings_and_commits(git_demo: Path) -> None:
    title = "供水改造\n2022-06-30 100% 已办结(伪造的一行)\n\nYilan-Action: init"
    r = run(git_demo, "add", "zhuanban", "--title", title, "--lead-unit", "县水务局", "--deadline", "2022-05-31",
            "--assigned", "2022-01-01")
    assert r.exit_code == 0
    flat = "供水改造 2022-06-30 100% 已办结(伪造的一行) Yilan-Action: init"
    assert f"新增 ZB-004 {flat}(重点工作专班" in r.stdout
    for args in (["update", "ZB-004", "--progress", "50", "--date", "2022-03-01"],
                 ["close", "ZB-004", "--date", "2022-04-01"]):
        r = run(git_demo, *args)
        assert r.exit_code == 0 and r.stdout.count("\n") == 1 and flat in r.stdout, r.stdout
    # the commit subject holds the whole title; the only Yilan-Action trailers are yilan's own
    subjects = git(git_demo, "log", "-3", "--format=%s").splitlines()
    assert all(flat in s for s in subjects)
    assert git(git_demo, "log", "-3", "--format=%(trailers:key=Yilan-Action,valueonly)").split() == ["close", "update", "add"]
    assert run(git_demo, "undo", "--yes").exit_code == 0  # the close, not refused as an "init"


def test_a_finding_about_a_multi_line_title_is_one_line(git_demo: Path) -> None:
    """Second place: the finding's message (R001 carries the title)."""
    assert run(git_demo, "add", "zhuanban", "--title", "供水\nledgers/x.yaml:1:1: 错误[E999] 伪造", "--lead-unit", "县水务局",
               "--deadline", "2022-05-31", "--assigned", "2022-01-01").exit_code == 0
    out = run(git_demo, "check", "--today", "2022-06-30").stdout
    assert not any(line.startswith("ledgers/x.yaml") for line in out.splitlines())
    assert "ZB-004 供水 ledgers/x.yaml:1:1: 错误[E999] 伪造:超期 30 天" in out


# --------------------------------------------------------------------------- the smaller kinds, each in two places
@pytest.mark.parametrize("args", [
    ["report", "2022Q2", "-o", "长" * 100 + ".md"],
    ["notice", "--today", "2022-06-30", "-o", "长" * 100],
    ["export", "-o", "长" * 100 + ".xlsx"],
])
def test_an_output_name_longer_than_a_file_system_takes_is_a_sentence(git_demo: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "[E504]" in r.stderr and "文件名太长" in r.stderr, r.output


def test_a_default_name_from_a_long_title_fits_a_file_system() -> None:
    from yilan_cli.sheets import safe_name

    assert len(safe_name("𠀀" * 300).encode()) <= 200 and safe_name("长" * 300) == "长" * 50
    assert safe_name("县水务局/../x\x7f") == "县水务局_.._x_"


@pytest.mark.parametrize(("text", "shown"), [
    ("左\u200e右", "左\\u200e右"), ("左\u200f右", "左\\u200f右"), ("左\u061c右", "左\\u061c右"),
    ("行\u2028行", "行\\u2028行"), ("段\u2029段", "段\\u2029段"),
])
def test_bidi_marks_and_unicode_line_separators_are_shown(text: str, shown: str) -> None:
    from yilan_cli.terminal import inline, visible

    assert visible(text) == shown
    assert inline("标题" + text[1] + "第二行") in ("标题 第二行", "标题" + text[1] + "第二行")


def test_init_into_a_read_only_place_is_g012(tmp_path: Path) -> None:
    from .conftest import tmpfs

    with tmpfs(tmp_path / "ro", "1m") as ro:
        import subprocess

        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        for target in (ro / "台账", ro):
            r = CliRunner().invoke(app, ["init", str(target)], catch_exceptions=False)
            assert r.exit_code == 2 and "[G012]" in r.stderr and "只读" in r.stderr, r.output


def test_autocrlf_with_safecrlf_does_not_stop_init_or_writes(tmp_path: Path) -> None:
    """core.autocrlf=true and core.safecrlf=true (common on Windows) made git refuse the files yilan wrote."""
    git(tmp_path, "config", "--global", "core.autocrlf", "true")
    git(tmp_path, "config", "--global", "core.safecrlf", "true")
    root = tmp_path / "台账"
    assert CliRunner().invoke(app, ["init", str(root), "--example"], catch_exceptions=False).exit_code == 0
    assert run(root, "add", "zhuanban", "--title", "t", "--lead-unit", "县水务局", "--deadline", "2022-12-31",
               "--assigned", "2022-01-01").exit_code == 0
    assert git(root, "status", "--porcelain") == ""
    assert (root / "ledgers/zhuanban/.last-id").read_bytes() == b"4\n"


def test_a_hook_that_refuses_without_a_word_is_named(git_demo: Path) -> None:
    from .conftest import hook

    before = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_bytes()
    hook(git_demo / ".git", "commit-msg", "exit 1")
    r = run(git_demo, "update", "ZB-001", "--progress", "60", "--date", "2022-07-01")
    assert r.exit_code == 2 and "[G009]" in r.stderr and "commit-msg" in r.stderr, r.output
    assert (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_bytes() == before  # taken back, as the hint says


def test_a_template_that_runs_too_long_is_stopped(git_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yilan_cli import report

    monkeypatch.setattr(report, "TEMPLATE_SECONDS", 0.5)
    (git_demo / "report_templates" / "quarterly.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8")
    r = run(git_demo, "report", "2022Q2")
    assert r.exit_code == 2 and "[T006]" in r.stderr and "quarterly.md.j2" in r.stderr, r.output


def test_a_template_that_writes_too_much_is_stopped(git_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Second place of the kind: output size (the one limit that holds on Windows too)."""
    from yilan_cli import report

    monkeypatch.setattr(report, "TEMPLATE_CHARS", 1000)
    (git_demo / "report_templates" / "quarterly.md.j2").write_text(
        "{% for i in range(100000) %}很长的一行文字{% endfor %}", encoding="utf-8")
    r = run(git_demo, "report", "2022Q2")
    assert r.exit_code == 2 and "[T006]" in r.stderr, r.output


def test_export_names_the_files_it_leaves_out(git_demo: Path) -> None:
    (git_demo / "ledgers/zhuanban/ZB-002.yaml").write_text("编号: ZB-002\n事项: [\n", encoding="utf-8")
    r = run(git_demo, "export", "zhuanban", "--format", "csv", "--today", "2022-06-30")
    assert r.exit_code == 0 and "ZB-002" not in r.stdout and "ledgers/zhuanban/ZB-002.yaml" in r.stderr
    r = run(git_demo, "export", "--fill", "--unit", "县发改局", "--period", "2022Q2", "-o", str(git_demo.parent / "f.xlsx"))
    assert "ledgers/zhuanban/ZB-002.yaml" in r.stderr  # the fill-in form too


def test_a_site_template_failing_at_run_time_names_the_template(git_demo: Path, tmp_path: Path) -> None:
    """Found re-running template_runtime_e999.sh on the site: its pages are rendered like reports (T005/T006)."""
    (git_demo / "report_templates" / "site_index.html.j2").write_text("<p>{{ 1/0 }}</p>\n", encoding="utf-8")
    r = run(git_demo, "site", "-o", str(tmp_path / "site"), "--today", "2022-06-30")
    assert r.exit_code == 2 and "[T005]" in r.stderr and "site_index.html.j2" in r.stderr, r.output


def test_diff_in_a_repository_without_commits_is_g014(tmp_path: Path) -> None:
    from .conftest import make_workspace

    root = make_workspace(tmp_path / "ws")
    git(root, "init", "-q")
    r = run(root, "diff")
    assert r.exit_code == 2 and "[G014]" in r.stderr, r.output

"""`yilan init --example` builds the demo as a year of dated commits by the people who would have made them.

The history is yilan_cli/demo_history.py; these tests read it back through git as a leader (and a reviewer) would.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO, git
from .test_e2e import yilan_exe

POSIX = pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
REGISTER = "reports/issued.yaml"


def run(root: Path, *args: str, code: int = 0) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)
    assert r.exit_code == code, r.output
    return r


def commits(root: Path) -> list[dict[str, str]]:
    """Every commit, oldest first: sha, author, email, dates, subject, body."""
    sep = "\x1f"
    out = git(root, "log", "--reverse", "-z", f"--format=%H{sep}%an{sep}%ae{sep}%aI{sep}%cI{sep}%cn{sep}%s{sep}%b")
    keys = ("sha", "author", "email", "date", "cdate", "committer", "subject", "body")
    return [dict(zip(keys, rec.split(sep), strict=True)) for rec in out.split("\0") if rec.strip()]


def versions(root: Path, *folders: str) -> list[tuple[str, str, str, str]]:
    """(commit, status, path, blob) of every file change under ``folders``, oldest commit first."""
    out = git(root, "log", "--reverse", "--no-renames", "--raw", "--no-abbrev", "--format=@%H", "--", *folders)
    found, sha = [], ""
    for line in out.splitlines():
        if line.startswith("@"):
            sha = line[1:]
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            parts = meta.split()
            found.append((sha, parts[4], path, parts[3]))
    return found


def blob(root: Path, sha: str) -> str:
    return subprocess.run(["git", "cat-file", "blob", sha], cwd=root, capture_output=True, check=True).stdout.decode("utf-8")


def test_the_demo_is_a_year_of_commits_by_the_office_and_the_units(git_demo: Path) -> None:
    log = commits(git_demo)
    assert len(log) > 400  # one per new matter, 进展 entry, close, 延期, sign-off, 一线调研 visit, the circular …
    assert len({c["email"] for c in log}) >= 15 and len({c["author"] for c in log}) >= 15
    assert all(re.fullmatch(r"\S+ \S+", c["author"]) and c["email"].endswith("@example.gov.cn") for c in log)
    assert all(c["date"] == c["cdate"] and c["author"] == c["committer"] for c in log)  # made, not replayed later
    days = [c["date"][:10] for c in log]
    assert days == sorted(days) and days[0] == "2022-01-01" and days[-1] >= "2022-11-01"
    assert all(d.startswith("2022-") and c["date"].endswith("+08:00") for d, c in zip(days, log, strict=True))
    assert len({d[:7] for d in days}) >= 10  # spread over the year
    first = log[0]
    assert first["subject"] == "初始化台账工作区" and first["author"].startswith("县委督查室 ")
    assert "Yilan-Action: init" in first["body"]
    set_up = set(git(git_demo, "show", "--format=", "--name-only", first["sha"]).split())
    assert {"schemas/rules.yaml", ".gitattributes", ".github/workflows/yilan.yml", "report_templates/quarterly.md.j2",
            "ledgers/zhuanban/.last-id"} <= set_up and not any(p.startswith(("ledgers/zhuanban/ZB", "research/")) for p in set_up)
    actions = Counter(re.findall(r"^Yilan-Action: (\w+)$", "\n".join(c["body"] for c in log), re.M))
    assert actions["add"] == 42 and actions["init"] == 1 and actions["issue"] == 1
    assert actions["update"] > 50 and actions["close"] > 10 and actions["research"] > 100
    assert actions["extend"] >= 2 and actions["signoff"] >= 1
    # exactly one hand edit: no trailer, by a colleague, a harmless field (备注) of two matters
    hand = [c for c in log if "Yilan-Action:" not in c["body"]]
    assert len(hand) == 1 and hand[0]["author"] == "县委督查室 何静"
    doc = json.loads(run(git_demo, "history", "ZB-002", "--format", "json").stdout)
    manual = [h for h in doc["history"] if h["action"] == "manual"]
    assert [[(c["change"], c["part"], c["after"]) for c in h["changes"]] for h in manual] == [
        [("field", "备注", "5月进展未报送")]]


def test_subjects_and_trailers_are_those_the_commands_write(git_demo: Path) -> None:
    log = {c["subject"]: c for c in commits(git_demo)}
    zb3 = "中植肉牛养殖屠宰加工项目"
    expected = {
        f"新增 ZB-003 {zb3}": ("县委督查室 周敏", "2022-01-10", "add"),
        f"更新 ZB-003 {zb3}:进度 0% → 10%,状态 未启动 → 推进中": ("县畜牧水产服务中心 ", "2022-01-31", "update"),
        f"更新 ZB-003 {zb3}:进度 60% → 70%": ("县畜牧水产服务中心 ", "2022-07-04", "update"),  # 报送日期, not 日期
        f"延期 ZB-003 {zb3}:申请延期至 2022-10-31(待批准)": ("县畜牧水产服务中心 ", "2022-08-20", "extend"),
        f"延期 ZB-003 {zb3}:完成时限 2022-08-31 → 2022-10-31": ("县委督查室 周敏", "2022-08-25", "extend"),
        f"办结 ZB-003 {zb3}:推进中 → 已办结,进度 98% → 100%": ("县畜牧水产服务中心 ", "2022-11-02", "close"),
        "办结 XW-001 一季度经济运行\"开门红\":推进中 → 已办结,进度 50% → 100%": ("县发改局 ", "2022-04-15", "close"),
        "销号 HB-001 中央环保督察信访件:某化工企业异味扰民:已办结 → 已销号": ("县委督查室 周敏", "2022-04-15", "signoff"),
        "阶段性办结 HB-012 中央环保督察信访件:加油站油气回收不达标:推进中 → 阶段性办结": ("县市场监管局 ", "2022-06-15", "close"),
        "更新 XF-004 某企业改制遗留职工安置信访积案:进度 10% → 10%,状态 推进中 → 中止": ("县工信局 ", "2022-05-10", "update"),
        "更新 XF-001 某小区房屋办证遗留问题信访积案:进度 100% → 85%,状态 已办结 → 推进中":  # reopened by the office
            ("县委督查室 周敏", "2022-08-16", "update"),
        "更新 ZB-002 招商引资\"项目建设年\"攻坚:进度 20% → 45%,引进亿元以上项目 — → 4": ("县商务局 ", "2022-06-20", "update"),
        "一线调研 孙某 2022-03-17 中植肉牛养殖屠宰加工项目现场:肉牛项目建设": ("县政府办 ", "2022-03-17", "research"),
    }
    for subject, (author, day, action) in expected.items():
        c = log[subject]
        assert c["author"].startswith(author) and c["date"][:10] == day and f"Yilan-Action: {action}\n" in c["body"], subject
        mid = re.search(r" ([A-Z]+-\d+) ", subject)
        if action != "research":
            assert mid and c["body"] == f"Yilan-Action: {action}\nYilan-Matter: {mid[1]}\n", subject
    assert log["一线调研 孙某 2022-03-17 中植肉牛养殖屠宰加工项目现场:肉牛项目建设"]["body"] == \
        "Yilan-Action: research\nYilan-Matter: ZB-003\n"
    issue = log["印发 依督通〔2022〕1号 关于2022年上半年重点工作督办落实情况的半年评估"]
    assert re.fullmatch(r"Yilan-Action: issue\nYilan-Issue: [0-9a-f]{16}\n", issue["body"]) and issue["date"][:10] == "2022-07-12"
    # a visit that names a matter assigned after it is recorded once the matter exists (research add checks)
    late = log["一线调研 吴某 2022-01-05 三道岗镇三道岗村:环保督察整改"]
    assert late["date"][:10] == "2022-01-10"


def test_every_version_of_every_file_is_valid_and_canonical(git_demo: Path) -> None:
    """Derived from the final files by leaving later records out: each one a matter `yilan check` accepts, in
    the layout `yilan fmt` writes; each research file one visit longer than the last."""
    from yilan_cli.checks import check_text
    from yilan_cli.research import check_text as check_research
    from yilan_cli.research import load_people
    from yilan_cli.workspace import load
    from yilan_cli.yamlio import dump, positioned_load

    ws = load(git_demo)
    people = load_people(ws)
    present: set[str] = set()
    seen = 0
    previous: dict[str, str] = {}
    for _, status, path, sha in versions(git_demo, "ledgers", "research"):
        if not path.endswith(".yaml"):
            continue
        assert status in "AM", path  # nothing is ever deleted
        text = blob(git_demo, sha)
        p = Path(path)
        if p.parts[0] == "ledgers":
            present.add(p.stem)
            record, findings = check_text(ws, text, path, p.parent.name, p.stem)
            assert record is not None and not [f for f in findings if f.severity == "error"], (path, sha, findings)
            assert dump(positioned_load(text)) == text, (path, sha)
            seen += 1
        else:
            visits, problems = check_research(text, path, people, present)
            assert visits and not problems, (path, problems)
            before = previous.get(path)
            assert before is None or (text.startswith(before) and text.count("\n") == before.count("\n") + 1), path
            previous[path] = text
    assert seen > 150
    for day in ("2022-01-10", "2022-03-01", "2022-05-22", "2022-08-21", "2022-11-02"):  # and as `check` reads them
        assert run(git_demo, "check", "--as-recorded", day, "--today", day).exit_code == 0


def test_each_matter_s_records_arrive_in_order() -> None:
    """The version each event writes is the final file cut back: the last one is the file itself, so the
    last commit of a matter does only what its subject says."""
    from yilan_cli.cli.init import workspace_files
    from yilan_cli.demo_history import _visits, matter_commits
    from yilan_cli.yamlio import fast_load

    files = workspace_files(True)
    for rel, text in files.items():
        if re.fullmatch(r"ledgers/\w+/[A-Z]+-\d+\.yaml", rel):
            made, exact = matter_commits(rel, text, "备注:" in text)
            assert exact, rel
            assert made[0].subject.startswith("新增 ") and made[-1].files[rel] == text
        elif rel.startswith("research/"):
            items = [ln for ln in text.splitlines() if ln.startswith("  - {")]
            visits = [(str(v["日期"]), v["地点"], v["主题"], tuple(v.get("事项") or ())) for v in fast_load(text)["调研"]]
            assert _visits(text, items) == visits, rel  # the fast reading of a visit line is the YAML reading


def test_head_is_the_demo_as_one_commit_made_it_plus_the_register(git_demo: Path, tmp_path: Path) -> None:
    """The history ends in exactly the files `init --example` committed at once before; the register of issued
    documents is the one file it adds, and its 源提交 is a commit of the history."""
    from yilan_cli.cli.init import _create, workspace_files

    old = tmp_path / "one-commit"
    _create(old, workspace_files(True), True)  # the pipeline without the history: one commit
    assert git(old, "rev-list", "--count", "HEAD").strip() == "1"
    tree = git(git_demo, "ls-tree", "-r", "HEAD").splitlines()
    assert [ln for ln in tree if not ln.endswith(f"\t{REGISTER}")] == git(old, "ls-tree", "-r", "HEAD").splitlines()
    assert git(git_demo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(git_demo, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]
    import yaml

    (entry,) = yaml.safe_load((git_demo / REGISTER).read_text(encoding="utf-8"))
    issue = git(git_demo, "log", "-1", "--format=%H %P", "--", REGISTER).split()
    assert entry["源提交"] == issue[1]  # made from the commit just before it was issued
    assert entry["编号"] == "依督通〔2022〕1号" and entry["期间"] == "2022H1" and str(entry["印发日期"]) == "2022-07-12"
    from yilan_cli.issuing import register_text

    assert (git_demo / REGISTER).read_text(encoding="utf-8") == register_text([entry | {"评估日": "2022-06-30",
                                                                                      "印发日期": "2022-07-12"}])
    again = run(git_demo, "report", "2022H1", "--as-issued").stdout
    assert "依督通〔2022〕1号" in again and "关于2022年上半年重点工作督办落实情况的半年评估" in again


def leaders_week() -> list[list[str]]:
    """The commands of the README's "A leader's week" block."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("A leader's week", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("  #")[0]) for line in block.splitlines() if line.strip()]


def test_a_leaders_week_in_a_fresh_example_workspace(git_demo: Path) -> None:
    """README: every command of "A leader's week" shows something real in a workspace just made."""
    cmds = leaders_week()
    assert [c[:2] for c in cmds] == [["yilan", "diff"], ["yilan", "history"], ["yilan", "status"], ["yilan", "audit"]]
    diff, history, status, audit = cmds
    brief = run(git_demo, *diff[1:]).stdout  # since the half-year evaluation issued on 07-12
    assert "- XF-001:重新打开 已办结 → 推进中" in brief and "- ZB-003:完成时限 2022-08-31 → 2022-10-31" in brief
    assert "- ZB-003:办结 推进中 → 已办结" in brief
    lines = run(git_demo, *history[1:]).stdout.splitlines()
    assert len(lines) >= 10 and "    批准延期申请 2022-08-20:常务副县长 2022-08-25 批准" in lines
    assert "    新增延期申请 2022-08-20:新时限 2022-10-31,待批准" in lines
    assert lines[-2].split("  ")[3:] == ["新增"] and lines[-1] == "    新增事项:中植肉牛养殖屠宰加工项目"
    table = run(git_demo, *status[1:]).stdout
    assert "XF-001" in table and "超期" in table
    found = run(git_demo, *audit[1:]).stdout  # notices only: nothing in the demo rewrites a record
    assert "【手工提交】不是 yilan 命令做的提交:补记备注" in found and "【重新打开】XF-001 由已办结改回推进中" in found
    assert "【手工修改】ZB-002 备注 (无) → 5月进展未报送" in found
    assert found.rstrip().endswith("审计未发现篡改迹象;4 处提示(手工修改等)供核对")


def test_as_recorded_walks_back_through_the_year(git_demo: Path) -> None:
    then = json.loads(run(git_demo, "status", "--all", "--format", "json", "--as-recorded", "2022-03-31",
                          "--today", "2022-12-31").stdout)
    ids = {m["id"] for m in then["matters"]}
    assert "SW-002" in ids and "XM-003" not in ids and "ZY-001" not in ids  # assigned 03-01, 04-01, 06-01
    zb3 = next(m for m in then["matters"] if m["id"] == "ZB-003")
    assert zb3["progress"] == 40 and zb3["deadline"] == "2022-08-31"  # recorded by then: 03-31, no 延期 yet
    show = run(git_demo, "show", "XF-001", "--as-recorded", "2022-07-01", "--today", "2022-07-01").stdout
    assert "已办结" in show and "重新督办" not in show


def test_two_inits_make_the_same_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed dates and people: the same commits, hash for hash, whoever runs it, whenever, in any time zone."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert CliRunner().invoke(app, ["init", str(a), "--example"]).exit_code == 0
    monkeypatch.setenv("TZ", "America/New_York")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "别人")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2030-01-01T00:00:00+00:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2030-01-01T00:00:00+00:00")
    assert CliRunner().invoke(app, ["init", str(b), "--example"]).exit_code == 0
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_plain_init_is_still_one_commit_of_the_defaults(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    assert git(tmp_path / "ws", "log", "--format=%s").strip() == "初始化台账工作区"
    assert not (tmp_path / "ws" / "ledgers" / "zhuanban" / "ZB-001.yaml").exists()


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("step", ["history-half", "after-history", "after-journal", "before-commit", "after-adopt",
                                  "after-commit"])
def test_init_killed_while_building_the_history_is_simply_run_again(tmp_path: Path, step: str) -> None:
    """Killed anywhere — half way through the stream to git, with the history built but not HEAD, with the files
    half written, with HEAD moved but the index not — the next `yilan init` ends in the very same workspace."""
    fresh = tmp_path / "fresh"
    assert CliRunner().invoke(app, ["init", str(fresh), "--example"]).exit_code == 0
    target = tmp_path / "台账"
    p = subprocess.run([yilan_exe(), "init", str(target), "--example"], capture_output=True, timeout=120,
                       env={**os.environ, "YILAN_TESTING": "1", "YILAN_FAULT": step})
    assert p.returncode in (-signal.SIGKILL, 137), p.stderr.decode()
    r = subprocess.run([yilan_exe(), "init", str(target), "--example"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert git(target, "rev-parse", "HEAD") == git(fresh, "rev-parse", "HEAD")
    assert git(target, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(target, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]
    assert not list((target / ".git" / "yilan").glob("journal*.json"))
    assert subprocess.run(["git", "fsck", "--no-progress"], cwd=target, capture_output=True).returncode == 0

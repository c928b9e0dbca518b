"""History of a matter and the leaders' diff, read from real repositories in one git stream each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git, written_notes


def run(root: Path, *args: str) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def a_week_of_work(repo: Path) -> str:
    base = git(repo, "rev-parse", "HEAD").strip()
    run(repo, "update", "ZB-001", "--progress", "60", "--note", "景区道路路基完工", "--date", "2022-07-28")
    run(repo, "extend", "XM-002", "--to", "2023-06-30", "--reason", "林地审批", "--date", "2022-07-10")
    run(repo, "close", "SW-002", "--date", "2022-07-20")
    run(repo, "add", "xian", "--title", "城区供水管网改造", "--lead-unit", "县水务局", "--deadline", "年底",
        "--assigned", "2022-07-01")
    path = repo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "备注: 手工补充\n", encoding="utf-8")
    git(repo, "commit", "-qam", "手工补充备注")  # an edit made outside yilan
    git(repo, "rm", "-q", "ledgers/xiangmu/XM-003.yaml")
    git(repo, "commit", "-qm", "删除 XM-003")
    return base


def test_history_names_every_commit_including_hand_edits(git_demo: Path) -> None:
    a_week_of_work(git_demo)
    lines = run(git_demo, "history", "ZB-001").stdout.strip().splitlines()
    assert [line.split("  ")[3:] if not line.startswith(" ") else [line.strip()] for line in lines][:6] == [
        ["手工编辑"], ["备注 (无) → 手工补充"], ["更新"], ["新增进展 2022-07-28:进度 60%,景区道路路基完工"],
        # the demo's own year (yilan init --example): each monthly report by the unit, the office's 新增
        ["更新"], ["新增进展 2022-06-28:进度 50%,游客服务中心主体封顶"]]
    assert [line.strip() for line in lines[-4:]] == ["状态 未启动 → 推进中",
                                                     "新增进展 2022-01-28:进度 5%,专班成立，制定开发建设方案",
                                                     "2022-01-10  " + lines[-2].split("  ")[1] + "  县委督查室 周敏  新增",
                                                     "新增事项:陨石坑开发项目景区基础设施建设"]
    doc = json.loads(run(git_demo, "history", "ZB-001", "--format", "json").stdout)
    assert doc["version"] == 2 and [h["action"] for h in doc["history"]] == ["manual"] + ["update"] * 7 + ["add"]
    assert doc["history"][1]["changes"] == [{
        "change": "entry_added", "part": "进展", "key": "2022-07-28", "fields": [], "before": None,
        "after": {"日期": "2022-07-28", "进度": 60, "情况": "景区道路路基完工"}, "derived": False, "earlier": False,
        "words": "新增进展 2022-07-28:进度 60%,景区道路路基完工"}]


def test_history_follows_a_renamed_file(git_demo: Path) -> None:
    git(git_demo, "mv", "ledgers/xiangmu/XM-003.yaml", "ledgers/xiangmu/XM-009.yaml")
    path = git_demo / "ledgers/xiangmu/XM-009.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("XM-003", "XM-009"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "改编号")
    lines = run(git_demo, "history", "XM-009").stdout.strip().splitlines()
    heads = [line for line in lines if not line.startswith(" ")]
    assert "手工编辑" in heads[0] and "新增事项:江湾镇现代农业产业园建设" in lines[-1] and len(heads) > 2  # XM-003's own


def test_diff_briefs_a_range_for_leaders(git_demo: Path) -> None:
    base = a_week_of_work(git_demo)
    doc = json.loads(run(git_demo, "diff", f"{base}..HEAD", "--format", "json").stdout)
    assert doc["version"] == 2 and doc["from"] == base and doc["to"] == git(git_demo, "rev-parse", "HEAD").strip()
    assert doc["basis"] == "commits"
    got = {(c["id"], c["change"], c["part"], json.dumps(c["before"], ensure_ascii=False),
            json.dumps(c["after"], ensure_ascii=False)) for c in doc["changes"] if c["brief"]}
    assert got == {
        ("SW-002", "closed", "状态", '"推进中"', '"已办结"'), ("SW-002", "progress", "进度", "20", "100"),
        ("ZB-001", "progress", "进度", "50", "60"), ("ZB-001", "field", "备注", "null", '"手工补充"'),
        ("XM-002", "deadline", "完成时限", '"2022-12-31"', '"2023-06-30"'),
        ("XM-003", "deleted", "", '"江湾镇现代农业产业园建设"', "null"),
        ("XW-003", "added", "", "null", '"城区供水管网改造"'),
    }
    # the concrete changes behind the brief are in the JSON too: the entries appended, the 延期 record
    assert {(c["id"], c["part"], c["key"]) for c in doc["changes"] if c["change"] == "entry_added"} == {
        ("SW-002", "进展", "2022-07-20"), ("ZB-001", "进展", "2022-07-28"), ("XM-002", "延期", "2022-07-10")}
    md = run(git_demo, "diff", f"{base}..HEAD").stdout
    assert md.index("**注意:删除了 1 个事项:XM-003**") < md.index("## 省委省政府决策部署落实")
    assert "- XM-002:完成时限 2022-12-31 → 2023-06-30" in md and "- XW-003:新增事项:城区供水管网改造" in md


def test_diff_defaults_to_the_last_issued_report(git_demo: Path, tmp_path: Path) -> None:
    written_notes(git_demo, "2022Q2")
    run(git_demo, "report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md"))
    run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")
    md = run(git_demo, "diff").stdout
    assert "- ZB-002:进度 45% → 50%" in md and "ZB-001" not in md


def test_diff_since_a_day_before_anything(git_demo: Path) -> None:
    doc = json.loads(run(git_demo, "diff", "--since", "2021-12-31", "--format", "json").stdout)  # the demo starts 2022-01-01
    assert {c["change"] for c in doc["changes"] if c["ledger"]} == {"added"}
    assert len([c for c in doc["changes"] if c["change"] == "added"]) == 42


def test_as_recorded_reads_the_ledgers_git_held_then(git_demo: Path) -> None:
    base = a_week_of_work(git_demo)
    then = run(git_demo, "status", "--all", "--format", "json", "--today", "2022-06-30", "--as-recorded", base).stdout
    now = run(git_demo, "status", "--all", "--format", "json", "--today", "2022-06-30").stdout
    ids_then = {m["id"] for m in json.loads(then)["matters"]}
    assert "XM-003" in ids_then and "XW-003" not in ids_then  # deleted since; added since
    assert {m["id"] for m in json.loads(now)["matters"]} == ids_then - {"XM-003"}  # XW-003 is assigned 07-01
    show = run(git_demo, "show", "SW-002", "--today", "2022-07-31", "--as-recorded", base).stdout
    assert "推进中" in show and "已办结" not in show.split("当前状态")[1]
    assert run(git_demo, "check", "--today", "2022-06-30", "--as-recorded", "2022-07-01").exit_code == 0  # a date
    report = run(git_demo, "report", "2022Q3", "--as-recorded", base).stdout
    assert "江湾镇现代农业产业园建设" in report
    assert git(git_demo, "status", "--porcelain") == ""  # the work tree and the index were not touched
    r = CliRunner().invoke(app, ["--root", str(git_demo), "status", "--as-recorded", "nosuchrev"])
    assert r.exit_code == 2 and "找不到提交:nosuchrev" in r.stderr


def test_audit_finds_what_leaders_must_see(git_demo: Path) -> None:
    r = CliRunner().invoke(app, ["--root", str(git_demo), "audit"])  # the demo's own year: one hand edit, one reopening
    assert r.exit_code == 0 and r.stdout.count("【") == 4 and "【手工提交】" in r.stdout and "【重新打开】XF-001" in r.stdout
    assert r.stdout.count("【手工修改】") == 2 and "审计未发现篡改迹象;4 处提示" in r.stdout
    demo = set(git(git_demo, "rev-list", "HEAD").split())
    run(git_demo, "update", "ZB-001", "--progress", "60", "--date", "2022-07-28")
    run(git_demo, "update", "XC-002", "--status", "推进中", "--note", "验收发现问题,重新督办", "--date", "2022-07-05")
    a_week_of_work(git_demo)  # includes a hand commit and the deletion of XM-003
    (git_demo / "ledgers/xiangmu/XM-003.yaml").write_text(
        (git_demo / "ledgers/xiangmu/XM-002.yaml").read_text(encoding="utf-8").replace("XM-002", "XM-003"),
        encoding="utf-8")
    git(git_demo, "add", ".")
    git(git_demo, "commit", "-qm", "重新使用 XM-003")
    ledger = git_demo / "schemas/ledgers/zhuanban.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("维护人: []", "维护人: [zb@yilan.gov.cn]"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "专班台账维护人")
    run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-31")  # by tester@example.gov.cn
    r = CliRunner().invoke(app, ["--root", str(git_demo), "audit", "--format", "json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    doc["findings"] = [f for f in doc["findings"] if f["commit"] not in demo]  # what the test did, not the demo
    found = [(f["severity"], f["kind"], f["matter"], f["detail"]) for f in doc["findings"]]
    kinds = [(k, d) for _, k, _, d in found]
    assert ("提示", "重新打开", "XC-002", "由已办结改回推进中") in found  # recorded by update --status 推进中
    assert ("篡改", "删除事项", "XM-003", "删除了 XM-003(ledgers/xiangmu/XM-003.yaml)") in found
    assert any(s == "篡改" and k == "编号重复使用" and m == "XM-003" for s, k, m, _ in found)
    assert sum(k == "手工提交" for k, _ in kinds) == 3  # 手工补充备注, 删除 XM-003, 重新使用 XM-003
    assert ("提示", "手工修改", "ZB-001", "备注 (无) → 手工补充") in found
    assert doc["tampered"] == sum(s == "篡改" for s, *_ in found) == 2
    assert any(k == "非维护人提交" and "tester@example.gov.cn" in d and "ZB-002" in d for k, d in kinds)
    # the current list judges the whole history (a leader asks "who outside the list touched this ledger?")
    assert any(k == "非维护人提交" and "ZB-001" in d for k, d in kinds)


def test_history_and_diff_goldens(git_demo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    """What leaders read, pinned (commit ids are left out: they change with any unrelated demo edit)."""
    base = a_week_of_work(git_demo)
    history = run(git_demo, "history", "ZB-001").stdout.splitlines()
    def without_commit(line: str) -> str:
        return line if line.startswith(" ") else "  ".join(line.split("  ")[:1] + line.split("  ")[2:])

    golden("history_ZB-001.txt", "\n".join(map(without_commit, history)) + "\n")
    body = run(git_demo, "diff", f"{base}..HEAD").stdout.split("\n", 1)[1]
    golden("diff_week.md", body)


# --------------------------------------------------------------------------- tampering, seen whatever the trailer says
FORGED_TRAILER = "更新 ZB-001 陨石坑开发项目景区基础设施建设:记录进展\n\nYilan-Action: update\nYilan-Matter: ZB-001"


def audit_json(root: Path) -> tuple[int, dict[str, Any]]:
    """The audit, with the findings about the demo's own year (yilan init --example: one hand edit, one
    reopening — notices) left out: what remains is what the test did."""
    r = CliRunner().invoke(app, ["--root", str(root), "audit", "--format", "json"], catch_exceptions=False)
    doc = json.loads(r.stdout)
    demo = {f["commit"] for f in doc["findings"] if f["date"] in ("2022-07-06", "2022-08-16")}
    doc["findings"] = [f for f in doc["findings"] if f["commit"] not in demo]
    return r.exit_code, doc


def test_rewritten_entries_under_a_copied_trailer_are_tamper(git_demo: Path) -> None:
    """../shared/cases/audit/audit_blind_tamper.sh: history, diff and audit all see it."""
    run(git_demo, "update", "ZB-001", "--note", "正常进展", "--date", "2022-07-10")
    base = git(git_demo, "rev-parse", "HEAD").strip()
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines(keepends=True) if "2022-03-30" not in ln]
    path.write_text("".join(lines).replace("情况: 游客服务中心开工", "情况: 已篡改的历史记录"), encoding="utf-8")
    git(git_demo, "commit", "-qam", FORGED_TRAILER)
    code, doc = audit_json(git_demo)
    assert code == 1 and doc["tampered"] == 2
    got = {(f["kind"], f["matter"], f["action"], f["detail"]) for f in doc["findings"] if f["severity"] == "篡改"}
    assert got == {("改动历史记录", "ZB-001", "update", "删除了进展 2022-03-30(!):进度 20%,规划设计通过评审"),
                   ("改动历史记录", "ZB-001", "update", "改动了进展 2022-04-28(!):情况 游客服务中心开工 → 已篡改的历史记录")}
    history = run(git_demo, "history", "ZB-001").stdout
    assert "删除了进展 2022-03-30(!)" in history and "(内容未变)" not in history
    brief = run(git_demo, "diff", f"{base}..HEAD").stdout
    assert "- ZB-001:删除了进展 2022-03-30(!)" in brief and "没有变化" not in brief


def test_an_earlier_progress_raised_by_hand_is_tamper(git_demo: Path) -> None:
    """../shared/cases/audit/23-retroactive-edit: 进度 20 → 35 in the 2022-04-30 entry of ZB-002."""
    path = git_demo / "ledgers/zhuanban/ZB-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{日期: 2022-04-30, 进度: 20, 情况: 签约亿元以上项目2个",
                                                             "{日期: 2022-04-30, 进度: 35, 情况: 签约亿元以上项目3个"),
                    encoding="utf-8")
    git(git_demo, "commit", "-qam", "更正")
    code, doc = audit_json(git_demo)
    tamper = [f for f in doc["findings"] if f["severity"] == "篡改"]
    assert code == 1 and [(f["matter"], f["detail"]) for f in tamper] == [
        ("ZB-002", "改动了进展 2022-04-30(!):进度 20 → 35;情况 签约亿元以上项目2个 → 签约亿元以上项目3个")]


def test_a_trailer_that_claims_an_effect_the_commit_does_not_have(git_demo: Path) -> None:
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("完成时限: 2022-12-31", "完成时限: 2023-12-31"), encoding="utf-8")
    git(git_demo, "commit", "-qam", FORGED_TRAILER)
    code, doc = audit_json(git_demo)
    assert code == 1 and [(f["kind"], f["detail"]) for f in doc["findings"]] == [
        ("操作不符", "提交标为「更新」,却有这个操作不会有的改动:完成时限 2022-12-31 → 2023-12-31")]


def test_yilan_commands_and_their_undo_are_not_tamper(git_demo: Path) -> None:
    run(git_demo, "update", "ZB-001", "--progress", "60", "--date", "2022-07-28")
    run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-29")
    run(git_demo, "undo", "--yes")  # removes the 进展 entry it added: restores exactly the version before
    run(git_demo, "extend", "XM-002", "--to", "2023-06-30", "--reason", "林地审批", "--date", "2022-07-10")
    run(git_demo, "close", "SW-002", "--date", "2022-07-20")
    run(git_demo, "fmt")
    code, doc = audit_json(git_demo)
    assert code == 0 and doc["findings"] == []


def test_an_undo_that_does_more_than_undo_is_tamper(git_demo: Path) -> None:
    run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-29")
    sha = git(git_demo, "rev-parse", "HEAD").strip()
    path = git_demo / "ledgers/zhuanban/ZB-002.yaml"
    git(git_demo, "checkout", "HEAD~1", "--", "ledgers/zhuanban/ZB-002.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("进度: 20", "进度: 30"), encoding="utf-8")
    git(git_demo, "commit", "-qam", f"撤销\n\nYilan-Action: undo\nYilan-Undoes: {sha}")
    code, doc = audit_json(git_demo)
    assert code == 1 and [f["kind"] for f in doc["findings"]] == ["撤销不符"]


# --------------------------------------------------------------------------- a workspace in a sub-folder of a repository
def test_every_git_reading_command_works_in_a_sub_folder_workspace(git_demo: Path, tmp_path: Path) -> None:
    """../shared/cases/audit/diff_subfolder.sh: matter changes were filed under 配置 with their raw path."""
    import shutil

    repo = tmp_path / "大仓库"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "说明.txt").write_text("别的内容\n", encoding="utf-8")
    shutil.copytree(git_demo, repo / "台账", ignore=shutil.ignore_patterns(".git"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "台账放在子目录")
    ws = repo / "台账"
    base = git(repo, "rev-parse", "HEAD").strip()
    run(ws, "update", "ZB-001", "--note", "子目录", "--progress", "70", "--date", "2022-07-10")
    (repo / "说明.txt").write_text("别的内容改了\n", encoding="utf-8")
    git(repo, "commit", "-qam", "仓库里别的文件")
    brief = run(ws, "diff", f"{base}..HEAD").stdout
    assert "- ZB-001:进度 50% → 70%" in brief and "配置" not in brief and "说明" not in brief
    assert "新增进展 2022-07-10:进度 70%,子目录" in run(ws, "history", "ZB-001").stdout
    code, doc = audit_json(ws)
    assert code == 0 and {f["kind"] for f in doc["findings"]} == {"手工提交", "手工修改"}  # the copy, made by hand
    assert "子目录" in run(ws, "show", "ZB-001", "--as-recorded", "HEAD", "--today", "2022-07-31").stdout
    assert run(ws, "site", "-o", str(tmp_path / "site"), "--today", "2022-07-31").exit_code == 0
    assert "子目录" in (tmp_path / "site" / "matter" / "ZB-001.html").read_text(encoding="utf-8")
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert "已撤销" in run(ws, "undo", "--yes").stdout
    assert "子目录" not in (ws / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- what the attacker helper found
UNDO = "撤销:更新 ZB-003\n\nYilan-Action: undo\nYilan-Undoes: {sha}"
ZB3 = "ledgers/zhuanban/ZB-003.yaml"


def raise_an_old_progress(repo: Path) -> None:
    """ZB-003's 2022-04-30 report said 进度 50: make it say 65 (a rewrite of the past, not yet committed)."""
    path = repo / ZB3
    path.write_text(path.read_text(encoding="utf-8").replace("进度: 50, 情况: 牛舍主体完工", "进度: 65, 情况: 牛舍主体完工"),
                    encoding="utf-8")


def test_a_forged_undo_naming_an_old_commit_is_tamper(git_demo: Path) -> None:
    """Taking ZB-003 back to its version before a report months ago (ten entries, the 延期 and the close lost)
    under a Yilan-Undoes naming that report: not what yilan undo does — the file had later commits."""
    old = git(git_demo, "log", "--format=%H", "--grep=进度 10% → 20%", "--", ZB3).split()[0]
    (git_demo / ZB3).write_text(git(git_demo, "show", f"{old}^:{ZB3}"), encoding="utf-8")
    git(git_demo, "commit", "-qam", UNDO.format(sha=old))
    code, doc = audit_json(git_demo)
    assert code == 1 and [(f["kind"], f["matter"]) for f in doc["findings"]] == [("撤销不符", "ZB-003")]


def test_a_forged_undo_deleting_a_matter_is_tamper(git_demo: Path) -> None:
    added = git(git_demo, "log", "--format=%H", "--diff-filter=A", "--", "ledgers/zhuanban/ZB-001.yaml").split()[0]
    git(git_demo, "rm", "-q", "ledgers/zhuanban/ZB-001.yaml")
    git(git_demo, "commit", "-qm", UNDO.format(sha=added))
    code, doc = audit_json(git_demo)
    assert code == 1 and ("删除事项", "ZB-001") in [(f["kind"], f["matter"]) for f in doc["findings"]]


@pytest.mark.parametrize("target", ["ledgers/zhuanban/ZB-002.yaml.bak", "ledgers/zhuanban/old/ZB-002.yaml",
                                    "ledgers/zhuanban/ZB-009.yaml"])
def test_a_matter_moved_away_is_deleted_and_its_id_reused_is_seen(git_demo: Path, target: str) -> None:
    """git calls it a rename; for the ledgers ZB-002 is gone (and a new ZB-002 reuses its number)."""
    (git_demo / target).parent.mkdir(exist_ok=True)
    git(git_demo, "mv", "ledgers/zhuanban/ZB-002.yaml", target)
    git(git_demo, "commit", "-qm", "格式化\n\nYilan-Action: fmt")
    base = git(git_demo, "rev-parse", "HEAD~1").strip()
    assert "删除事项(!)" in run(git_demo, "diff", f"{base}..HEAD").stdout
    (git_demo / "ledgers/zhuanban/ZB-002.yaml").write_text(
        "编号: ZB-002\n事项: 另一个事项\n牵头单位: 县商务局\n交办日期: 2022-01-10\n完成时限: 2022-12-31\n状态: 未启动\n",
        encoding="utf-8")
    git(git_demo, "add", "-A")
    git(git_demo, "commit", "-qm", "新增 ZB-002\n\nYilan-Action: add\nYilan-Matter: ZB-002")
    code, doc = audit_json(git_demo)
    kinds = {(f["kind"], f["matter"]) for f in doc["findings"] if f["severity"] == "篡改"}
    assert code == 1 and {("删除事项", "ZB-002"), ("编号重复使用", "ZB-002")} <= kinds


def test_init_anywhere_but_the_first_commit_is_tamper(git_demo: Path) -> None:
    """Moving or rewriting files under an "init" trailer: an init happens once, as the root commit."""
    raise_an_old_progress(git_demo)
    git(git_demo, "commit", "-qam", "初始化台账工作区\n\nYilan-Action: init")
    code, doc = audit_json(git_demo)
    assert code == 1 and {f["kind"] for f in doc["findings"]} == {"操作不符", "改动历史记录"}


def test_a_local_replace_ref_changes_nothing_yilan_reads(git_demo: Path) -> None:
    raise_an_old_progress(git_demo)
    git(git_demo, "commit", "-qam", "更新\n\nYilan-Action: update\nYilan-Matter: ZB-003")
    git(git_demo, "replace", "-f", git(git_demo, "rev-parse", f"HEAD~1:{ZB3}").strip(),
        git(git_demo, "rev-parse", f"HEAD:{ZB3}").strip())
    code, doc = audit_json(git_demo)
    head = git(git_demo, "rev-parse", "HEAD").strip()
    assert code == 1 and [(f["commit"], f["kind"]) for f in doc["findings"]] == [(head, "改动历史记录")]
    lines = run(git_demo, "history", "ZB-003").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if f"  {head[:8]}  " in line)
    assert lines[at + 1].startswith("    改动了进展 2022-04-30(!)")  # the tamperer's commit, not "(内容未变)"


def test_a_met_milestone_cannot_be_backdated(git_demo: Path) -> None:
    path = git_demo / ZB3
    path.write_text(path.read_text(encoding="utf-8").replace("完成日期: 2022-11-02}", "完成日期: 2022-08-30}"),
                    encoding="utf-8")
    git(git_demo, "commit", "-qam", "更新 ZB-003\n\nYilan-Action: update\nYilan-Matter: ZB-003")
    code, doc = audit_json(git_demo)
    assert code == 1 and [f["kind"] for f in doc["findings"]] == ["改动历史记录"]
    git(git_demo, "reset", "-q", "--hard", "HEAD~1")
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "ZB-003", "--milestone", "正式投产=2022-08-30",
                                 "--status", "推进中", "--date", "2022-12-01"])
    assert r.exit_code == 2 and "[E319]" in r.stderr  # the tool itself never rewrites it


def test_as_recorded_ignores_export_attributes(git_demo: Path) -> None:
    """git archive honours a committed export-ignore; the views read the tree object by object."""
    with (git_demo / ".gitattributes").open("a", encoding="utf-8") as f:
        f.write("ledgers/zhuanban/ZB-002.yaml export-ignore\nledgers/** export-subst\n")
    git(git_demo, "commit", "-qam", "规范换行")
    assert "招商引资" in run(git_demo, "show", "ZB-002", "--as-recorded", "HEAD", "--today", "2022-12-31").stdout


def test_diff_says_which_time_it_uses_and_business_dates_select_by_the_records(git_demo: Path) -> None:
    """ZB-003's June report was committed on 07-04: by commit time it is July's, by business date June's."""
    by_commit = run(git_demo, "diff", "--since", "2022-07-01", "--until", "2022-07-31", "--today", "2022-12-31").stdout
    assert "按提交时间:2022-07-01 至 2022-07-31 提交到台账的修改" in by_commit
    june = json.loads(run(git_demo, "diff", "--business", "--since", "2022-06-01", "--until", "2022-06-30",
                          "--today", "2022-12-31", "--format", "json").stdout)
    assert june["basis"] == "business" and "按业务日期:2022-06-01 至 2022-06-30" in june["basis_words"]
    reports = {(c["id"], c["key"]) for c in june["changes"] if c["part"] == "进展"}
    assert ("ZB-003", "2022-06-30") in reports and all("2022-06-01" <= key <= "2022-06-30" for _, key in reports)
    md = run(git_demo, "diff", "--business", "--since", "2022-06-01", "--until", "2022-06-30", "--today", "2022-12-31").stdout
    assert "- ZB-003:进展 2022-06-30:进度 70%" in md
    r = CliRunner().invoke(app, ["--root", str(git_demo), "diff", "--business"])
    assert r.exit_code == 2 and "[E505]" in r.stderr
    for business in ([], ["--business"]):  # reversed: an inverted diff of what never happened
        r = CliRunner().invoke(app, ["--root", str(git_demo), "diff", *business, "--since", "2022-08-01",
                                     "--until", "2022-07-01"])
        assert r.exit_code == 2 and "--since 2022-08-01 晚于 --until 2022-07-01" in r.stderr

"""Write commands through CliRunner in real temporary git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.yamlio import dump, positioned_load

from .conftest import REPO, forget_git_identity, git

ZB3 = "ledgers/zhuanban/ZB-003.yaml"
ZB1 = "ledgers/zhuanban/ZB-001.yaml"


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def head_files(root: Path) -> list[str]:
    return sorted(git(root, "show", "--name-only", "--format=", "HEAD").split())


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def test_add_prints_the_new_id_last_and_commits_alone(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "城区供水管网改造", "--lead-unit", "县水务局", "--deadline", "年底",
            "--assigned", "2022-07-01", "--leader", "钱某", "--co-unit", "县住建局", "--tag", "民生")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines()[-1] == "ZB-004"
    text = (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert text == ("编号: ZB-004\n事项: 城区供水管网改造\n牵头领导: [钱某]\n牵头单位: 县水务局\n配合单位: [县住建局]\n"
                    "交办日期: 2022-07-01\n完成时限: 2022-12-31\n状态: 未启动\n标签: [民生]\n")
    assert head_files(git_demo) == ["ledgers/zhuanban/.last-id", "ledgers/zhuanban/ZB-004.yaml"]
    msg = git(git_demo, "log", "-1", "--format=%B")
    assert msg.startswith("新增 ZB-004 城区供水管网改造\n")
    assert "Yilan-Action: add\nYilan-Matter: ZB-004" in msg


def test_ids_are_never_reused(git_demo: Path) -> None:
    add = ["add", "xiangmu", "--title", "临时事项", "--lead-unit", "县发改局", "--deadline", "2022-12-31",
           "--assigned", "2022-07-01"]
    assert run(git_demo, *add).stdout.strip().splitlines()[-1] == "XM-004"
    git(git_demo, "rm", "-q", "ledgers/xiangmu/XM-004.yaml")
    git(git_demo, "commit", "-qm", "删除 XM-004")
    assert run(git_demo, *add).stdout.strip().splitlines()[-1] == "XM-005"  # the record remembers XM-004
    # a file added by hand with a higher number moves the sequence on
    (git_demo / "ledgers/xiangmu/XM-010.yaml").write_text(
        (git_demo / "ledgers/xiangmu/XM-005.yaml").read_text(encoding="utf-8").replace("XM-005", "XM-010"),
        encoding="utf-8")
    git(git_demo, "add", ".")
    git(git_demo, "commit", "-qm", "手工新增 XM-010")
    assert run(git_demo, *add).stdout.strip().splitlines()[-1] == "XM-011"


def test_update_leaves_the_users_other_work_alone(git_demo: Path) -> None:
    (git_demo / "notes.txt").write_text("staged work\n", encoding="utf-8")
    git(git_demo, "add", "notes.txt")
    rules = git_demo / "schemas/rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "# unstaged edit\n", encoding="utf-8")
    before = commits(git_demo)
    r = run(git_demo, "update", "ZB-001", "--progress", "60", "--note", "栈道完工", "--date", "2022-07-28")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "更新 ZB-001 陨石坑开发项目景区基础设施建设:进度 50% → 60%"
    assert commits(git_demo) == before + 1
    assert head_files(git_demo) == [ZB1]
    assert git(git_demo, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert git(git_demo, "diff", "--name-only").split() == ["schemas/rules.yaml"]
    assert rules.read_text(encoding="utf-8").endswith("# unstaged edit\n")


@pytest.mark.parametrize(
    ("args", "changed"),
    [
        (["add", "xiangcun", "--title", "新增事项", "--lead-unit", "县农业农村局", "--deadline", "2022-12-31",
          "--assigned", "2022-07-01"], ["ledgers/xiangcun/.last-id", "ledgers/xiangcun/XC-004.yaml"]),
        (["update", "XC-003", "--progress", "60", "--date", "2022-07-01"], ["ledgers/xiangcun/XC-003.yaml"]),
        (["extend", "XC-003", "--to", "2022-11-30", "--reason", "雨季", "--date", "2022-07-01"],
         ["ledgers/xiangcun/XC-003.yaml"]),
        (["close", "XC-003", "--date", "2022-07-01"], ["ledgers/xiangcun/XC-003.yaml"]),
        (["close", "XC-003", "--stage", "--date", "2022-07-01"], ["ledgers/xiangcun/XC-003.yaml"]),
        (["signoff", "XC-002", "--reviewer", "县委督查室", "--approver", "县长", "--date", "2022-07-01"],
         ["ledgers/xiangcun/XC-002.yaml"]),
    ],
)
def test_every_write_commits_only_its_files(git_demo: Path, args: list[str], changed: list[str]) -> None:
    (git_demo / "notes.txt").write_text("staged work\n", encoding="utf-8")
    git(git_demo, "add", "notes.txt")
    other = git_demo / "ledgers/xiangcun/XC-001.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# unstaged note\n", encoding="utf-8")
    r = run(git_demo, *args)
    assert r.exit_code == 0, r.output
    assert head_files(git_demo) == changed
    assert git(git_demo, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert git(git_demo, "diff", "--name-only").split() == ["ledgers/xiangcun/XC-001.yaml"]
    assert "Yilan-Action: " + args[0] in git(git_demo, "log", "-1", "--format=%B")


def test_update_appends_an_entry_and_keeps_comments(git_demo: Path) -> None:
    path = git_demo / "ledgers/zhuanban/ZB-002.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("责任人: 蒋某\n", "责任人: 蒋某  # 县商务局副局长\n"), encoding="utf-8")
    git(git_demo, "commit", "-qam", "加注释")
    r = run(git_demo, "update", "ZB-002", "--progress", "55", "--date", "2022-07-31", "--note", "签约第5个亿元项目",
            "--indicator", "引进亿元以上项目=5", "--problem", "无", "--next", "赴长三角招商", "--by", "县商务局")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert "责任人: 蒋某  # 县商务局副局长\n" in text
    # the indicator's old undated 完成 moves into the entry it counted from (the last one), the new value into the new
    # entry: every figure dated by its entry (docs/time.md)
    assert "  - {名称: 引进亿元以上项目, 单位: 个, 目标: 10}\n" in text
    assert "  - {日期: 2022-06-20, 进度: 45, 指标: {引进亿元以上项目: 4}, 情况: 累计签约亿元以上项目4个," in text
    assert text.endswith("  - {日期: 2022-07-31, 进度: 55, 指标: {引进亿元以上项目: 5}, 情况: 签约第5个亿元项目, 存在问题: 无, "
                         "下步措施: 赴长三角招商, 报告人: 县商务局}\n备注: 5月进展未报送\n")
    assert "进度 45% → 55%,引进亿元以上项目 4 → 5" in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["update", "ZB-001", "--progress", "60", "--date", "2022-06-01"], "早于最后一条进展的日期 2022-06-28"),
        (["update", "ZB-003", "--progress", "60", "--date", "2022-12-01"], "状态为已办结,不能再记录进展"),
        (["update", "ZB-001", "--indicator", "不存在=1", "--date", "2022-07-01"], "没有名为 不存在 的量化指标"),
        (["update", "ZB-001", "--status", "已办结", "--date", "2022-07-01"], "update 不能把状态改为 已办结"),
        (["signoff", "ZB-001", "--reviewer", "县委督查室", "--approver", "县长"], "只有已办结的事项才能销号"),
        (["close", "HB-002", "--date", "2022-07-01"], "已是已办结"),
        (["extend", "ZB-001", "--to", "2022-06-30", "--reason", "x", "--date", "2022-07-01"], "不晚于现在的完成时限"),
        (["add", "zhuanban", "--title", "x", "--lead-unit", "县发改委", "--deadline", "2022-12-31"], "您是否想写 县发改局?"),
        (["add", "zhuanban", "--title", "x", "--lead-unit", "县发改局", "--deadline", "下个月"], "无法识别的日期:下个月"),
        (["add", "xinfang", "--title", "x", "--lead-unit", "县信访局", "--deadline", "2022-12-31"], "缺少必填字段:信访件编号"),
        (["update", "ZB-009", "--progress", "1"], "找不到事项 ZB-009"),
    ],
)
def test_refused_commands_change_nothing(git_demo: Path, args: list[str], needle: str) -> None:
    before = commits(git_demo)
    r = run(git_demo, *args)
    assert r.exit_code == 2, r.output
    assert needle in r.stderr
    assert "Traceback" not in r.output
    assert commits(git_demo) == before
    assert git(git_demo, "status", "--porcelain") == ""


def test_a_file_with_uncommitted_edits_is_not_overwritten(git_demo: Path) -> None:
    path = git_demo / ZB1
    path.write_text(path.read_text(encoding="utf-8") + "备注: 手工修改\n", encoding="utf-8")
    r = run(git_demo, "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert r.exit_code == 2
    assert "ledgers/zhuanban/ZB-001.yaml 有尚未提交的修改" in r.stderr
    assert path.read_text(encoding="utf-8").endswith("备注: 手工修改\n")


def test_git_failures_are_clear_and_change_nothing(git_demo: Path, tmp_path: Path) -> None:
    args = ["update", "ZB-001", "--progress", "55", "--date", "2022-07-01"]
    original = (git_demo / ZB1).read_text(encoding="utf-8")

    lock = git_demo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "git 索引被锁定" in r.stderr and str(lock) in r.stderr
    lock.unlink()

    (git_demo / ".git" / "MERGE_HEAD").write_text("0" * 40 + "\n", encoding="utf-8")
    r = run(git_demo, *args)
    assert r.exit_code == 2 and "未完成的合并(merge)操作" in r.stderr and "git merge --abort" in r.stderr
    (git_demo / ".git" / "MERGE_HEAD").unlink()

    with pytest.MonkeyPatch.context() as mp:
        forget_git_identity(mp, tmp_path)
        r = run(git_demo, *args)
    assert r.exit_code == 2 and 'git config --global user.name "张三"' in r.stderr

    assert (git_demo / ZB1).read_text(encoding="utf-8") == original
    assert git(git_demo, "status", "--porcelain") == ""


def test_not_a_git_repository(demo_workspace: Path) -> None:
    r = run(demo_workspace, "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert r.exit_code == 2 and "不是 git 仓库" in r.stderr and "--no-commit" in r.stderr
    r = run(demo_workspace, "--no-commit", "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert r.exit_code == 0
    assert "{日期: 2022-07-01, 进度: 55}" in (demo_workspace / ZB1).read_text(encoding="utf-8")


def test_a_rejecting_hook_rolls_the_file_back(git_demo: Path) -> None:
    hook = git_demo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    original = (git_demo / ZB1).read_text(encoding="utf-8")
    r = run(git_demo, "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert r.exit_code == 2 and "git 提交失败" in r.stderr and "hook says no" in r.stderr
    assert (git_demo / ZB1).read_text(encoding="utf-8") == original
    assert git(git_demo, "status", "--porcelain") == ""


def test_interrupted_write_is_finished_by_the_next_command(git_demo: Path) -> None:
    path = git_demo / ZB1
    old = path.read_text(encoding="utf-8")
    new = old + "  - {日期: 2022-07-10, 进度: 55}\n"
    journal = git_demo / ".git" / "yilan" / "journal.json"
    journal.parent.mkdir(parents=True, exist_ok=True)
    message = "更新 ZB-001 陨石坑:进度 50% → 55%\n\nYilan-Action: update\nYilan-Matter: ZB-001\n"
    journal.write_text(json.dumps({"version": 1, "message": message, "files": {ZB1: {"old": old, "new": new}}}),
                       encoding="utf-8")
    path.write_text(new, encoding="utf-8")  # the process died after the replace, before the commit
    before = commits(git_demo)
    r = run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-10")
    assert r.exit_code == 0, r.output
    assert "上次被中断的写入已补交" in r.stderr
    assert commits(git_demo) == before + 2
    assert git(git_demo, "log", "-2", "--format=%s").splitlines()[1] == "更新 ZB-001 陨石坑:进度 50% → 55%"
    assert not journal.exists()


def test_interrupted_write_without_intent_to_commit_is_rolled_back(git_demo: Path) -> None:
    path = git_demo / ZB1
    old = path.read_text(encoding="utf-8")
    journal = git_demo / ".git" / "yilan" / "journal.json"
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps({"version": 1, "message": "", "files": {
        ZB1: {"old": old, "new": old + "x"}, "ledgers/zhuanban/ZB-099.yaml": {"old": None, "new": "编号: ZB-099\n"}}}),
        encoding="utf-8")
    path.write_text(old + "x", encoding="utf-8")
    (git_demo / "ledgers/zhuanban/ZB-099.yaml").write_text("编号: ZB-099\n", encoding="utf-8")
    r = run(git_demo, "update", "ZB-002", "--progress", "50", "--date", "2022-07-10")
    assert r.exit_code == 0, r.output
    assert path.read_text(encoding="utf-8") == old
    assert not (git_demo / "ledgers/zhuanban/ZB-099.yaml").exists()
    assert head_files(git_demo) == ["ledgers/zhuanban/ZB-002.yaml"]


def test_a_hook_running_yilan_does_not_deadlock(git_demo: Path) -> None:
    import sys

    hook = git_demo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\n"{sys.executable}" -m yilan_cli check --today 2022-07-01 >/dev/null\n'
                    f'"{sys.executable}" -m yilan_cli fmt --check >/dev/null\n', encoding="utf-8")
    hook.chmod(0o755)
    r = run(git_demo, "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert r.exit_code == 0, r.output
    assert head_files(git_demo) == [ZB1]


def test_author_on_behalf_of_a_unit(git_demo: Path) -> None:
    r = run(git_demo, "--author", "县住建局 <zjj@yilan.gov.cn>", "update", "SW-002", "--progress", "30",
            "--date", "2022-07-05")
    assert r.exit_code == 0, r.output
    assert git(git_demo, "log", "-1", "--format=%an <%ae>|%cn").strip() == "县住建局 <zjj@yilan.gov.cn>|测试员"


def test_fmt_check_and_fmt(git_demo: Path) -> None:
    assert run(git_demo, "fmt", "--check").exit_code == 0  # the demo data is canonical
    path = git_demo / "ledgers/baolian/BL-002.yaml"
    text = path.read_text(encoding="utf-8")
    messy = "# 县人社局负责\n" + text.replace("事项: 包联企业用工保障\n", "")
    messy = messy.replace("编号: BL-002\n", "编号: BL-002\n备注: 放在前面\n")
    messy = messy.replace("状态: 已办结\n", "状态: 已办结\n事项: 包联企业用工保障\n").replace("\n", "\r\n")
    path.write_bytes(messy.encode("utf-8"))
    git(git_demo, "commit", "-qam", "手工编辑")
    r = run(git_demo, "fmt", "--check")
    assert r.exit_code == 1 and "ledgers/baolian/BL-002.yaml" in r.stdout
    r = run(git_demo, "fmt")
    assert r.exit_code == 0 and "已整理 1 个事项文件" in r.stdout
    fixed = path.read_bytes().decode("utf-8")
    assert "\r" not in fixed
    assert fixed.startswith("# 县人社局负责\n编号: BL-002\n事项: 包联企业用工保障\n")
    assert fixed.index("备注: 放在前面") > fixed.index("进展:")
    assert git(git_demo, "log", "-1", "--format=%s").strip() == "格式化 1 个事项文件"
    assert run(git_demo, "fmt", "--check").exit_code == 0


def test_writing_and_reading_back_is_the_identity() -> None:
    """Every demo file and every valid corpus file survives read → write unchanged, byte for byte."""
    files = [*sorted((REPO / "ledgers").rglob("*.yaml")), REPO / "tests/corpus/ledgers/zhuanban/ZB-140.yaml"]
    for path in files:
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
        assert dump(positioned_load(text)) == text, path.name


def test_undo_reverts_the_last_yilan_command_as_a_new_commit(git_demo: Path) -> None:
    original = (git_demo / ZB1).read_text(encoding="utf-8")
    run(git_demo, "update", "ZB-001", "--progress", "60", "--date", "2022-07-28")
    r = CliRunner().invoke(app, ["--root", str(git_demo), "undo"], input="n\n")
    assert r.exit_code == 1 and "将撤销:" in r.stdout and "ledgers/zhuanban/ZB-001.yaml" in r.stdout
    assert (git_demo / ZB1).read_text(encoding="utf-8") != original  # declined: nothing changed
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 0, r.output
    assert (git_demo / ZB1).read_text(encoding="utf-8") == original
    assert git(git_demo, "log", "-1", "--format=%s").startswith("撤销:更新 ZB-001")
    assert "Yilan-Action: undo" in git(git_demo, "log", "-1", "--format=%B")
    assert run(git_demo, "undo", "--yes").exit_code == 2  # an undo is not undone


def test_an_undone_add_never_gives_its_number_again(git_demo: Path) -> None:
    add = ["add", "xian", "--title", "测试", "--lead-unit", "县发改局", "--deadline", "年底", "--assigned", "2022-07-01"]
    assert run(git_demo, *add).stdout.strip().splitlines()[-1] == "XW-003"
    run(git_demo, "undo", "--yes")
    assert not (git_demo / "ledgers/xian/XW-003.yaml").exists()
    assert run(git_demo, *add).stdout.strip().splitlines()[-1] == "XW-004"


def test_undo_refuses_a_hand_commit_and_dirty_files(git_demo: Path) -> None:
    run(git_demo, "update", "ZB-001", "--progress", "60", "--date", "2022-07-28")
    path = git_demo / ZB1
    path.write_text(path.read_text(encoding="utf-8") + "备注: 未提交\n", encoding="utf-8")
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 2 and "有尚未提交的修改" in r.stderr
    git(git_demo, "commit", "-qam", "手工修改")
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 2 and "不是 yilan 命令做的提交" in r.stderr and "报督查室核对" in r.stderr


def test_a_journal_torn_while_being_saved_is_cleaned_up(git_demo: Path) -> None:
    state = git_demo / ".git" / "yilan"
    state.mkdir(parents=True, exist_ok=True)
    (state / ".journal.json.abc123.tmp").write_text('{"version": 1, "files": {', encoding="utf-8")
    run(git_demo, "update", "ZB-001", "--progress", "55", "--date", "2022-07-01")
    assert not list(state.glob("*.tmp"))


# --------------------------------------------------------------------------- issue 18 (a start): an update carries a fact
def test_an_update_without_any_fact_is_refused(git_demo: Path) -> None:
    """An empty entry would clear 未按期报告 for the month without anything having been reported."""
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    before = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_bytes()
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "ZB-001", "--date", "2022-07-10"])
    assert r.exit_code == 2 and "[E320]" in r.stderr
    r = CliRunner().invoke(app, ["--root", str(git_demo), "update", "ZB-001", "--note", "  ", "--date", "2022-07-10"])
    assert r.exit_code == 2 and "[E320]" in r.stderr
    assert (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_bytes() == before


def test_progress_falling_needs_a_reason_and_says_so(git_demo: Path) -> None:
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    def update(*args: str) -> Any:
        return CliRunner().invoke(app, ["--root", str(git_demo), "update", "ZB-001", *args, "--date", "2022-07-10"])

    r = update("--progress", "10")
    assert r.exit_code == 2 and "[E321]" in r.stderr and "50%" in r.stderr
    r = update("--progress", "10", "--note", "审计发现前期数据虚报,据实调整")
    assert r.exit_code == 0 and "进度 50% → 10%(进度回调)" in r.stdout


def test_a_write_to_an_ignored_untracked_file_that_git_refuses_is_taken_back(git_demo: Path) -> None:
    """The commit fails (G015: ignored); the file is put back as it was before the write, not left with the
    command's change as if a colleague had made it."""
    path = git_demo / ZB1
    before = path.read_text(encoding="utf-8")
    git(git_demo, "rm", "-q", "--cached", ZB1)
    (git_demo / ".gitignore").write_text("ZB-001.yaml\n", encoding="utf-8")
    git(git_demo, "add", ".gitignore")
    git(git_demo, "commit", "-qm", "忽略")
    for args in (["update", "ZB-001", "--note", "被忽略", "--date", "2022-07-28"],
                 ["edit", "ZB-001", "--title", "改名", "--reason", "核对"]):
        r = run(git_demo, *args)
        assert r.exit_code == 2 and "[G015]" in r.stderr, r.output
        assert path.read_text(encoding="utf-8") == before
        assert "手工" not in r.stderr
    assert not list((git_demo / ".git" / "yilan").glob("journal*.json"))

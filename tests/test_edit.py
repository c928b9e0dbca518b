"""Fields the command line sets and corrects (issue 20): add --task-force/--indicator/--milestone,
update --add-indicator/--add-milestone, and yilan edit (更正, Yilan-Action: edit), as audit and history see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git

ZB3 = "ledgers/zhuanban/ZB-003.yaml"


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B")


def test_add_with_task_force_indicators_and_milestones(git_demo: Path) -> None:
    r = run(git_demo, "add", "ZB", "--title", "农村户厕改造", "--lead-unit", "县农业农村局", "--deadline", "年底",
            "--assigned", "2022-07-01", "--task-force", "TF06", "--indicator", "户厕改造=1200户",
            "--indicator", "粮食产量增速＝3.5%：增速", "--indicator", "安全事故=0起:越低越好",
            "--milestone", "完成招标=8月底", "--milestone", "全面完工=2022年11月30日")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == "ZB-004"
    text = (git_demo / "ledgers/zhuanban/ZB-004.yaml").read_text(encoding="utf-8")
    assert text == ("编号: ZB-004\n事项: 农村户厕改造\n牵头单位: 县农业农村局\n专班: 乡村振兴工作专班\n"
                    "交办日期: 2022-07-01\n完成时限: 2022-12-31\n状态: 未启动\n量化指标:\n"
                    "  - {名称: 户厕改造, 单位: 户, 目标: 1200}\n"
                    "  - {名称: 粮食产量增速, 单位: '%', 目标: 3.5, 类型: 增速}\n"
                    "  - {名称: 安全事故, 单位: 起, 目标: 0, 类型: 越低越好}\n"
                    "节点:\n  - {名称: 完成招标, 时限: 2022-08-31}\n  - {名称: 全面完工, 时限: 2022-11-30}\n")
    # by name too
    r = run(git_demo, "add", "ZB", "--title", "招商", "--lead-unit", "县商务局", "--deadline", "年底",
            "--assigned", "2022-07-01", "--task-force", "招商引资工作专班")
    assert r.exit_code == 0, r.output
    assert "专班: 招商引资工作专班\n" in (git_demo / "ledgers/zhuanban/ZB-005.yaml").read_text(encoding="utf-8")
    assert run(git_demo, "check", "--today", "2022-07-01").exit_code == 0


def test_add_refuses_unknown_task_force_bad_indicator_and_core_set(git_demo: Path) -> None:
    base = ["add", "ZB", "--title", "某事项", "--lead-unit", "县发改局", "--deadline", "年底", "--assigned", "2022-07-01"]
    head = git(git_demo, "rev-parse", "HEAD").strip()
    r = run(git_demo, *base, "--task-force", "TF99")
    assert r.exit_code == 2
    assert "错误[E316] 没有这个专班：TF99" in r.output and "您是否想写 TF09 疫情防控督导工作专班？" in r.output
    r = run(git_demo, *base, "--indicator", "户厕改造=很多")
    assert r.exit_code == 2 and "错误[E212] 指标目标不是数字：户厕改造=很多" in r.output
    r = run(git_demo, *base, "--indicator", "增速=6%:增长")
    assert r.exit_code == 2 and "错误[E329] 指标 增速 的类型不对：增长" in r.output
    r = run(git_demo, *base, "--set", "专班=TF04")
    assert r.exit_code == 2
    assert "错误[E201] 专班 是事项的基本字段，不用 --set 设置" in r.output
    assert "用 --task-force 设置专班；已有事项的专班用 yilan edit ID --task-force … --reason 理由 更正" in r.output
    r = run(git_demo, *base, "--set", "牵头单位=县住建局")
    assert r.exit_code == 2 and "用 --lead-unit 设置牵头单位" in r.output
    r = run(git_demo, *base, "--set", "状态=推进中")
    assert r.exit_code == 2 and "状态由 yilan update、close、signoff 记录" in r.output
    r = run(git_demo, *base, "--indicator", "甲=1", "--milestone", "甲=9月底", "--milestone", "乙=9月底")
    assert r.exit_code == 0, r.output  # an indicator and a milestone may share a name
    assert git(git_demo, "rev-list", "--count", f"{head}..HEAD").strip() == "1"


def test_update_adds_an_indicator_and_a_milestone(git_demo: Path) -> None:
    r = run(git_demo, "update", "ZB-001", "--add-indicator", "游客接待量=50万人次", "--add-milestone", "栈道完工=12月20日",
            "--date", "2022-11-30")
    assert r.exit_code == 0, r.output
    text = (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    # set after 交办: each carries the day it was set, and no view before that day shows it
    assert "  - {名称: 游客接待量, 单位: 万人次, 目标: 50, 设立日期: 2022-11-30}\n" in text
    assert "  - {名称: 栈道完工, 时限: 2022-12-20, 设立日期: 2022-11-30}\n" in text
    subject = message(git_demo).splitlines()[0]
    assert subject.endswith(":新增量化指标 游客接待量（目标50万人次）,新增节点 栈道完工（时限2022-12-20）")
    assert "Yilan-Action: update\nYilan-Matter: ZB-001\n" in message(git_demo)
    assert "{日期: 2022-11-30" not in text  # nothing else given: no 进展 entry
    r = run(git_demo, "update", "ZB-001", "--add-indicator", "游客接待量=60万人次", "--date", "2022-11-30")
    assert r.exit_code == 2 and "错误[E325] 量化指标的名称 游客接待量 重复" in r.output
    # added and reported in one update
    r = run(git_demo, "update", "ZB-001", "--add-indicator", "停车位=300个", "--indicator", "停车位=120",
            "--date", "2022-11-30")
    assert r.exit_code == 0, r.output
    assert "指标: {停车位: 120}" in (git_demo / "ledgers/zhuanban/ZB-001.yaml").read_text(encoding="utf-8")
    r = run(git_demo, "audit")
    assert r.exit_code == 0, r.output
    assert "ZB-001" not in r.output


def test_edit_corrects_core_fields_in_one_commit(git_demo: Path) -> None:
    before = (git_demo / ZB3).read_text(encoding="utf-8")
    r = run(git_demo, "edit", "ZB-003", "--lead-unit", "县农业农村局", "--co-unit", "县发改局", "--owner", "",
            "--target", "8月底投产", "--task-force", "TF04", "--reason", "交办文件核对有误")
    assert r.exit_code == 0, r.output
    after = (git_demo / ZB3).read_text(encoding="utf-8")
    expected = (before.replace("目标要求: 8月底正式投产，年底存栏肉牛4000头、出栏1000头\n", "目标要求: 8月底投产\n")
                .replace("牵头单位: 县畜牧水产服务中心\n配合单位: [县发改局, 县自然资源局]\n"
                         "责任人: 李某\n专班: 中植肉牛项目工作专班\n",
                         "牵头单位: 县农业农村局\n配合单位: [县发改局]\n专班: 重大项目建设工作专班\n"))
    assert after == expected
    assert message(git_demo) == (
        "更正 ZB-003 中植肉牛养殖屠宰加工项目:目标要求 8月底正式投产，年底存栏肉牛4000头、出栏1000头 → 8月底投产,"
        "牵头单位 县畜牧水产服务中心 → 县农业农村局,配合单位 县发改局、县自然资源局 → 县发改局,责任人 李某 → (无),"
        "专班 中植肉牛项目工作专班 → 重大项目建设工作专班；理由：交办文件核对有误\n\n"
        "Yilan-Action: edit\nYilan-Matter: ZB-003\n\n")
    assert git(git_demo, "show", "--name-only", "--format=", "HEAD").split() == [ZB3]
    r = run(git_demo, "history", "ZB-003")
    lines = r.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("  更正"))  # dated 2022-07-01 by the test's git
    assert lines[at].startswith("2022-07-01  ") and lines[at + 1] == "    理由：交办文件核对有误"
    assert "    牵头单位 县畜牧水产服务中心 → 县农业农村局" in lines
    r = run(git_demo, "audit")
    assert r.exit_code == 0, r.output
    assert "ZB-003" not in r.output


def test_edit_refusals_change_nothing(git_demo: Path) -> None:
    head = git(git_demo, "rev-parse", "HEAD").strip()
    r = run(git_demo, "edit", "ZB-003", "--reason", "核对")
    assert r.exit_code == 2 and "错误[E334] 没有要更正的内容：至少给出一个字段的新值" in r.output
    r = run(git_demo, "edit", "ZB-003", "--owner", "李某", "--reason", "核对")
    assert r.exit_code == 2 and "错误[E334] ZB-003 没有需要更正的内容：给出的值与现有记载相同" in r.output
    r = run(git_demo, "edit", "ZB-003", "--owner", "王某", "--reason", "  ")
    assert r.exit_code == 2 and "错误[E335] 更正须写明理由：--reason 不能为空" in r.output
    r = run(git_demo, "edit", "ZB-003", "--lead-unit", "县畜牧局", "--reason", "核对")
    assert r.exit_code == 2 and "错误[E305]" in r.output
    r = run(git_demo, "edit", "ZB-003", "--title", "", "--reason", "核对")
    assert r.exit_code == 2
    r = run(git_demo, "edit", "ZB-003", "--add-indicator", "年底存栏肉牛=5000头", "--reason", "核对")
    assert r.exit_code == 2 and "错误[E325] 量化指标的名称 年底存栏肉牛 重复" in r.output
    r = run(git_demo, "edit", "ZB-003", "--owner", "王某")
    assert r.exit_code == 2  # --reason is required
    assert git(git_demo, "rev-parse", "HEAD").strip() == head
    assert git(git_demo, "status", "--porcelain") == ""


def _commit_by_hand(root: Path, rel: str, old: str, new: str, action: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8", newline="\n")
    git(root, "commit", "-q", "-am", f"更正 手工\n\nYilan-Action: {action}\nYilan-Matter: ZB-003\n")


def test_audit_still_flags_what_an_edit_never_does(git_demo: Path) -> None:
    _commit_by_hand(git_demo, ZB3, "完成时限: 2022-08-31", "完成时限: 2022-12-31", "edit")
    r = run(git_demo, "audit")
    assert r.exit_code == 1 and "操作不符" in r.output and "完成时限 2022-08-31 → 2022-12-31" in r.output


def test_audit_flags_a_rewritten_entry_under_edit(git_demo: Path) -> None:
    text = (git_demo / ZB3).read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if "进度: " in line)
    _commit_by_hand(git_demo, ZB3, first, first.replace("进度: ", "进度: 9"), "edit")
    r = run(git_demo, "audit")
    assert r.exit_code == 1 and "改动历史记录" in r.output


def test_an_unflagged_edit_is_a_hand_edit_without_the_trailer(git_demo: Path) -> None:
    _commit_by_hand(git_demo, ZB3, "责任人: 李某", "责任人: 王某", "")
    r = run(git_demo, "audit")
    assert "ZB-003 责任人 李某 → 王某" in r.output  # a notice: made by hand


def test_edit_sets_an_extension_field_and_undo_takes_it_back(git_demo: Path) -> None:
    rel = "ledgers/xiangmu/XM-001.yaml"
    before = (git_demo / rel).read_text(encoding="utf-8")
    r = run(git_demo, "edit", "XM-001", "--set", "总投资万元=7200", "--reason", "概算调整后核对")
    assert r.exit_code == 0, r.output
    assert (git_demo / rel).read_text(encoding="utf-8") == before.replace("总投资万元: 6800\n", "总投资万元: 7200\n")
    assert message(git_demo).splitlines()[0] == ("更正 XM-001 县城污水处理厂提标改造工程:总投资万元 6800 → 7200；"
                                                 "理由：概算调整后核对")
    r = run(git_demo, "edit", "XM-001", "--set", "专班=TF04", "--reason", "核对")
    assert r.exit_code == 2 and "用 --task-force 更正专班" in r.output
    r = run(git_demo, "edit", "XM-001", "--set", "完成时限=2023-06-30", "--reason", "核对")
    assert r.exit_code == 2 and "yilan extend" in r.output and "--deadline" not in r.output  # edit has no --deadline
    r = run(git_demo, "undo", "--yes")
    assert r.exit_code == 0, r.output
    assert (git_demo / rel).read_text(encoding="utf-8") == before
    r = run(git_demo, "audit")
    assert r.exit_code == 0, r.output
    assert "XM-001" not in r.output

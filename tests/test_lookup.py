"""Finding things as users type them (issue 20): matter IDs, ledgers, units, document numbers, --progress 60%,
status --due-within / --overdue on the demo at 2022-06-30."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.cli.write import progress_arg
from yilan_cli.errors import UsageError
from yilan_cli.issuing import find_document, number_key
from yilan_cli.lookup import id_parts, normalise_id, unit_name
from yilan_cli.workspace import load

from .conftest import REPO, git
from .test_escalation import ws  # noqa: F401 - the two-matter workspace with notices to reply to


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


@pytest.fixture(scope="module")
def demo() -> Any:
    return load(REPO)


@pytest.mark.parametrize(("typed", "parts"), [
    ("ZB-003", ("ZB", 3)), ("ZB-3", ("ZB", 3)), ("zb-003", ("ZB", 3)), ("ZB－003", ("ZB", 3)),
    ("ｚｂ－００３", ("ZB", 3)), ("ZB—3", ("ZB", 3)), ("ZB–3", ("ZB", 3)), (" ZB 3 ", ("ZB", 3)), ("zb3", ("ZB", 3)),
    ("SHW-2", ("SHW", 2)), ("中植肉牛", None), ("ZB-", None), ("-3", None), ("ZB-1234567", None), ("", None),
])
def test_id_parts(typed: str, parts: tuple[str, int] | None) -> None:
    assert id_parts(typed) == parts


@pytest.mark.parametrize(("typed", "resolved"), [
    ("ZB-3", "ZB-003"), ("ZB－003", "ZB-003"), ("zb-003", "ZB-003"), ("ｚｂ－００３", "ZB-003"), ("ZB 3", "ZB-003"),
    ("shw-2", "SHW-002"), ("HB-14", "HB-014"), ("ZB-0003", "ZB-003"),
    ("ZB-9", "ZB-009"),  # no such matter: the prefix and the number padded as new IDs are (E404 later)
    ("QQ-1", "QQ-001"), ("中植肉牛", "中植肉牛"),
])
def test_normalise_id(demo: Any, typed: str, resolved: str) -> None:
    assert normalise_id(demo, typed) == resolved


@pytest.mark.parametrize(("typed", "unit"), [
    ("县住建局", "县住建局"), ("住建局", "县住建局"), (" 住建局 ", "县住建局"), ("宣传部", "县委宣传部"),
    ("委办", "县委办"), ("依兰镇", "依兰镇"), ("纪委监委", "县纪委监委"),
])
def test_unit_name(demo: Any, typed: str, unit: str) -> None:
    assert unit_name(demo, typed) == unit


def test_unit_name_refuses_unknown_and_ambiguous(demo: Any) -> None:
    with pytest.raises(UsageError) as e:
        unit_name(demo, "住建")
    assert (e.value.code, e.value.message, e.value.hint) == ("E327", "没有这个单位:住建", "您是否想写 县住建局?")
    both = dataclasses.replace(demo, units={"县政法委": "县直部门", "县委政法委": "县直部门"})
    with pytest.raises(UsageError) as e:
        unit_name(both, "政法委")
    assert (e.value.code, e.value.message) == ("E327", "“政法委”可指2个单位：县政法委、县委政法委")


REGISTER = [
    {"编号": "依督办〔2022〕1号", "种类": "督办通知单", "单位": "县住建局", "印发日期": "2022-04-08"},
    {"编号": "依督办〔2022〕2号", "种类": "督办通知单", "单位": "县交通运输局", "印发日期": "2022-04-08"},
    {"编号": "依督提〔2022〕1号", "种类": "蓝色提示单", "单位": "县住建局", "印发日期": "2022-04-14"},
    {"编号": "依督办〔2023〕2号", "种类": "督办通知单", "单位": "县水务局", "印发日期": "2023-03-01"},
    {"编号": "依督通〔2022〕1号", "种类": "督查通报", "印发日期": "2022-07-05"},
]
NOTICE_ONLY = ("督办通知单",)
LADDER = ("督办通知单", "蓝色提示单")


@pytest.mark.parametrize(("typed", "kinds", "number"), [
    ("依督办〔2022〕2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("依督办[2022]2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("依督办［2022］2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("依督办（2022）2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("依督办(2022)2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("依督办【2022】2号", NOTICE_ONLY, "依督办〔2022〕2号"),
    (" 依督办 〔2022〕 2号 ", NOTICE_ONLY, "依督办〔2022〕2号"),
    ("督办[2022]2号", NOTICE_ONLY, "依督办〔2022〕2号"),  # without its 依
    ("1号", NOTICE_ONLY, "依督办〔2022〕1号"),
    ("1", NOTICE_ONLY, "依督办〔2022〕1号"),
    ("１号", NOTICE_ONLY, "依督办〔2022〕1号"),
    ("依督提(2022)1号", LADDER, "依督提〔2022〕1号"),
])
def test_find_document(typed: str, kinds: tuple[str, ...], number: str) -> None:
    assert find_document(REGISTER, typed, kinds)["编号"] == number


@pytest.mark.parametrize(("typed", "kinds", "code", "message"), [
    ("2号", NOTICE_ONLY, "I012", "“2号”可指2份督办文书：依督办〔2022〕2号（督办通知单，县交通运输局，2022-04-08印发）、"
                                 "依督办〔2023〕2号（督办通知单，县水务局，2023-03-01印发）"),
    ("1号", LADDER, "I012", "“1号”可指2份督办文书：依督办〔2022〕1号（督办通知单，县住建局，2022-04-08印发）、"
                            "依督提〔2022〕1号（蓝色提示单，县住建局，2022-04-14印发）"),
    ("3号", NOTICE_ONLY, "I003", "没有这份督办文书:3号"),
    ("依督通〔2022〕1号", NOTICE_ONLY, "I003", "没有这份督办文书:依督通〔2022〕1号"),  # a circular is no notice
    ("依督办〔2022〕12号", NOTICE_ONLY, "I003", "没有这份督办文书:依督办〔2022〕12号"),
])
def test_find_document_refuses(typed: str, kinds: tuple[str, ...], code: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        find_document(REGISTER, typed, kinds)
    assert (e.value.code, e.value.message) == (code, message)


def test_number_key() -> None:
    assert number_key("依督办（2022）2号") == number_key("依督办[2022]2号") == "依督办〔2022〕2号"


@pytest.mark.parametrize(("typed", "value"), [
    (None, None), ("60", 60), ("60%", 60), ("60％", 60), ("６０％", 60), (" 60 % ", 60), ("0", 0), ("100%", 100),
])
def test_progress_arg(typed: str | None, value: int | None) -> None:
    assert progress_arg(typed) == value


@pytest.mark.parametrize(("typed", "code"), [("60.5%", "E205"), ("六十", "E205"), ("-5", "E205"), ("120%", "E206")])
def test_progress_arg_refuses(typed: str, code: str) -> None:
    with pytest.raises(UsageError) as e:
        progress_arg(typed)
    assert e.value.code == code


# ---- the commands ----

@pytest.mark.parametrize("typed", ["ZB-3", "ZB－003", "zb-003", "ｚｂ－００３"])
def test_show_reads_ids_as_typed(typed: str) -> None:
    r = run("show", typed, "--today", "2022-06-30")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "ZB-003 中植肉牛养殖屠宰加工项目"


@pytest.mark.parametrize(("args", "stderr"), [
    (["show", "中植肉牛"], "错误[E404] 找不到事项 中植肉牛\n  提示: 您是否要找：ZB-003 中植肉牛养殖屠宰加工项目？\n"),
    (["show", "ZB-030"], "错误[E404] 找不到事项 ZB-030\n  提示: 您是否要找：ZB-003、ZB-002、ZB-001？\n"),
    (["show", "项目"], "错误[E404] 找不到事项 项目\n  提示: 您是否要找："
                       "SHW-001 哈尔滨都市圈交通项目对接(依兰至哈尔滨快速通道前期)、"
                       "XM-002 达连河镇100兆瓦光伏发电项目、ZB-001 陨石坑开发项目景区基础设施建设、"
                       "ZB-002 招商引资\"项目建设年\"攻坚、ZB-003 中植肉牛养殖屠宰加工项目？\n"),
    (["show", "无此事"], "错误[E404] 找不到事项 无此事\n  提示: 用 yilan status --all 查看全部编号\n"),
    (["history", "中植肉牛"], "错误[E404] 找不到事项 中植肉牛\n  提示: 您是否要找：ZB-003 中植肉牛养殖屠宰加工项目？\n"),
    (["status", "信访"], "错误[E330] 没有这个台账：信访\n  提示: 您是否想写 xinfang（信访积案化解）？\n"),
    (["status", "xinfnag"], "错误[E330] 没有这个台账：xinfnag\n  提示: 您是否想写 "
                            "xinfang（信访积案化解）、xiangmu（重大项目建设）、"
                            "xian（县委县政府决策部署落实）？\n"),  # the closest first
    (["status", "--unit", "住建"], "错误[E327] 没有这个单位:住建\n  提示: 您是否想写 县住建局?\n"),
    (["status", "--due-within", "-1"], "错误[E331] --due-within 的天数不能为负数：-1\n  提示: 写今后的天数，如 --due-within 7\n"),
])
def test_unknown_things_are_refused_with_suggestions(args: list[str], stderr: str) -> None:
    r = run(*args, "--today", "2022-06-30") if args[0] != "history" else run(*args)
    assert r.exit_code == 2
    assert r.stderr == stderr


def status_ids(*args: str) -> list[str]:
    r = run("status", "--today", "2022-06-30", "--format", "csv", *args)
    assert r.exit_code == 0, r.output
    return [line.split(",")[0] for line in r.stdout.strip().splitlines()[1:]]


def test_status_unit_alias_is_the_registered_unit() -> None:
    assert status_ids("--unit", "住建局") == status_ids("--unit", "县住建局") != []
    assert status_ids("信访积案化解", "--all") == status_ids("XF", "--all") == ["XF-003", "XF-001", "XF-002", "XF-004"]


@pytest.mark.parametrize(("args", "ids"), [
    (["--due-within", "7"], ["YQ-002", "ZY-002"]),  # yellow and blue alike: due 07-05
    (["--due-within", "0"], []),  # the 06-30 deadlines are all closed or stage-closed
    (["--due-within", "31"], ["YQ-002", "ZY-002", "XM-003"]),  # 07-31 is 31 days on
    (["--due-within", "30"], ["YQ-002", "ZY-002"]),
    (["--overdue"], ["SHW-002", "XF-003", "XM-001"]),
    (["--overdue", "--due-within", "7"], ["SHW-002", "XF-003", "XM-001", "YQ-002", "ZY-002"]),
    (["--overdue", "--light", "黄"], []),
    (["--due-within", "7", "--unit", "县应急管理局"], ["ZY-002"]),
])
def test_status_due_within_and_overdue(args: list[str], ids: list[str]) -> None:
    assert status_ids(*args) == ids


def test_status_due_within_keeps_the_summary() -> None:
    r = run("status", "--today", "2022-06-30", "--due-within", "7")
    assert r.stdout.strip().splitlines()[-1] == \
        "评估日 2022-06-30 · 共 42 项 · 红灯 4 · 黄灯 5 · 蓝灯 1 · 绿灯 14 · 已办结 17 · 阶段性办结 3 · 办结率 47.6%"


@pytest.fixture
def repo(demo_workspace: Path) -> Path:
    (demo_workspace / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    git(demo_workspace, "init", "-q")
    git(demo_workspace, "add", "-A")
    git(demo_workspace, "commit", "-qm", "台账")
    return demo_workspace


def test_update_takes_a_typed_id_and_a_percent(repo: Path) -> None:
    r = run("update", "zb－1", "--progress", "60％", "--note", "完成主体施工", "--date", "2022-07-01", root=repo)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("更新 ZB-001 陨石坑开发项目景区基础设施建设")
    assert "{日期: 2022-07-01, 进度: 60, 情况: 完成主体施工}" in (repo / "ledgers/zhuanban/ZB-001.yaml").read_text(
        encoding="utf-8")
    assert "Yilan-Matter: ZB-001" in git(repo, "log", "-1", "--format=%B")
    bad = run("update", "ZB-1", "--progress", "120%", root=repo)
    assert bad.exit_code == 2 and "错误[E206] --progress 超出0–100：120%" in bad.stderr


def test_reply_takes_a_number_as_typed_and_today_by_default(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from yilan_cli import clock

    monkeypatch.setattr(clock, "real_today", lambda: date(2022, 4, 12))
    assert run("notice", "--today", "2022-04-08", "--issue", "-o", str(ws / "out"), root=ws).exit_code == 0
    r = run("notice", "reply", "依督办[2022]2号", "--text", "已制定整改方案", root=ws)
    assert r.exit_code == 0, r.output
    assert r.stdout == "已记录 县交通运输局 对 依督办〔2022〕2号 的回复(2022-04-12)\n"
    r = run("notice", "reply", "1号", "--text", "已整改", "--date", "2022-04-11", root=ws)
    assert r.stdout == "已记录 县住建局 对 依督办〔2022〕1号 的回复(2022-04-11)\n"
    again = run("notice", "--as-issued", "依督办（2022）1号", "-o", str(ws / "again"), root=ws)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("依督办〔2022〕1号 县住建局:1 项 → ")

"""Commands through typer's CliRunner: output contracts, goldens, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.i18n import FINDINGS, finding_text, set_lang

REPO = Path(__file__).resolve().parent.parent
STATUS_KEYS = {"id", "ledger", "title", "lead_unit", "status", "deadline", "progress", "expected_progress", "light",
               "overdue_days", "days_left", "report_missing", "closed_on", "withdrawn"}
FINDING_KEYS = {"file", "line", "column", "code", "severity", "message", "hint"}


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def test_status_json_contract() -> None:
    r = run("status", "--today", "2022-06-30", "--all", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["today"] == "2022-06-30"
    assert len(doc["matters"]) == 42
    for m in doc["matters"]:
        assert set(m) == STATUS_KEYS
        assert m["light"] in {"red", "yellow", "blue", "green", "none"}
        assert m["status"] in {"not_started", "in_progress", "stage_closed", "closed", "signed_off", "suspended"}
    zb3 = next(m for m in doc["matters"] if m["id"] == "ZB-003")
    assert zb3 == {"id": "ZB-003", "ledger": "zhuanban", "title": "中植肉牛养殖屠宰加工项目", "lead_unit": "县畜牧水产服务中心",
                   "status": "in_progress", "deadline": "2022-08-31", "progress": 70, "expected_progress": 73.4,
                   "light": "green", "overdue_days": 0, "days_left": 62, "report_missing": False, "closed_on": None,
                   "withdrawn": False}
    lights = [m["light"] for m in doc["matters"]]
    order = ["red", "yellow", "blue", "green", "none"]
    assert lights == sorted(lights, key=order.index)  # red → yellow → blue → green
    assert doc["summary"]["completion_rate"] == 47.6


def test_status_table_golden(golden) -> None:  # type: ignore[no-untyped-def]
    r = run("status", "--today", "2022-06-30")
    assert r.exit_code == 0
    assert "共 42 项 · 红灯 4 · 黄灯 5 · 蓝灯 1 · 绿灯 14" in r.stdout and "办结率 47.6%" in r.stdout
    golden("status_demo_2022-06-30.txt", r.stdout)


def test_status_english() -> None:
    r = run("--lang", "en", "status", "--today", "2022-06-30", "--light", "red")
    assert "Lead unit" in r.stdout and "overdue 30 days" in r.stdout and "completion 47.6%" in r.stdout


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--light", "红"], {"SHW-002", "XF-003", "XM-001", "XM-002"}),
        (["--light", "red,blue"], {"SHW-002", "XF-003", "XM-001", "XM-002", "ZY-002"}),
        (["zhuanban"], {"ZB-001", "ZB-002", "ZB-003"}),
        (["ZB"], {"ZB-001", "ZB-002", "ZB-003"}),
        (["重点工作专班", "xiangmu"], {"ZB-001", "ZB-002", "ZB-003", "XM-001", "XM-002", "XM-003"}),
        (["--unit", "县住建局"], {"SW-002", "XW-002", "ZY-002", "SHW-002", "XF-003", "XM-001"}),
        (["--leader", "县长"], {"ZY-001", "ZB-002"}),
        (["xinfang", "--all"], {"XF-001", "XF-002", "XF-003", "XF-004"}),
    ],
)
def test_status_filters(args: list[str], ids: set[str]) -> None:
    r = run("status", "--today", "2022-06-30", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    assert {m["id"] for m in json.loads(r.stdout)["matters"]} == ids


def test_status_before_assignment_matters_do_not_exist() -> None:
    r = run("status", "--today", "2022-01-05", "--all", "--format", "json")
    ids = {m["id"] for m in json.loads(r.stdout)["matters"]}
    assert ids == {"ZSJ-001", "ZSJ-002", "BL-001", "ZD-001"}  # assigned on or before 01-05


def test_status_csv() -> None:
    r = run("status", "--today", "2022-06-30", "--format", "csv", "--light", "蓝")
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("编号,台账,事项,牵头单位,状态,完成时限,进度,序时进度,预警灯")
    assert lines[1].startswith("ZY-002,zy,安全生产专项整治三年行动巩固提升,县应急管理局,推进中,2022-07-05,90,97.0,蓝")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["status", "--today", "明天"], "无法识别的日期:明天"),
        (["status", "--light", "紫"], "无法识别的灯色:紫"),
        (["status", "nosuch"], "没有这个台账：nosuch"),
        (["status", "--format", "xml"], "选项值不正确:xml"),
        (["check", "--fail-on", "blue"], "选项值不正确:blue"),
        (["show", "ZB-999"], "找不到事项 ZB-999"),
    ],
)
def test_usage_errors_exit_2_in_chinese(args: list[str], needle: str) -> None:
    r = run(*args)
    assert r.exit_code == 2
    assert needle in r.stderr and "提示:" in r.stderr
    assert "Traceback" not in r.output


def test_not_a_workspace(tmp_path: Path) -> None:
    r = run("status", root=tmp_path)
    assert r.exit_code == 2
    assert "不是 yilan 工作区" in r.stderr and "yilan init" in r.stderr


def test_check_demo_passes_at_error_level_and_fails_on_red() -> None:
    r = run("check", "--today", "2022-06-30")
    assert r.exit_code == 0
    assert "红灯[R001] SHW-002" in r.stdout
    assert run("check", "--today", "2022-06-30", "--fail-on", "red").exit_code == 1
    assert run("check", "--today", "2022-06-30", "--fail-on", "yellow").exit_code == 1
    assert run("check", "--today", "2022-01-05", "--fail-on", "yellow").exit_code == 0  # 4 matters, none late


def test_check_json_github_junit() -> None:
    doc = json.loads(run("check", "--today", "2022-06-30", "--format", "json").stdout)
    assert doc["version"] == 1 and doc["files"] == 52  # 42 matters and 10 一线调研 files
    assert {f["severity"] for f in doc["findings"]} == {"red", "yellow"}
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
    gh = run("check", "--today", "2022-06-30", "--format", "github").stdout.splitlines()
    assert sum(x.startswith("::error file=") for x in gh) == 4
    # 5 yellow lights and one doubtful figure (Y003: XW-001's 规上工业增加值增速 123.1% against 10%, 113.1 points off);
    # no Y002: the demo names its deputy county heads by person (赵某, 钱某)
    assert sum(x.startswith("::warning file=") for x in gh) == 5 + 1
    assert "::warning file=ledgers/xian/XW-001.yaml,line=1,col=1,title=Y003::" in "\n".join(gh)
    assert gh[0].startswith("::error file=ledgers/shi/SHW-002.yaml,line=1,col=1,title=R001::")
    junit = ET.fromstring(run("check", "--today", "2022-06-30", "--format", "junit").stdout.split("\n", 1)[1])
    suite = junit.find("testsuite")
    # failures: 9 lit files + XW-001 (Y003)
    assert suite is not None and suite.get("tests") == "52" and suite.get("failures") == "10"


def test_show_text_and_sensitive_masking() -> None:
    r = run("show", "ZB-003", "--today", "2022-06-30")
    assert r.exit_code == 0
    assert "ZB-003 中植肉牛养殖屠宰加工项目" in r.stdout
    assert "年底存栏肉牛: —/4000头" in r.stdout  # the figure came with November's entry
    assert "2022-08-20 申请延至 2022-10-31" not in r.stdout  # applied for in August
    later = run("show", "ZB-003", "--today", "2022-12-31").stdout
    assert "年底存栏肉牛: 4000/4000头" in later and "2022-08-20 申请延至 2022-10-31" in later
    assert "推进中 · 进度 70% · 序时 73.4% · 绿灯 · 时限 2022-08-31" in r.stdout
    masked = run("show", "XF-001", "--today", "2022-06-30").stdout
    assert "信访人: (敏感,已隐藏)" in masked and "许某某" not in masked
    assert "许某某" in run("show", "XF-001", "--include-sensitive").stdout
    doc = json.loads(run("show", "xf-001", "--format", "json", "--today", "2022-06-30").stdout)
    assert doc["extra"] == {"petition_no": "YLXF-2022-0012"}
    assert doc["matter"]["title"] == "某小区房屋办证遗留问题信访积案"


def test_schema_is_fresh_and_describes_the_file() -> None:
    r = run("schema")
    doc = json.loads(r.stdout)
    assert {"编号", "事项", "牵头单位", "完成时限", "进展", "信访件编号"} <= set(doc["properties"])
    committed = (REPO / "schemas" / "matter.schema.json").read_text(encoding="utf-8")
    assert r.stdout == committed, "schemas/matter.schema.json is stale: run yilan schema -o schemas/matter.schema.json"


@pytest.mark.parametrize("command", ["init", "status", "show", "check", "schema"])
def test_every_command_has_chinese_help(command: str) -> None:
    r = CliRunner().invoke(app, [command, "--help"])
    assert r.exit_code == 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.stdout)


def test_message_catalog_golden(golden) -> None:  # type: ignore[no-untyped-def]
    """One rendered message per finding code, in both languages (SPEC §6: code → words)."""
    sample = {"size": 5242886, "limit": 1048576, "detail": "…", "tag": "!!python/object", "key": "完成时间",
              "suggest": "您是否想写 完成时限?", "field": "交办日期", "value": "2022-02-30", "kind": "列表", "id": "ZB-003",
              "name": "ZB-030.yaml", "prefix": "XM", "ledger": "重点工作专班", "expected": "ZB",
              "other": "ledgers/zz/ZB-003.yaml", "unit": "县发改委",
              "deadline": "2022-01-15", "assigned": "2022-02-01", "date": "2022-03-01",
              "prev": "2022-05-01", "state": "已办结", "approved": "2022-05-10", "applied": "2022-05-20",
              "title": "中植肉牛养殖屠宰加工项目", "reason": "超期 5 天", "year": 2022, "actual": 2021,
              "place": "依兰镇东升村", "entry": 3, "char": "\\x0b", "leader": "分管副县长",
              "people": "赵某（fxz-nongye，副县长(分管农业)）、钱某（fxz-gongye，副县长(分管工业)）", "person": "赵某"}
    lines = []
    for lang in ("zh", "en"):
        set_lang(lang)
        for code in sorted(FINDINGS):
            msg, hint = finding_text(code, sample)
            lines.append(f"{lang} {code} {msg} | {hint}")
    set_lang("zh")
    golden("messages.txt", "\n".join(lines) + "\n")

"""yilan find (issue 20): keyword search over 事项, 目标要求, 进展 and 备注 of the demo, with the exact matters
and snippets; several words, full-width and upper/lower case input; sensitive fields never searched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.search import fold, match, search_words, snippet

from .conftest import REPO, write_matter


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args])


def found(*args: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(ID, [(field, snippet)]) of each matter `find --format json` lists."""
    r = run("find", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return [(m["id"], [(s["field"], s["text"]) for s in m["snippets"]]) for m in json.loads(r.stdout)["matters"]]


def test_one_word_in_title_and_target() -> None:
    assert found("肉牛", "--today", "2022-12-31", "--all") == [
        ("HB-004", [("事项", "中央环保督察信访件:肉牛养殖场粪污处理")]),  # 12 characters each side: all of it
        ("ZB-003", [("事项", "中植肉牛养殖屠宰加工项目")]),
    ]


def test_closed_matters_need_all() -> None:
    r = run("find", "肉牛", "--today", "2022-12-31")
    assert r.exit_code == 0
    assert r.stdout == "没有找到含“肉牛”的在办事项\n（另有2项已办结或中止，未列出；加 --all 显示）\n"
    assert json.loads(run("find", "肉牛", "--today", "2022-12-31", "--format", "json").stdout)["hidden"] == 2


def test_every_word_must_occur() -> None:
    # 粪污 in 事项, 整改 in 目标要求: each field shown once, in search order
    assert found("粪污", "整改", "--today", "2022-12-31", "--all") == [
        ("HB-003", [("事项", "…环保督察信访件:畜禽养殖粪污直排"), ("目标要求", "6月底前整改到位，向举报人反馈")]),
        ("HB-004", [("事项", "…保督察信访件:肉牛养殖场粪污处理"), ("目标要求", "6月底前整改到位，向举报人反馈")]),
    ]
    assert found("粪污", "整治", "--today", "2022-12-31", "--all") == []
    # one argument with a full-width space between the words is the same search
    assert found("粪污\u3000整改", "--today", "2022-12-31", "--all") == found("粪污", "整改", "--today", "2022-12-31", "--all")


def test_full_width_and_case() -> None:
    # ＡＳＣＩＩ typed full-width and lower case finds the 交办件编号 (a non-sensitive 文本 field of huanbao)
    assert found("ｄ２ｈｌｊ２０２２０１１００００１", "--today", "2022-12-31", "--all") == [
        ("HB-001", [("交办件编号", "D2HLJ202201100001")])]
    # full-width digits match the half-width ones of the file; the file's own punctuation is shown as written
    assert found("肉牛４０００头", "--today", "2022-12-31", "--all") == [
        ("ZB-003", [("目标要求", "8月底正式投产，年底存栏肉牛4000头、出栏1000头")])]


def test_progress_notes_and_the_evaluation_day() -> None:
    at_june = ("--today", "2022-06-30")
    assert found("屠宰设备", "协调厂家", *at_june) == [
        ("ZB-003", [("进展 2022-06-30 存在问题", "屠宰设备到货可能延迟"),
                    ("进展 2022-06-30 下步措施", "协调厂家加快设备生产和运输")])]
    assert found("未报送", *at_june) == [("ZB-002", [("备注", "5月进展未报送")]),
                                         ("ZSJ-002", [("备注", "一季度未报送进展")])]
    # a 进展 entry written after --today is not searched yet
    assert found("设备调试", *at_june, "--all") == []
    assert found("设备调试", "--today", "2022-12-31", "--all") == [("ZB-003", [("进展 2022-09-30 情况", "设备调试")])]


def test_sensitive_fields_never_searched() -> None:
    # XF-001's 信访人 (敏感) is 许某某等36户; the same 36户 in a 进展 text is found, the petitioner's name is not
    assert found("许某某", "--today", "2022-12-31", "--all") == []
    assert [mid for mid, _ in found("36户", "--today", "2022-12-31", "--all")] == ["XF-001"]
    r = run("find", "36户", "--today", "2022-12-31", "--all")
    assert "许某某" not in r.stdout


def test_table_lines() -> None:
    r = run("find", "屠宰设备", "--today", "2022-06-30")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "ZB-003  中植肉牛养殖屠宰加工项目  县畜牧水产服务中心  推进中（绿灯）  进展 2022-06-30 存在问题：屠宰设备到货可能延迟",
        "共找到1项",
    ]
    nothing = run("find", "不存在的词", "--today", "2022-06-30")
    assert (nothing.exit_code, nothing.stdout) == (0, "没有找到含“不存在的词”的事项\n")


def test_empty_query_refused() -> None:
    r = run("find", " \u3000", "--today", "2022-06-30")
    assert r.exit_code == 2
    assert "E332" in r.output and "没有给出要查找的文字" in r.output
    assert run("find", "--today", "2022-06-30").exit_code == 2  # no words at all: click's C003


def test_matters_not_yet_assigned_are_not_found(tmp_workspace: Path) -> None:
    write_matter(tmp_workspace, "zhuanban", "ZB-001", title="秸秆综合利用", assigned="2022-03-01")
    assert run("find", "秸秆", "--today", "2022-02-28", root=tmp_workspace).stdout == "没有找到含“秸秆”的事项\n"
    listed = json.loads(run("find", "秸秆", "--today", "2022-03-01", "--format", "json", root=tmp_workspace).stdout)
    assert [m["id"] for m in listed["matters"]] == ["ZB-001"]


@pytest.mark.parametrize(("text", "word", "shown"), [
    ("短文本", "文本", "短文本"),
    ("一二三四五六七八九十一二三四五六七八九十关键词一二三四五六七八九十一二三四五六七八九十", "关键词",
     "…九十一二三四五六七八九十关键词一二三四五六七八九十一二…"),
    ("ＡＢＣ全角，标点", "abc", "ＡＢＣ全角，标点"),  # the original characters, not their NFKC forms
    ("第一行\n第二行", "第二", "第一行 第二行"),
])
def test_snippet(text: str, word: str, shown: str) -> None:
    assert snippet(text, fold(word)) == shown


def test_match_and_words() -> None:
    assert search_words(" 粪污　整改 粪污 ") == ["粪污", "整改"]
    fields = [("事项", "甲乙"), ("目标要求", "丙丁")]
    assert match(fields, ["乙", "丙"]) == (("事项", "甲乙"), ("目标要求", "丙丁"))
    assert match(fields, ["甲", "乙"]) == (("事项", "甲乙"),)
    assert match(fields, ["甲", "戊"]) is None

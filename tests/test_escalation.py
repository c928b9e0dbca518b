"""督导问责: replies to notices, the escalation ladder over three months of dates, the referral list.

One workspace, two overdue matters (deadline 2022-03-31, so both are red from April on), every step
through the installed commands in a real git repository:

    04-08  notice --issue           依督办〔2022〕1号 县住建局 (XM-001), 2号 县交通运输局 (XM-002); reply by 04-13
    04-12  2号 replied in time
    04-13  escalate                 nothing: no reply deadline has passed yet
    04-14  escalate --apply         依督提〔2022〕1号 XM-001 (1号 unanswered, still red)
                                    依督提〔2022〕2号 XM-002 (answered, but still red); reply by 04-19
    04-18  督提1号 replied in time
    04-20  escalate --apply         依督督〔2022〕1号 XM-001 (still red); 依督督〔2022〕2号 XM-002 (督提2号 unanswered)
    05-20  XM-002 closed (late)
    05-26  escalate --apply         依督批〔2022〕1号 XM-001 (督督1号 unanswered); XM-002 closed: its chain ends
    06-01  escalate --apply         依督移〔2022〕1号 XM-001 to 县纪委监委、县作风办 (the last rung)
    07-01  escalate                 nothing: the last rung has no next one

Referral list at 2022-06-30 (thresholds 30 days, 3 months, 2 documents):
    XM-001  overdue 91 days (03-31 → 06-30); red at 06-30, 05-31, 04-30 → 3 months; unanswered in time:
            1号, 督督1号, 督批1号 → 3 (督提1号 was answered; the referral expects no reply)
    XM-002  closed, so neither overdue nor red; 督提2号 and 督督2号 unanswered → 2 → referred
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.issuing import read_register

from .conftest import REPO, git

MATTER = """\
编号: {id}
事项: {title}
牵头单位: {unit}
牵头领导: [分管副县长]
{owner}交办日期: 2022-01-10
完成时限: 2022-03-31
状态: 推进中
进展:
  - {{日期: 2022-03-20, 进度: {progress}, 情况: 推进中}}
"""


def run(root: Path, *args: str) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args])
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "ledgers" / "xiangmu").mkdir(parents=True)
    for mid, title, unit, progress, owner in (("XM-001", "县城老旧小区改造", "县住建局", 50, "责任人: 李某\n"),
                                              ("XM-002", "农村公路危桥改造", "县交通运输局", 60, "")):
        (root / "ledgers" / "xiangmu" / f"{mid}.yaml").write_text(
            MATTER.format(id=mid, title=title, unit=unit, progress=progress, owner=owner), encoding="utf-8")
    (root / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "台账")
    return root


def _walk(root: Path, docs: Path) -> dict[str, str]:
    """The three months of the module docstring; the stdout of each step."""
    o = str(docs)
    said = {}
    said["notice"] = run(root, "notice", "--today", "2022-04-08", "--issue", "-o", o).stdout
    said["reply1"] = run(root, "notice", "reply", "依督办〔2022〕2号", "--date", "2022-04-12", "--text", "已制定整改方案").stdout
    said["04-13"] = run(root, "escalate", "--today", "2022-04-13").stdout
    said["04-14"] = run(root, "escalate", "--today", "2022-04-14", "--apply", "-o", o).stdout
    said["reply2"] = run(root, "notice", "reply", "依督提〔2022〕1号", "--date", "2022-04-18", "--text", "正在整改").stdout
    said["04-20"] = run(root, "escalate", "--today", "2022-04-20", "--apply", "-o", o).stdout
    run(root, "close", "XM-002", "--date", "2022-05-20")
    said["05-26"] = run(root, "escalate", "--today", "2022-05-26", "--apply", "-o", o).stdout
    said["06-01"] = run(root, "escalate", "--today", "2022-06-01", "--apply", "-o", o).stdout
    said["07-01"] = run(root, "escalate", "--today", "2022-07-01").stdout
    return said


def test_the_ladder_over_three_months(ws: Path, tmp_path: Path, golden: Any) -> None:
    said = _walk(ws, tmp_path / "docs")
    assert "没有需要升级" in said["04-13"] and "没有需要升级" in said["07-01"]
    assert "蓝色提示单 → 县住建局:XM-001 县城老旧小区改造(依督办〔2022〕1号 逾期未回复、仍为红灯)" in said["04-14"]
    assert "蓝色提示单 → 县交通运输局:XM-002 农村公路危桥改造(仍为红灯)" in said["04-14"]
    assert "橙色督办单 → 县住建局:XM-001 县城老旧小区改造(仍为红灯)" in said["04-20"]
    assert "橙色督办单 → 县交通运输局:XM-002 农村公路危桥改造(依督提〔2022〕2号 逾期未回复、仍为红灯)" in said["04-20"]
    assert "需升级督办 1 份" in said["05-26"] and "通报批评 → 县住建局" in said["05-26"]
    assert "关于移交县住建局有关问题线索的函" in said["06-01"]
    entries = read_register(ws)
    rows = [(e["编号"], e["种类"], e["单位"], e["印发日期"], e.get("回复期限"), e.get("回复日期"), e["事项"], e.get("依据"))
            for e in entries]
    assert rows == [
        ("依督办〔2022〕1号", "督办通知单", "县住建局", "2022-04-08", "2022-04-13", None, ["XM-001"], None),
        ("依督办〔2022〕2号", "督办通知单", "县交通运输局", "2022-04-08", "2022-04-13", "2022-04-12", ["XM-002"], None),
        ("依督提〔2022〕1号", "提示单", "县住建局", "2022-04-14", "2022-04-19", "2022-04-18", ["XM-001"], ["依督办〔2022〕1号"]),
        ("依督提〔2022〕2号", "提示单", "县交通运输局", "2022-04-14", "2022-04-19", None, ["XM-002"], ["依督办〔2022〕2号"]),
        ("依督督〔2022〕1号", "督办单", "县住建局", "2022-04-20", "2022-04-25", None, ["XM-001"], ["依督提〔2022〕1号"]),
        ("依督督〔2022〕2号", "督办单", "县交通运输局", "2022-04-20", "2022-04-25", None, ["XM-002"], ["依督提〔2022〕2号"]),
        ("依督批〔2022〕1号", "通报批评", "县住建局", "2022-05-26", "2022-05-31", None, ["XM-001"], ["依督督〔2022〕1号"]),
        ("依督移〔2022〕1号", "问责移交", "县住建局", "2022-06-01", None, None, ["XM-001"], ["依督批〔2022〕1号"]),
    ]
    assert entries[-1]["移交"] == ["县纪委监委", "县作风办"]
    # every step is one commit naming its matters; the matter's history shows the documents
    subjects = git(ws, "log", "--format=%s").splitlines()
    assert subjects[:3] == ["督办升级 依督移〔2022〕1号 等 1 份", "督办升级 依督批〔2022〕1号 等 1 份",
                            "办结 XM-002 农村公路危桥改造:推进中 → 已办结,进度 60% → 100%"]
    assert "记录回复 依督提〔2022〕1号 县住建局" in subjects
    history = run(ws, "history", "XM-001").stdout
    assert "督办升级  督办升级 依督移〔2022〕1号 等 1 份" in history
    assert "记录回复  记录回复 依督提〔2022〕1号 县住建局" in history
    golden("escalation_referral.md", (tmp_path / "docs" / "问责移交-县住建局.md").read_text(encoding="utf-8"))
    golden("escalation_criticism.md", (tmp_path / "docs" / "通报批评-县住建局.md").read_text(encoding="utf-8"))
    run(ws, "site", "-o", str(tmp_path / "site"), "--today", "2022-06-01")
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "依督提〔2022〕1号 提示单(县住建局)(印发 2022-04-14)" in index  # the dashboard lists every document
    assert (tmp_path / "docs" / "提示单-县交通运输局.md").read_text(encoding="utf-8").count("XM-002") == 1


def test_the_referral_list(ws: Path, tmp_path: Path, golden: Any) -> None:
    _walk(ws, tmp_path / "docs")
    text = run(ws, "accountability", "2022Q2").stdout
    all_three = "超期91天（超过30天）；连续3个月红灯；3份督办文书逾期未回复"
    assert f"| 1 | XM-001 | 县城老旧小区改造 | 县住建局 | 分管副县长 | 李某 | 2022年3月31日 | 50% | {all_three} |" in text
    assert ("| 2 | XM-002 | 农村公路危桥改造 | 县交通运输局 | 分管副县长 | 未填写 | 2022年3月31日 | 100% "
            "| 2份督办文书逾期未回复 |") in text
    assert "\n县纪委监委、县作风办：\n" in text and "特此函告。" in text
    golden("accountability_2022Q2.md", text)
    # at the end of April: 30 days overdue is not more than 30. Both matters were red at 04-30, at 03-31
    # (lag 50 and 40 on the deadline day) and at 02-28 (no progress yet, 61% expected) → 3 months; XM-001
    # left 1号 and 督督1号 (due 04-25) unanswered, XM-002 督提2号 and 督督2号 → 2 each.
    april = run(ws, "accountability", "2022-04").stdout
    both = "连续3个月红灯；2份督办文书逾期未回复"
    assert f"| 1 | XM-001 | 县城老旧小区改造 | 县住建局 | 分管副县长 | 李某 | 2022年3月31日 | 50% | {both} |" in april
    assert f"| 2 | XM-002 | 农村公路危桥改造 | 县交通运输局 | 分管副县长 | 未填写 | 2022年3月31日 | 60% | {both} |" in april
    out = tmp_path / "referral.docx"
    run(ws, "accountability", "2022Q2", "--format", "docx", "-o", str(out))
    from yilan_cli.docx_report import docx_text

    words = docx_text(out.read_bytes())
    assert "关于2022年第二季度督办事项问责移交清单的函" in words
    assert "依督移〔2022〕1号 | 问责移交 | 2022年6月1日 | — | —" in words


def test_replies_are_checked(ws: Path) -> None:
    run(ws, "notice", "--today", "2022-04-08", "--issue", "-o", str(ws / "out"))
    bad = CliRunner().invoke(app, ["--root", str(ws), "notice", "reply", "依督办〔2022〕9号", "--date", "2022-04-10",
                                   "--text", "x"])
    assert bad.exit_code == 2 and "没有这份督办文书:依督办〔2022〕9号" in bad.stderr and "依督办〔2022〕1号" in bad.stderr
    early = CliRunner().invoke(app, ["--root", str(ws), "notice", "reply", "依督办〔2022〕1号", "--date", "2022-04-01",
                                     "--text", "x"])
    assert early.exit_code == 2 and "回复日期 2022-04-01 早于印发日期 2022-04-08" in early.stderr
    late = run(ws, "notice", "reply", "依督办〔2022〕1号", "--date", "2022-04-20", "--text", "已整改")
    assert "(2022-04-20,逾期)" in late.stdout
    twice = CliRunner().invoke(app, ["--root", str(ws), "notice", "reply", "依督办〔2022〕1号", "--date", "2022-04-21",
                                     "--text", "y"])
    assert twice.exit_code == 2 and "已于 2022-04-20 记录回复" in twice.stderr


def test_the_ladder_is_configurable(ws: Path, tmp_path: Path) -> None:
    rules = ws / "schemas" / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("  阶梯:")
    end = text.index("  移交单位:")
    rules.write_text(text[:start] + "  阶梯:\n    - {名称: 黄牌警告, 颜色: 黄, 文号格式: \"督警〔{year}〕{n}号\"}\n"
                     "    - {名称: 问责移交, 颜色: 红, 文号格式: \"依督移〔{year}〕{n}号\"}\n" + text[end:], encoding="utf-8")
    git(ws, "commit", "-qam", "两级")
    o = str(tmp_path / "docs")
    run(ws, "notice", "--today", "2022-04-08", "--issue", "-o", o)
    assert "黄牌警告 → 县住建局" in run(ws, "escalate", "--today", "2022-04-14", "--apply", "-o", o).stdout
    assert "关于移交县住建局有关问题线索的函" in run(ws, "escalate", "--today", "2022-04-20", "--apply", "-o", o).stdout
    assert [e["编号"] for e in read_register(ws)][-2:] == ["依督移〔2022〕1号", "依督移〔2022〕2号"]
    from yilan_cli.docx_report import docx_text

    words = docx_text(_docx(ws, tmp_path))
    assert "黄牌警告" in words and "\n督警〔2022〕1号\n" in words and "\n县住建局：\n" in words


def _docx(ws: Path, tmp_path: Path) -> bytes:
    """The 黄牌警告 as DOCX, written again from the register's state at 04-14 by a fresh escalate."""
    import shutil

    again = tmp_path / "again"
    shutil.copytree(ws, again)
    git(again, "reset", "-q", "--hard", "HEAD~2")  # back to before the 04-14 escalation
    run(again, "escalate", "--today", "2022-04-14", "--apply", "--format", "docx", "-o", str(tmp_path / "docx"))
    return (tmp_path / "docx" / "黄牌警告-县住建局.docx").read_bytes()


def test_a_new_routine_notice_does_not_reset_the_ladder(ws: Path, tmp_path: Path) -> None:
    o = str(tmp_path / "docs")
    run(ws, "notice", "--today", "2022-04-08", "--issue", "-o", o)
    run(ws, "escalate", "--today", "2022-04-14", "--apply", "-o", o)  # 督提 1号, 2号
    # the next routine round lists both matters again (reply by 04-23) and goes unanswered
    assert "依督办〔2022〕3号" in run(ws, "notice", "--today", "2022-04-18", "--issue", "-o", o).stdout
    assert "没有需要升级" in run(ws, "escalate", "--today", "2022-04-23").stdout  # the new deadline holds
    said = run(ws, "escalate", "--today", "2022-04-24").stdout
    assert "橙色督办单 → 县住建局:XM-001 县城老旧小区改造(依督办〔2022〕3号 逾期未回复、仍为红灯)" in said
    assert "提示单" not in said


def test_the_referral_letter_lists_every_document_of_the_register(ws: Path, tmp_path: Path) -> None:
    """The 2022Q2 letter is evaluated at 06-30 but written (--date 07-10) after the notices of 07-05: they are in
    the chain, with the reply known on 07-10; a matter no document lists says so, and only then."""
    o = str(tmp_path / "docs")
    said = run(ws, "notice", "--today", "2022-07-05", "--unit", "县住建局", "--issue", "-o", o).stdout
    assert "依督办〔2022〕1号 县住建局:1 项" in said
    run(ws, "notice", "reply", "依督办〔2022〕1号", "--date", "2022-07-08", "--text", "已制定整改方案")
    assert "未印发督办文书。" in run(ws, "accountability", "2022Q2").stdout  # at 06-30 nothing was issued yet
    text = run(ws, "accountability", "2022Q2", "--date", "2022-07-10").stdout
    xm1, xm2 = text.split("### 1.XM-001 县城老旧小区改造")[1].split("### 2.XM-002 农村公路危桥改造")
    assert "| 依督办〔2022〕1号 | 督办通知单 | 2022年7月5日 | 2022年7月10日 | 2022年7月8日回复：已制定整改方案 |" in xm1
    assert "未印发督办文书" not in xm1 and "未印发督办文书。" in xm2  # 县交通运输局 got nothing yet
    assert "| 1 | XM-001 | 县城老旧小区改造 | 县住建局 | 分管副县长 | 李某 | 2022年3月31日 | 50% |" in text
    run(ws, "notice", "--today", "2022-07-06", "--unit", "县交通运输局", "--issue", "-o", o)
    text = run(ws, "accountability", "2022Q2", "--date", "2022-07-10").stdout
    assert "未印发督办文书" not in text
    assert "| 依督办〔2022〕2号 | 督办通知单 | 2022年7月6日 | 2022年7月11日 | 未回复 |" in text.split("### 2.XM-002")[1]
    out = tmp_path / "referral.docx"
    run(ws, "accountability", "2022Q2", "--date", "2022-07-10", "-o", str(out))
    from yilan_cli.docx_report import docx_text

    words = docx_text(out.read_bytes())
    assert "依督办〔2022〕1号 | 督办通知单 | 2022年7月5日 | 2022年7月10日 | 2022年7月8日回复：已制定整改方案" in words
    assert "| 责任人 |" in words and "| 李某 |" in words and "| 未填写 |" in words
    assert "未印发督办文书" not in words


def test_a_chain_is_every_document_listing_the_matter_in_date_order(ws: Path) -> None:
    from datetime import date

    from yilan_cli.escalation import chains
    from yilan_cli.workspace import load

    def doc(number: str, kind: str, day: str, matters: list[str], **more: str) -> dict[str, Any]:
        return {"编号": number, "种类": kind, "单位": "县住建局", "印发日期": day, "事项": matters, "源提交": "0" * 40, **more}

    entries = [doc("依督提〔2022〕1号", "提示单", "2022-04-14", ["XM-001"], 回复期限="2022-04-19",
                    回复日期="2022-04-18", 回复内容="正在整改"),
               doc("依督办〔2022〕1号", "督办通知单", "2022-04-08", ["XM-001", "XM-002"]),
               doc("依督通〔2022〕1号", "季度通报", "2022-04-01", ["XM-001"]),  # a circular is no supervision document
               doc("依督办〔2022〕2号", "督办通知单", "2022-07-05", ["XM-001"])]
    found = chains(load(ws), entries)
    assert [d.number for d in found["XM-001"]] == ["依督办〔2022〕1号", "依督提〔2022〕1号", "依督办〔2022〕2号"]
    assert [d.number for d in found["XM-002"]] == ["依督办〔2022〕1号"]
    until = chains(load(ws), entries, date(2022, 6, 30))
    assert [d.number for d in until["XM-001"]] == ["依督办〔2022〕1号", "依督提〔2022〕1号"]
    assert "XM-003" not in found
    tip = found["XM-001"][1]
    assert (tip.reply_words(), tip.reply_words("2022-04-17")) == ("2022-04-18回复:正在整改", "未回复")


YELLOW = """\
编号: XM-003
事项: 城区供水管网改造
牵头单位: 县水务局
责任人: 周某
交办日期: 2022-01-01
完成时限: 2022-12-31
状态: 推进中
进展:
  - {日期: 2022-05-05, 进度: 25, 情况: 推进中}
  - {日期: 2022-06-01, 进度: 30, 情况: 推进中}
"""


def test_a_notice_names_only_the_lights_its_unit_has(ws: Path, tmp_path: Path) -> None:
    (ws / "ledgers" / "xiangmu" / "XM-003.yaml").write_text(YELLOW, encoding="utf-8")
    lights = {m["id"]: m["light"] for m in
              json.loads(run(ws, "status", "--today", "2022-06-15", "--format", "json").stdout)["matters"]}
    assert lights == {"XM-001": "red", "XM-002": "red", "XM-003": "yellow"}
    run(ws, "notice", "--today", "2022-06-15", "-o", str(tmp_path / "md"))
    water = (tmp_path / "md" / "督办通知单-县水务局.md").read_text(encoding="utf-8")
    assert "存在超期、滞后或未按期报告等问题，亮黄灯预警。" in water and "红灯" not in water
    housing = (tmp_path / "md" / "督办通知单-县住建局.md").read_text(encoding="utf-8")
    assert "等问题，亮红灯预警。" in housing and "黄灯" not in housing
    run(ws, "notice", "--today", "2022-06-15", "--unit", "县水务局", "--format", "docx", "-o", str(tmp_path / "docx"))
    from yilan_cli.docx_report import docx_text

    words = docx_text((tmp_path / "docx" / "督办通知单-县水务局.docx").read_bytes())
    assert "存在超期、滞后或未按期报告等问题，亮黄灯预警。" in words and "红灯" not in words


@pytest.mark.parametrize(("lights", "sentence"), [
    (["红灯", "红灯"], "亮红灯预警"), (["黄灯"], "亮黄灯预警"), (["红灯", "黄灯", "黄灯"], "亮红灯、黄灯预警"),
    (["橙灯", "黄灯"], "亮橙灯、黄灯预警"),  # rules.yaml 灯.名称 as the office names them
])
def test_the_notice_sentence_by_lights(lights: list[str], sentence: str) -> None:
    from dataclasses import replace

    from yilan_cli.report import Line, Notice

    line = Line("XM-001", "重大项目建设", "县城老旧小区改造", "县住建局", "分管副县长", "推进中", "2022-03-31", 50, "—", "",
                0, "—", "", "")
    n = Notice("县住建局", "督查室", "2022-06-15", "2022-06-20", [replace(line, light=x) for x in lights])
    assert n.warning == sentence

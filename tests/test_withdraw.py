"""撤销 and 恢复 (yilan withdraw / reinstate, issue 20): the records, the commits, the totals before and after
the withdrawal date, the refusals, and audit (docs/format.md, 撤销与恢复)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git, make_workspace, write_matter

ZB1 = "ledgers/zhuanban/ZB-001.yaml"

ZB1_TEXT = """\
编号: ZB-001
事项: 城区供水管网改造
牵头单位: 县水务局
交办日期: 2022-02-01
完成时限: 2022-06-30
状态: 推进中
进展:
  - {日期: 2022-05-31, 进度: 40, 情况: 完成主管网铺设}
"""


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Two matters in a git repository: ZB-001 overdue (red) from 2022-07-01, ZB-002 not started, due at year end."""
    root = make_workspace(tmp_path / "ws")
    write_matter(root, "zhuanban", "ZB-001", ZB1_TEXT)
    write_matter(root, "zhuanban", "ZB-002", title="老旧小区改造", unit="县住建局")
    (root / ".gitignore").write_text(".yilan/\n", encoding="utf-8")  # the cache and lock, as init writes it
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始化")
    return root


def withdraw(root: Path, day: str = "2022-07-15") -> Any:
    return run(root, "withdraw", "ZB-001", "--reason", "与ZB-002重复录入", "--approved-by", "常务副县长", "--date", day)


def summary(root: Path, day: str) -> dict[str, Any]:
    r = run(root, "status", "--today", day, "--format", "json")
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout)["summary"])


def test_withdraw_and_reinstate_append_records_each_in_its_own_commit(small: Path) -> None:
    r = withdraw(small)
    assert r.exit_code == 0, r.output
    assert r.stdout == "撤销 ZB-001 城区供水管网改造:自2022-07-15起撤销，常务副县长批准，理由：与ZB-002重复录入\n"
    assert (small / ZB1).read_text(encoding="utf-8") == ZB1_TEXT + (
        "撤销:\n"
        "  - {日期: 2022-07-15, 理由: 与ZB-002重复录入, 批准人: 常务副县长}\n")
    assert git(small, "log", "-1", "--format=%s%n%b") == (
        "撤销 ZB-001 城区供水管网改造:自2022-07-15起撤销，常务副县长批准，理由：与ZB-002重复录入\n"
        "Yilan-Action: withdraw\nYilan-Matter: ZB-001\n\n")

    r = run(small, "reinstate", "ZB-001", "--reason", "经核实不属重复，恢复督办", "--date", "2022-08-01")
    assert r.exit_code == 0, r.output
    assert (small / ZB1).read_text(encoding="utf-8") == ZB1_TEXT + (
        "撤销:\n"
        "  - {日期: 2022-07-15, 理由: 与ZB-002重复录入, 批准人: 常务副县长}\n"
        "恢复:\n"
        "  - {日期: 2022-08-01, 理由: 经核实不属重复，恢复督办}\n")
    assert git(small, "log", "-1", "--format=%s%n%b") == (
        "恢复 ZB-001 城区供水管网改造:自2022-08-01起恢复，理由：经核实不属重复，恢复督办\n"
        "Yilan-Action: reinstate\nYilan-Matter: ZB-001\n\n")
    assert git(small, "rev-list", "--count", "HEAD").strip() == "3"  # one commit each, nothing deleted

    r = run(small, "fmt", "--check")
    assert r.exit_code == 0, r.output  # written in the canonical place: fmt has nothing to move
    r = run(small, "audit")
    assert r.exit_code == 0, r.output
    assert "篡改" not in r.stdout.replace("未发现篡改", "")
    r = run(small, "history", "ZB-001")
    assert r.exit_code == 0, r.output
    assert "新增撤销记录 2022-07-15:常务副县长批准，理由：与ZB-002重复录入" in r.stdout
    assert "新增恢复记录 2022-08-01:理由：经核实不属重复，恢复督办" in r.stdout


def test_a_withdrawn_matter_leaves_the_totals_from_its_date_only(small: Path) -> None:
    before = {day: summary(small, day) for day in ("2022-07-14", "2022-07-15")}
    assert before["2022-07-14"]["total"] == before["2022-07-15"]["total"] == 2
    assert withdraw(small).exit_code == 0

    assert summary(small, "2022-07-14") == before["2022-07-14"]  # the day before: unchanged
    after = summary(small, "2022-07-15")
    assert after["total"] == 1
    assert before["2022-07-15"]["lights"]["red"] == 2
    assert after["lights"]["red"] == 1  # ZB-001's red light is gone with it

    r = run(small, "status", "--today", "2022-07-15")
    assert "ZB-001" not in r.stdout
    assert r.stdout.rstrip().endswith("（另有1项已撤销，不计入统计，未列出；加 --all 显示）")
    r = run(small, "status", "--today", "2022-07-15", "--all")
    assert "ZB-001" in r.stdout and "已撤销，不计入统计" in r.stdout
    assert "另有1项已撤销" not in r.stdout

    r = run(small, "check", "--today", "2022-07-15")
    assert "[R001] ZB-001" not in r.stdout and "[R001] ZB-002" in r.stdout  # ZB-001 is not lit
    r = run(small, "check", "--today", "2022-07-14")
    assert "[R001] ZB-001" in r.stdout  # before the withdrawal it was red, and stays so

    assert run(small, "reinstate", "ZB-001", "--reason", "恢复督办", "--date", "2022-08-01").exit_code == 0
    assert summary(small, "2022-07-31")["total"] == 1
    assert summary(small, "2022-08-01")["total"] == 2


def test_a_circular_for_an_earlier_period_is_byte_identical(small: Path, tmp_path: Path) -> None:
    june = run(small, "report", "2022-06", "--format", "md")
    assert june.exit_code == 0, june.output
    july = run(small, "report", "2022-07", "--format", "md")
    assert withdraw(small).exit_code == 0

    assert run(small, "report", "2022-06", "--format", "md").stdout == june.stdout
    later = run(small, "report", "2022-07", "--format", "md")
    assert later.stdout != july.stdout
    assert "共督办事项2项" in july.stdout
    assert "另有撤销事项" not in july.stdout
    assert "共督办事项1项" in later.stdout
    assert ("不计入上述统计" in later.stdout
            and "另有撤销事项1项（ZB-001 城区供水管网改造，2022年7月15日撤销），不计入上述统计。" in later.stdout)
    for fmt in ("html", "docx"):
        out = tmp_path / f"r.{fmt}"
        r = run(small, "report", "2022-07", "--format", fmt, "-o", str(out))
        assert r.exit_code == 0, r.output
        if fmt == "html":
            assert "另有撤销事项1项（ZB-001 城区供水管网改造，2022年7月15日撤销）" in out.read_text(encoding="utf-8")
        else:
            import docx

            text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
            assert "另有撤销事项1项（ZB-001 城区供水管网改造，2022年7月15日撤销），不计入上述统计。" in text


def test_the_site_lists_a_withdrawn_matter_apart(small: Path, tmp_path: Path) -> None:
    assert withdraw(small).exit_code == 0
    r = run(small, "site", "-o", str(tmp_path / "site"), "--today", "2022-07-20")
    assert r.exit_code == 0, r.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "督办事项 1 项" in index
    rest = index.partition("<h2>撤销事项</h2>")[2]
    assert 'href="matter/ZB-001.html">ZB-001 城区供水管网改造</a>(县水务局):2022-07-15 撤销' in rest
    assert 'data-light="none"' not in rest.partition("<h2>全部事项</h2>")[2].partition("</table>")[0]
    page = (tmp_path / "site" / "matter" / "ZB-001.html").read_text(encoding="utf-8")
    assert "2022-07-15 撤销：与ZB-002重复录入（常务副县长批准）" in page


@pytest.mark.parametrize(("args", "message"), [
    (["update", "ZB-001", "--progress", "50", "--date", "2022-07-20"],
     "错误[E341] ZB-001 已于2022-07-15撤销，不能记录进展\n"
     "  提示: 如确需继续督办，先用 yilan reinstate ZB-001 --reason 理由 恢复，再记录进展\n"),
    (["close", "ZB-001", "--date", "2022-07-20"],
     "错误[E341] ZB-001 已于2022-07-15撤销，不能办结\n"
     "  提示: 如确需继续督办，先用 yilan reinstate ZB-001 --reason 理由 恢复，再办结\n"),
    (["extend", "ZB-001", "--to", "2022-12-31", "--reason", "x", "--date", "2022-07-20"],
     "错误[E341] ZB-001 已于2022-07-15撤销，不能延期\n"),
    (["withdraw", "ZB-001", "--reason", "x", "--approved-by", "y", "--date", "2022-07-20"],
     "错误[E342] ZB-001 已于2022-07-15撤销，不能再次撤销\n  提示: 需要恢复督办时用 yilan reinstate ZB-001\n"),
    (["reinstate", "ZB-002", "--reason", "x", "--date", "2022-07-20"],
     "错误[E342] ZB-002 未撤销，无需恢复\n  提示: 只有用 yilan withdraw 撤销的事项才能恢复\n"),
    (["reinstate", "ZB-001", "--reason", "x", "--date", "2022-07-10"],
     "错误[E340] 恢复日期2022-07-10早于撤销日期2022-07-15\n  提示: 请核对 --date\n"),
    (["withdraw", "ZB-002", "--reason", "x", "--approved-by", "y", "--date", "2022-01-10"],
     "错误[E312] 撤销日期2022-01-10早于交办日期2022-02-01\n  提示: 请核对 --date\n"),
    (["withdraw", "ZB-002", "--reason", " ", "--approved-by", "y", "--date", "2022-07-20"],
     "错误[E213] --reason 不能为空\n  提示: 写明理由\n"),
])
def test_refusals_say_why_and_change_nothing(small: Path, args: list[str], message: str) -> None:
    assert withdraw(small).exit_code == 0
    head = git(small, "rev-parse", "HEAD")
    r = run(small, *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert git(small, "rev-parse", "HEAD") == head
    assert git(small, "status", "--porcelain") == ""


def test_records_that_do_not_alternate_are_file_errors(small: Path) -> None:
    (small / ZB1).write_text(ZB1_TEXT + "恢复:\n  - {日期: 2022-08-01, 理由: 恢复}\n", encoding="utf-8")
    r = run(small, "check", "--today", "2022-08-01")
    assert r.exit_code == 1
    assert "错误[E340] 撤销与恢复记录不相符：2022-08-01 的恢复之前没有对应的撤销" in r.stdout
    (small / ZB1).write_text(ZB1_TEXT + "撤销:\n  - {日期: 2022-07-15, 理由: 误录, 批准人: 县长}\n"
                             "  - {日期: 2022-07-20, 理由: 误录, 批准人: 县长}\n", encoding="utf-8")
    r = run(small, "check", "--today", "2022-08-01")
    assert "错误[E340] 撤销与恢复记录不相符：2022-07-20 的撤销之前，2022-07-15 的撤销尚未恢复" in r.stdout


def test_removing_a_withdrawal_by_hand_is_tampering(small: Path) -> None:
    assert withdraw(small).exit_code == 0
    (small / ZB1).write_text(ZB1_TEXT, encoding="utf-8")
    git(small, "commit", "-q", "-am", "改回")
    r = run(small, "audit")
    assert r.exit_code == 1, r.output
    assert "删除了撤销记录 2022-07-15(!):常务副县长批准，理由：与ZB-002重复录入" in r.stdout


def test_withdrawn_is_business_time() -> None:
    from datetime import date

    from yilan_cli.models import Matter
    from yilan_cli.records import record_of
    from yilan_cli.status import counted, withdrawn

    m = Matter.model_validate({
        "编号": "ZB-001", "事项": "x", "牵头单位": "县水务局", "交办日期": "2022-02-01", "完成时限": "2022-06-30",
        "状态": "未启动",
        "撤销": [{"日期": "2022-07-15", "理由": "a", "批准人": "b"}, {"日期": "2022-09-01", "理由": "a", "批准人": "b"}],
        "恢复": [{"日期": "2022-08-01", "理由": "c"}]})
    r = record_of(m, "zhuanban", ZB1, "月")
    assert r.withdrawals == ((date(2022, 7, 15).toordinal(), date(2022, 8, 1).toordinal()),
                             (date(2022, 9, 1).toordinal(), None))
    days = {d: withdrawn(r, date.fromisoformat(d).toordinal())
            for d in ("2022-07-14", "2022-07-15", "2022-07-31", "2022-08-01", "2022-08-31", "2022-09-01", "2023-01-01")}
    assert days == {"2022-07-14": False, "2022-07-15": True, "2022-07-31": True, "2022-08-01": False,
                    "2022-08-31": False, "2022-09-01": True, "2023-01-01": True}
    assert not counted(r, date(2022, 1, 31).toordinal())  # not assigned yet
    assert counted(r, date(2022, 8, 1).toordinal())


def test_show_at_a_date_shows_the_records_dated_by_then(small: Path) -> None:
    assert withdraw(small).exit_code == 0
    assert run(small, "reinstate", "ZB-001", "--reason", "恢复督办", "--date", "2022-08-01").exit_code == 0
    before = run(small, "show", "ZB-001", "--today", "2022-07-14").stdout
    assert "撤销" not in before and "恢复" not in before
    during = run(small, "show", "ZB-001", "--today", "2022-07-20").stdout
    assert "撤销: 2022-07-15 常务副县长批准，理由：与ZB-002重复录入\n" in during
    assert "  已撤销，不计入统计" in during and "恢复:" not in during
    after = run(small, "show", "ZB-001", "--today", "2022-08-02").stdout
    assert "恢复: 2022-08-01 理由：恢复督办\n" in after and "已撤销，不计入统计" not in after


def test_a_withdrawn_matter_is_neither_escalated_nor_referred(tmp_path: Path) -> None:
    """From its 撤销 date nothing more is demanded of the unit: no next rung, no referral (review of issue 20)."""
    import shutil

    from typer.testing import CliRunner

    from yilan_cli.cli import app

    from .conftest import REPO, git
    from .test_escalation import MATTER

    root = tmp_path / "ws"
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "ledgers" / "xiangmu").mkdir(parents=True)
    for mid, title, unit in (("XM-001", "县城老旧小区改造", "县住建局"), ("XM-002", "农村公路危桥改造", "县交通运输局")):
        text = MATTER.format(id=mid, title=title, unit=unit, progress=50, owner="")
        (root / "ledgers" / "xiangmu" / f"{mid}.yaml").write_text(text, encoding="utf-8")
    (root / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "台账")

    def run(*args: str) -> str:
        r = CliRunner().invoke(app, ["--root", str(root), *args])
        assert r.exit_code == 0, r.output
        return r.stdout

    run("notice", "--today", "2022-04-08", "--issue", "-o", str(tmp_path / "n"))  # both red: 1号, 2号
    run("withdraw", "XM-001", "--reason", "县政府决定取消", "--approved-by", "县长", "--date", "2022-04-20")
    assert "XM-001" in run("escalate", "--today", "2022-04-14")  # unanswered, before the withdrawal: next rung due
    planned = run("escalate", "--today", "2022-04-21")
    assert "XM-002" in planned and "XM-001" not in planned
    referral = run("accountability", "2022Q2")
    assert "XM-002" in referral and "XM-001" not in referral

"""The Markdown circular and the horse race on the demo data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import REPO, write_matter, written_notes


def run(*args: str, root: Path = REPO) -> Any:
    return CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)


def test_quarterly_report_content() -> None:
    r = run("report", "2022Q2")
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert text.startswith("**内部资料 注意保存**\n\n**中共依兰县委督查室**\n\n**依兰县人民政府督查室**\n\n"
                           "（征求意见稿）\n\n---\n\n# 关于2022年第二季度重点工作督办落实情况的季度通报\n\n"
                           "各乡（镇）党委和政府，县直各部门：\n\n为推动")
    assert ("截至期末（2022年6月30日），共督办事项42项，其中已办结17项、阶段性办结3项，超期3项；"
            "办结率（含阶段性办结）47.6%，完全办结率40.5%，按期办结率94.1%。") in text
    assert "| 1 | 11 | 6 | 20 | 3 | 1 |" in text  # 超进度 达进度 欠进度 已完成 持续推进 中止
    for heading in ("一、总体情况", "二、主要成效", "三、序时分析", "四、本期进展", "五、赛马排名", "六、存在问题",
                    "七、未按期报告", "八、专题", "九、下步工作要求"):
        assert f"## {heading}" in text
    _, _, annex = text.partition("特此通报。\n\n附件：1.超期事项清单\n\n2.滞后事项清单\n\n3.本期办结事项清单\n\n"
                                    "4.赛马计分办法\n\n"
                                    "中共依兰县委督查室\n\n依兰县人民政府督查室\n\n2022年6月30日\n\n"
                                    "（联系人：李某，电话：0451-57212345）\n")
    assert annex, "结语, 附件说明, 署名, 成文日期, 附注 in this order after the body"
    assert [line for line in annex.splitlines() if line.startswith("附件")] == ["附件1", "附件2", "附件3", "附件4"]
    assert annex.rstrip().endswith("抄送：县委、县人大常委会、县政府、县政协领导。\n\n依兰县委县政府督查室　　2022年6月30日印发")


@pytest.mark.parametrize("spelling", ["2022-Q2", "2022年二季度", "2022年第二季度", "2022q2"])
def test_every_spelling_gives_the_same_bytes(spelling: str) -> None:
    assert run("report", spelling).stdout == run("report", "2022Q2").stdout


@pytest.mark.parametrize(("period", "title"), [
    ("2022-06", "关于2022年6月重点工作督办落实情况的月报"),
    ("2022年上半年", "关于2022年上半年重点工作督办落实情况的半年评估"),
    ("2022", "关于2022年重点工作督办落实情况的年度总结"),
])
def test_the_kind_follows_from_the_period(period: str, title: str) -> None:
    assert f"# {title}\n" in run("report", period).stdout


def test_a_report_for_the_leader_in_charge() -> None:
    text = run("report", "2022-06", "--leader", "县长").stdout
    # 县长 is 刘某 alone in schemas/people.yaml: the report names the person, and is addressed to them
    assert "（县长刘某分管）" in text and "共督办事项3项" in text and "\n县长刘某：\n" in text  # ZY-001, ZB-002 and XW-001


def test_notes_are_merged(demo_workspace: Path) -> None:
    notes = demo_workspace / "report_notes"
    notes.mkdir()
    (notes / "2022Q2.md").write_text("## 主要成效\n\n中央环保督察14件信访件全部办结或阶段性办结。\n\n"
                                     "## 下步工作要求\n\n各牵头单位于7月10日前报送整改方案。\n", encoding="utf-8")
    text = run("report", "2022Q2", root=demo_workspace).stdout
    assert "## 二、主要成效\n\n中央环保督察14件信访件全部办结或阶段性办结。\n" in text
    assert "各牵头单位于7月10日前报送整改方案。" in text


def test_hostile_titles_render_harmlessly(tmp_workspace: Path) -> None:
    write_matter(tmp_workspace, "xian", "XW-001", title="'<script>alert(1)</script> | 第二列'", deadline="2022-05-31")
    text = run("report", "2022Q2", root=tmp_workspace).stdout
    # the | cannot open a new column, and the tag is text in any Markdown renderer
    assert "| XW-001 | \\<script\\>alert(1)\\</script\\> \\| 第二列 |" in text
    assert "<script>" not in text


def test_report_refuses_while_any_file_is_invalid(demo_workspace: Path) -> None:
    (demo_workspace / "ledgers/xian/XW-001.yaml").write_text("编号: XW-001\n事项：坏文件\n", encoding="utf-8")
    r = run("report", "2022Q2", root=demo_workspace)
    assert r.exit_code == 2
    assert "有 1 个事项文件有错误,不能生成报告" in r.stderr and "ledgers/xian/XW-001.yaml:2:3: [E113]" in r.stderr


@pytest.mark.parametrize(("template", "needle"), [
    ("{{ r.__class__.__mro__ }}", "试图做不允许的操作"),
    ("{{ r.no_such_field }}", "有错误"),
    ("{% for x in r.total %}", "有错误"),
])
def test_a_hostile_or_broken_template_gets_a_clear_error(demo_workspace: Path, template: str, needle: str) -> None:
    (demo_workspace / "report_templates").mkdir()
    (demo_workspace / "report_templates/quarterly.md.j2").write_text(template, encoding="utf-8")
    r = run("report", "2022Q2", root=demo_workspace)
    assert r.exit_code == 2 and needle in r.stderr and "Traceback" not in r.output


def test_a_workspace_template_replaces_the_shipped_one(demo_workspace: Path) -> None:
    (demo_workspace / "report_templates").mkdir()
    (demo_workspace / "report_templates/quarterly.md.j2").write_text(
        '{% extends "base.md.j2" %}{% block ranking %}## 五、赛马排名\n\n(本期不排名)\n\n{% endblock %}', encoding="utf-8")
    text = run("report", "2022Q2", root=demo_workspace).stdout
    assert "(本期不排名)" in text and "## 六、存在问题" in text and "红榜：" not in text


def test_rank_orders_each_group_and_explains_every_point() -> None:
    doc = json.loads(run("rank", "2022Q2", "--format", "json").stdout)
    groups = {g["group"]: g for g in doc["groups"]}
    towns = groups["乡镇"]
    assert [u["unit"] for u in towns["units"] if u["rank"]][-1] == "达连河镇"  # red, behind schedule
    dalian = next(u for u in towns["units"] if u["unit"] == "达连河镇")
    # nothing due: 按期办结's 40 is spread over 序时 and 报告 (30:30 → 50 each); 0 (1 of 1 behind) + 50 − 1 (red)
    assert dalian["score"] == 49.0
    assert dalian["breakdown"] == "按期办结 —（无可计量，权重分摊） · 序时达标 0/1 得0.0 · 按期报告 1/1 得50.0 · 红灯1项 −1"
    depts = groups["县直部门"]
    assert depts["black_list"] == ["县委宣传部", "县人社局", "县水务局"]
    propaganda = next(u for u in depts["units"] if u["unit"] == "县委宣传部")
    assert propaganda["score"] == -3.0  # 0 (0/1 on time) + 0 (0/1), no report owed (spread) − 2 (overdue) − 1 (red)
    health = next(u for u in depts["units"] if u["unit"] == "县卫健局")  # YQ-001 长期, no report owed: 无可计量
    assert (health["rank"], health["score"], health["matters"]) == (None, None, 1)
    assert {u["unit"] for u in depts["units"] if u["rank"] is None} >= {"县财政局", "县公安局"}  # lead nothing
    table = run("rank", "2022Q2").stdout
    assert "【乡镇】" in table and "黑榜:达连河镇" in table


def test_issue_numbers_registers_and_commits(git_demo: Path, tmp_path: Path) -> None:
    from .conftest import git

    r = run("report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md"), root=git_demo)
    assert r.exit_code == 2 and "错误[E507] report_notes/2022Q2.md 中还没有撰写:## 主要成效、## 下步工作要求" in r.stderr
    assert not (tmp_path / "q2.md").exists() and "期间: 2022Q2" not in (git_demo / "reports/issued.yaml").read_text(
        encoding="utf-8")
    written_notes(git_demo, "2022Q2", "2022Q3", "2022-07")
    base = git(git_demo, "rev-parse", "HEAD").strip()
    r = run("report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md"), root=git_demo)
    assert r.exit_code == 0, r.output
    # the demo's history issued the half-year evaluation as 第1期 (2022-07-12): the next number is 第2期
    q2 = (tmp_path / "q2.md").read_text(encoding="utf-8")
    assert "**依兰县人民政府督查室**\n\n依督通〔2022〕2号\n\n---\n" in q2  # 发文字号: no 第, 号 after the serial
    assert "\n\n2022年7月15日\n\n" in q2 and "2022年7月15日印发" in q2  # --date is the 成文日期 and the 印发日期
    subject = git(git_demo, "log", "-1", "--format=%s").strip()
    assert subject == "印发 依督通〔2022〕2号 关于2022年第二季度重点工作督办落实情况的季度通报"
    assert git(git_demo, "show", "--name-only", "--format=", "HEAD").split() == ["reports/issued.yaml"]
    register = (git_demo / "reports/issued.yaml").read_text(encoding="utf-8")
    assert "期间: 2022Q2" in register and f"印发日期: 2022-07-15, 源提交: {base}" in register
    again = run("report", "2022年二季度", "--issue", "-o", str(tmp_path / "x.md"), root=git_demo)
    assert again.exit_code == 2 and "已印发:依督通〔2022〕2号" in again.stderr
    r = run("report", "2022Q3", "--issue", "--date", "2022-10-08", "--format", "docx", "-o", str(tmp_path / "q3.docx"),
            root=git_demo)
    assert r.exit_code == 0 and "依督通〔2022〕3号" in (git_demo / "reports/issued.yaml").read_text(encoding="utf-8")
    issued = (tmp_path / "q2.md").read_bytes()
    assert run("update", "SW-002", "--progress", "90", "--date", "2022-06-29", root=git_demo).exit_code == 0
    assert run("report", "2022Q2", root=git_demo).stdout.encode() != issued  # the data moved on …
    r = run("report", "2022Q2", "--as-issued", "-o", str(tmp_path / "again.md"), root=git_demo)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "again.md").read_bytes() == issued  # … and the issued circular is reproduced from its commit
    path = git_demo / "ledgers/zhuanban/ZB-001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "备注: 未提交\n", encoding="utf-8")
    r = run("report", "2022-07", "--issue", "-o", str(tmp_path / "m.md"), root=git_demo)
    assert r.exit_code == 2 and "有未提交的修改,不能印发" in r.stderr


def test_notices_one_per_unit_with_red_or_yellow(git_demo: Path, tmp_path: Path) -> None:
    import zipfile

    from .conftest import git

    out = tmp_path / "通知"
    r = run("notice", "--today", "2022-06-30", "-o", str(out), "--issue", root=git_demo)
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 8 and "督办通知单-县住建局.md" in files
    text = (out / "督办通知单-县住建局.md").read_text(encoding="utf-8")
    assert "| SW-002 |" in text and "| XW-002 |" in text and "XM-001" not in text  # only that unit's matters
    assert "于2022年7月5日前将整改情况书面报送" in text  # five days to reply (rules.yaml 督办通知.回复天数)
    assert "\n县住建局：\n" in text and "特此通知。" in text  # 主送 the unit
    assert "抄送：" in text  # the leaders of the listed matters
    assert "依督办〔2022〕" in text
    register = (git_demo / "reports/issued.yaml").read_text(encoding="utf-8")
    assert register.count("种类: 督办通知单") == 8 and "依督办〔2022〕8号" in register
    assert git(git_demo, "log", "-1", "--format=%s").strip() == "印发督办通知单 依督办〔2022〕1号 等 8 份"
    r = run("notice", "--today", "2022-06-30", "--unit", "县水务局", "--format", "docx", "-o", str(out), root=git_demo)
    with zipfile.ZipFile(out / "督办通知单-县水务局.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "县城污水处理厂提标改造工程" in body and 'w:eastAsia="仿宋_GB2312"' in body
    assert "没有红灯、黄灯事项" in run("notice", "--today", "2022-01-05", "-o", str(out), root=git_demo).stdout


def test_the_file_name_decides_the_format_and_a_contradiction_is_refused(git_demo: Path, tmp_path: Path) -> None:
    """report 2022Q2 -o 通报.docx wrote Markdown into a .docx and reported success (issue 19)."""
    from typer.testing import CliRunner

    from yilan_cli.cli import app

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(app, ["--root", str(git_demo), *args], catch_exceptions=False)

    docx = tmp_path / "通报.docx"
    assert invoke("report", "2022Q2", "-o", str(docx)).exit_code == 0
    assert docx.read_bytes()[:2] == b"PK"  # a Word file, not text
    html = tmp_path / "通报.html"
    assert invoke("report", "2022Q2", "-o", str(html)).exit_code == 0
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    wrong = tmp_path / "通报2.docx"
    r = invoke("report", "2022Q2", "--format", "md", "-o", str(wrong))
    assert r.exit_code == 2 and "错误[E506] 输出文件 通报2.docx 的扩展名是 .docx,与 --format md 不符" in r.stderr
    assert not wrong.exists()
    r = invoke("accountability", "2022Q2", "-o", str(tmp_path / "移交.html"))  # a second command: md and docx only
    assert r.exit_code == 2 and "[E506]" in r.stderr and "这个命令可写:md, docx" in r.stderr
    assert invoke("accountability", "2022Q2", "-o", str(tmp_path / "移交.docx")).exit_code == 0
    assert (tmp_path / "移交.docx").read_bytes()[:2] == b"PK"


def test_an_unknown_leader_or_unit_is_refused_with_the_closest_names(git_demo: Path, tmp_path: Path) -> None:
    """report --leader 副县长 and notice --unit 住建局 gave an empty document and exit 0 (issue 19)."""
    r = run("report", "2022Q2", "--leader", "副县长", root=git_demo)
    assert r.exit_code == 2 and "错误[E327] 没有这个牵头领导:副县长" in r.stderr and "您是否想写" in r.stderr
    r = run("notice", "--unit", "住建", "--today", "2022-06-30", "-o", str(tmp_path / "n"), root=git_demo)
    assert r.exit_code == 2 and "错误[E327] 没有这个单位:住建" in r.stderr and "县住建局" in r.stderr
    assert not (tmp_path / "n").exists()
    # a unit written without its 县 is the registered unit (lookup.unit_name, issue 20)
    r = run("notice", "--unit", "住建局", "--today", "2022-06-30", "-o", str(tmp_path / "n"), root=git_demo)
    assert r.exit_code == 0 and r.stdout.startswith("(未编号) 县住建局:"), r.output
    assert run("report", "2022Q2", "--leader", "县委副书记", root=git_demo).exit_code == 0  # a title no one registered holds
    r = run("report", "2022Q2", "--leader", "分管副县长", root=git_demo)  # held by 赵某 and 钱某 (tests/test_leaders.py)
    assert r.exit_code == 2 and "错误[E328]" in r.stderr


def test_notes_creates_the_sections_and_commits_what_was_written(git_demo: Path) -> None:
    from .conftest import git

    r = run("notes", "2022Q3", root=git_demo)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["已生成 report_notes/2022Q3.md:在各个 ## 标题下撰写,写好后再运行 yilan notes 2022Q3 提交",
                                     "report_notes/2022Q3.md 还待撰写:主要成效、下步工作要求"]
    assert git(git_demo, "log", "-1", "--format=%s").strip() == "新增通报文稿 2022年第三季度"
    draft = run("report", "2022Q3", root=git_demo).stdout
    assert draft.count("【待撰写】") == 2 and "<!--" not in draft and "report_notes" not in draft
    path = git_demo / "report_notes/2022Q3.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<!-- 在此撰写本期督办工作取得的主要成效,段落之间空一行;写好后删除这一行 -->",
                                 "三季度全县供热改造全面完工。"), encoding="utf-8")
    r = run("notes", "2022Q3", root=git_demo)
    assert r.stdout.splitlines() == ["已提交 report_notes/2022Q3.md", "report_notes/2022Q3.md 还待撰写:下步工作要求"]
    assert git(git_demo, "status", "--porcelain") == ""
    assert "三季度全县供热改造全面完工。" in run("report", "2022Q3", root=git_demo).stdout
    audit = run("audit", root=git_demo)
    assert audit.exit_code == 0 and "通报文稿" not in audit.stdout  # a yilan command's commit, not a hand edit


def test_every_red_and_yellow_matter_is_listed_with_its_reasons() -> None:
    """XW-002 (黄: a missed milestone only) was in no problem section yet got a 督办通知单 (issue 19): every red and
    yellow matter at the report's date is in 六、存在问题 or 七、未按期报告, and the counts agree."""
    status = json.loads(run("status", "--all", "--format", "json", "--today", "2022-06-30").stdout)
    flagged = {m["id"] for m in status["matters"] if m["light"] in ("red", "yellow")}
    md = run("report", "2022Q2").stdout
    problems = md[md.index("## 六、存在问题"):md.index("## 七、未按期报告")]
    missing = md[md.index("## 七、未按期报告"):md.index("## 八、")]
    listed = {m["id"] for m in status["matters"] if f"| {m['id']} |" in problems or f"{m['id']} " in missing}
    assert flagged <= listed, sorted(flagged - listed)
    assert "| XW-002 | 县城集中供热老旧管网改造 | 县住建局 | 钱某 | 节点“完成招标”逾期未完成 |" in problems
    counts = status["summary"]["lights"]
    assert len(flagged) == counts["red"] + counts["yellow"]


# --------------------------------------------------------------------------- 赛马 explained, leaders (issue 19)
LAGGING_NAMED = "落后于序时进度（黄灯）6人：刘某、孙某、赵某、钱某、郑某、冯某。"
LAGGING_COUNTED = "落后于序时进度（黄灯）6人：郑某、冯某，另有县级领导4人。"


@pytest.mark.parametrize(("rule", "leader", "lagging"), [
    (None, None, LAGGING_COUNTED),  # default (否): a circular sent to every township counts county leaders
    ("否", None, LAGGING_COUNTED),
    ("是", None, LAGGING_NAMED),
    # a 主要领导's own report names them (by 职务 or 姓名); a leader's report adds that person's own figures
    (None, "县长", LAGGING_NAMED + "其中刘某本人调研28次、28天，序时应达29.4天（黄灯）。"),
    (None, "刘某", LAGGING_NAMED + "其中刘某本人调研28次、28天，序时应达29.4天（黄灯）。"),
    (None, "县委书记", LAGGING_NAMED + "其中高某本人调研39次、39天，序时应达29.4天（绿灯）。"),
    (None, "常务副县长", LAGGING_COUNTED + "其中孙某本人调研25次、25天，序时应达29.4天（黄灯）。"),  # not a 主要领导
])
def test_the_research_paragraph_names_county_leaders_only_by_rule(demo_workspace: Path, rule: str | None,
                                                                   leader: str | None, lagging: str) -> None:
    import shutil
    from datetime import date

    from yilan_cli.research import summary
    from yilan_cli.workspace import load

    shutil.copytree(REPO / "research", demo_workspace / "research")
    if rule is not None:
        path = demo_workspace / "schemas" / "rules.yaml"
        text = path.read_text(encoding="utf-8").replace("  通报点名县级领导: 否", f"  通报点名县级领导: {rule}")
        path.write_text(text, encoding="utf-8")
    text = summary(load(demo_workspace), 2022, date(2022, 6, 30), leader)
    assert text.endswith("人均 45.4 天(每周 2 次、全年不少于 90 天)。" + lagging)


def test_a_principal_leader_is_matched_by_title_or_name() -> None:
    from yilan_cli.research import Person, is_principal

    people = [Person("xz", "刘某", "县长", "县级领导", "县政府"), Person("cw", "孙某", "常务副县长", "县级领导", "县政府")]
    assert [is_principal(people, x) for x in ("县长", "刘某", "孙某", "常务副县长", None)] == [True, True, False, False,
                                                                                        False]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_a_leaders_report_ranks_nothing(fmt: str, tmp_path: Path) -> None:
    """A leader's matters are a subset: no ranks, no lists, no 计分办法 — the county circular ranks (issue 19)."""
    from yilan_cli.docx_report import docx_text

    note = "本报告只含常务副县长孙某牵头的事项，不单独排名；赛马排名以全县督查通报为准。"
    out = tmp_path / f"r.{fmt}"
    r = run("report", "2022Q2", "--leader", "孙某", "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.output
    text = docx_text(out.read_bytes()) if fmt == "docx" else out.read_text(encoding="utf-8")
    ranking = text[text.index("五、赛马排名"):text.index("六、存在问题")]
    assert note in ranking
    for word in ("红榜", "黑榜", "名次", "得分", "乡镇", "县直部门"):
        assert word not in ranking, word
    assert "赛马计分办法" not in text
    county = run("report", "2022Q2").stdout
    assert note not in county and "红榜：" in county


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_circular_prints_the_scoring_method_as_its_last_attachment(fmt: str, tmp_path: Path) -> None:
    from yilan_cli.docx_report import docx_text
    from yilan_cli.ranking import method_text
    from yilan_cli.workspace import load

    out = tmp_path / f"r.{fmt}"
    assert run("report", "2022Q2", "--format", fmt, "-o", str(out)).exit_code == 0
    text = docx_text(out.read_bytes()) if fmt == "docx" else out.read_text(encoding="utf-8")
    annex = text[text.rindex("赛马计分办法"):]  # the page's title (the first is the 附件说明 line)
    sentences = method_text(load(REPO).rules, load(REPO).ledgers.values())
    assert len(sentences) == 5 and sentences[2].startswith("三、无可计量的处理。")  # the demo overrides no ledger
    at = [annex.index(s) for s in sentences]
    note = text.index("4.赛马计分办法")  # 附件说明, then the pages 附件1…附件4
    assert at == sorted(at) and note < text.index("附件3", note) < text.index("附件4", note) < text.rindex("赛马计分办法")


@pytest.mark.parametrize(("ties", "red"), [
    ("全部列入", ["依兰镇", "江湾镇", "三道岗镇", "宏克力镇", "团山子乡"]),  # five 并列第1 with a quota of 3: all in
    ("全部不列入", []),  # … or all out (they occupy places 1–5)
])
def test_the_worked_example_of_ties_in_the_docs(demo_workspace: Path, ties: str, red: list[str]) -> None:
    path = demo_workspace / "schemas" / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  名额并列: 全部列入", f"  名额并列: {ties}"), encoding="utf-8")
    doc = json.loads(run("rank", "2022Q2", "--format", "json", root=demo_workspace).stdout)
    towns = next(g for g in doc["groups"] if g["group"] == "乡镇")
    assert (towns["red_list"], towns["black_list"]) == (red, ["达连河镇"])
    ranks = {u["unit"]: (u["rank"], u["score"]) for g in doc["groups"] for u in g["units"]}
    assert ranks["县自然资源局"] == ranks["县商务局"] == (13, 50.0) and ranks["县水务局"] == (15, 47.0)
    assert ranks["县卫健局"] == (None, None)


def test_an_issued_circular_is_made_from_the_files_not_the_cache(git_demo: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The git-ignored record cache is trusted for looking (report without --issue), never for issuing: a cache
    entry altered by hand does not reach a numbered circular."""
    from yilan_cli import store
    from yilan_cli.workspace import read_cache_file, write_cache_file

    monkeypatch.setattr(store, "RACY_NS", 0)
    written_notes(git_demo, "2022Q2")
    run("status", "--today", "2022-06-30", root=git_demo)  # fills the cache
    cache = git_demo / store.CACHE_FILE
    key, entries = read_cache_file(cache)
    rel = "ledgers/zhuanban/ZB-001.yaml"
    sig, values = entries[rel]
    title = values[3]
    entries[rel] = (sig, (*values[:3], "伪造的事项名称", *values[4:]))
    write_cache_file(cache, (key, entries))
    r = run("report", "2022Q2", "--issue", "--date", "2022-07-15", "-o", str(tmp_path / "q2.md"), root=git_demo)
    assert r.exit_code == 0, r.output
    issued = (tmp_path / "q2.md").read_text(encoding="utf-8")
    assert "伪造的事项名称" not in issued and title in issued

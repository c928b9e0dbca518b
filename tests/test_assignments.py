"""市级交办事项 files (yilan_cli.assignments): the canonical text, its round trip, and every off-shape file refused
with its A-code naming the file and the field (the city repository is untrusted input)."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.assignments import (
    ASSIGNMENT_PREFIX,
    ASSIGNMENTS_DIR,
    Assignment,
    assignment_text,
    check_assignment,
    parse_assignment,
)
from yilan_cli.cli import app
from yilan_cli.errors import UsageError

from .conftest import git

SJ1 = Assignment("SJ-001", "推进县域重点产业项目落地", date(2026, 11, 30), date(2027, 3, 31), ("依兰县", "通河县"),
                 target="年底前完成……", source="市委常委会2026年第20次会议")
REL = "assignments/SJ-001.yaml"


def test_the_canonical_text_is_the_contract() -> None:
    assert (ASSIGNMENTS_DIR, ASSIGNMENT_PREFIX) == ("assignments", "SJ")
    assert assignment_text(SJ1) == (
        "编号: SJ-001\n"
        "事项: 推进县域重点产业项目落地\n"
        "任务来源: 市委常委会2026年第20次会议\n"
        "目标要求: 年底前完成……\n"
        "交办日期: 2026-11-30\n"
        "完成时限: 2027-03-31\n"
        "交办对象: [依兰县, 通河县]\n"
    )
    assert parse_assignment(assignment_text(SJ1), REL) == SJ1
    standing = Assignment("SJ-7", "长期任务", date(2026, 1, 5), "长期", ("通河县",))
    assert assignment_text(standing) == "编号: SJ-7\n事项: 长期任务\n交办日期: 2026-01-05\n完成时限: 长期\n交办对象: [通河县]\n"
    several = Assignment("SJ-002", "x", date(2026, 1, 5), "长期", ("依兰县",), target="第一条\n第二条: 含冒号")
    assert "目标要求: |-\n  第一条\n  第二条: 含冒号\n" in assignment_text(several)
    assert parse_assignment(assignment_text(several), "assignments/SJ-002.yaml") == several


def test_a_hand_written_file_reads_with_its_ends_trimmed() -> None:
    text = ("编号: SJ-003\n事项: ' 标题 '\n目标要求: |\n  两行\n  目标\n交办日期: 2026-01-05\n完成时限: 长期\n"
            "交办对象:\n  - 依兰县\n")
    a = parse_assignment(text, "assignments/SJ-003.yaml")
    assert (a.title, a.target, a.to, a.source) == ("标题", "两行\n目标", ("依兰县",), None)
    assert parse_assignment("\ufeff" + text.replace("\n", "\r\n"), "assignments/SJ-003.yaml") == a


_line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff\u061c"
                              "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x85"),
                min_size=1, max_size=40).map(str.strip).filter(bool)
_lines = st.lists(_line, min_size=1, max_size=4).map("\n".join)
_days = st.dates(date(1900, 1, 1), date(2100, 12, 31))


@st.composite
def assignments(draw: st.DrawFn) -> Assignment:
    assigned = draw(_days)
    deadline = draw(st.one_of(st.just("长期"), st.dates(assigned, date(2100, 12, 31))))
    return Assignment(
        id=f"SJ-{draw(st.integers(0, 999_999)):0{draw(st.integers(1, 6))}d}"[:9],
        title=draw(_line), assigned=assigned, deadline=deadline,
        to=tuple(draw(st.lists(_line, min_size=1, max_size=5, unique=True))),
        target=draw(st.one_of(st.none(), _line, _lines)), source=draw(st.one_of(st.none(), _line)))


@settings(max_examples=int(os.environ.get("YILAN_HOSTILE_EXAMPLES", "300")), deadline=None)
@given(assignments())
def test_every_valid_assignment_reads_back_as_written(a: Assignment) -> None:
    assert parse_assignment(assignment_text(a), f"assignments/{a.id}.yaml") == a


GOOD = "编号: SJ-001\n事项: 标题\n交办日期: 2026-11-30\n完成时限: 2027-03-31\n交办对象: [依兰县]\n"


@pytest.mark.parametrize(("text", "code", "words"), [
    ("x" * (2 << 20), "A001", "大于 1 MiB"),
    (GOOD + "备注: \"\0\"\n", "A002", "NUL"),
    ("编号: [SJ-001\n", "A003", "不是有效的 YAML"),
    ("- 编号: SJ-001\n", "A003", "应为字段"),
    ("编号: SJ-001\n编号: SJ-001\n", "A003", "不是有效的 YAML"),
    ("&a [*a, *a]", "A003", ""),
    (GOOD + "!!python/object:os.system x: 1\n", "A003", ""),
    (GOOD + "牵头单位: 县委办\n", "A004", "“牵头单位”不是交办文件的字段"),
    (GOOD.replace("事项: 标题\n", ""), "A004", "“事项”缺少内容"),
    (GOOD.replace("SJ-001", "SJ-002"), "A005", "“编号”为 SJ-002，与文件名 SJ-001 不一致"),
    (GOOD.replace("事项: 标题", '事项: "标题\\e[2J\\e[H伪造"'), "A006", "“事项”含有控制字符 \\x1b"),
    (GOOD.replace("事项: 标题", '事项: "标题\\u202e"'), "A006", "“事项”含有控制字符 \\u202e"),
    (GOOD.replace("事项: 标题", '事项: "两行\\n标题"'), "A006", "“事项”应为一行文字"),
    (GOOD.replace("事项: 标题", "事项: [标题]"), "A006", "“事项”应为文本"),
    (GOOD.replace("事项: 标题", "事项: ' '"), "A006", "“事项”不能为空"),
    (GOOD.replace("事项: 标题", "事项: " + "长" * 501), "A006", "超过 500 个字符"),
    (GOOD.replace("2026-11-30", "2026-02-30"), "A007", "“交办日期”不是有效的日期"),
    (GOOD.replace("2026-11-30", "2226-11-30").replace("2027-03-31", "2227-03-31"), "A007", "年份 2226 不在 1900–2100"),
    (GOOD.replace("2027-03-31", "明年"), "A007", "“完成时限”应为YYYY-MM-DD 日期或 长期"),
    (GOOD.replace("2027-03-31", "2026-11-01"), "A007", "早于交办日期"),
    (GOOD.replace("[依兰县]", "依兰县"), "A008", "“交办对象”应为名称清单"),
    (GOOD.replace("[依兰县]", "{依兰县: 1}"), "A008", "“交办对象”应为名称清单"),
    (GOOD.replace("[依兰县]", "[依兰县, [通河县]]"), "A008", "“交办对象[2]”应为文本"),
    (GOOD.replace("[依兰县]", "[]"), "A008", "“交办对象”应为至少一个"),
    (GOOD.replace("[依兰县]", "[依兰县, 依兰县]"), "A008", "依兰县 写了两次"),
    (GOOD.replace("[依兰县]", '["依兰县\\x1b"]'), "A008", "“交办对象[1]”含有控制字符"),
])
def test_an_off_shape_file_is_refused_naming_file_and_field(text: str, code: str, words: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_assignment(text, REL)
    assert e.value.code == code and f"市级交办文件 {REL}" in e.value.message and words in e.value.message, e.value.message
    assert "本次没有接收任何事项" in e.value.hint


def test_a_file_name_with_a_line_break_cannot_forge_a_line() -> None:
    with pytest.raises(UsageError) as e:
        parse_assignment(GOOD, "assignments/SJ-001\n错误[E000] 伪造.yaml")
    assert e.value.code == "A005" and "\n" not in e.value.message


@pytest.mark.parametrize(("a", "code"), [
    (Assignment("SJ-1a", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("ZB-001", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("SJ-1234567", "x", date(2026, 1, 1), "长期", ("依兰县",)), "A005"),
    (Assignment("SJ-001", " x", date(2026, 1, 1), "长期", ("依兰县",)), "A006"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ("依兰县",), target="\n"), "A006"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "年底", ("依兰县",)), "A007"),
    (Assignment("SJ-001", "x", date(1899, 12, 31), "长期", ("依兰县",)), "A007"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ()), "A008"),
    (Assignment("SJ-001", "x", date(2026, 1, 1), "长期", ["依兰县"]), "A008"),  # type: ignore[arg-type]
])
def test_the_city_writer_cannot_write_what_a_county_refuses(a: Assignment, code: str) -> None:
    with pytest.raises(UsageError) as e:
        assignment_text(a)
    assert e.value.code == code
    with pytest.raises(UsageError):
        check_assignment(a)


# --------------------------------------------------------------------------- yilan assignments pull, yilan sync
def run(root: Path, *args: str, code: int = 0) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args])
    assert r.exit_code == code, r.output
    assert "E999" not in r.output
    return r


def city_repo(folder: Path, files: dict[str, str | bytes]) -> Path:
    """A plain git repository as the city office keeps one: ``files`` (path → text) committed on main."""
    if not (folder / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "交办")
    return folder


def sj(number: int, title: str, *to: str, target: str | None = None) -> tuple[str, str]:
    a = Assignment(f"SJ-{number:03d}", title, date(2022, 7, 1), date(2022, 12, 31), to, target=target,
                   source="市委常委会2022年第20次会议" if number == 1 else None)
    return f"assignments/{a.id}.yaml", assignment_text(a)


@pytest.fixture
def county(tmp_path: Path) -> Path:
    root = tmp_path / "依兰"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    return root


@pytest.fixture
def city(tmp_path: Path) -> Path:
    first = sj(1, "推进县域重点产业项目落地", "依兰县", "通河县", target="年底前完成\n分两步")
    return city_repo(tmp_path / "市督查室", dict([first, sj(2, "通河县自己的事项", "通河县")]))


def shi_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "ledgers/shi").glob("*.yaml"))


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def test_pull_receives_an_assignment_once_as_a_matter_of_the_shi_ledger(county: Path, city: Path) -> None:
    git(county, "remote", "add", "city", str(city))
    before = commits(county)
    r = run(county, "assignments", "pull", "--today", "2022-07-05")
    assert "SHW-001 ← SJ-001 推进县域重点产业项目落地" in r.stdout
    assert "牵头单位暂定为 县委办" in r.stdout and "yilan edit SHW-001 --lead-unit" in r.stdout
    assert shi_files(county) == ["SHW-001.yaml"]  # SJ-002 is 通河县's
    assert (county / "ledgers/shi/SHW-001.yaml").read_text(encoding="utf-8") == (
        "编号: SHW-001\n事项: 推进县域重点产业项目落地\n任务来源: 市委常委会2022年第20次会议\n上级编号: SJ-001\n"
        '目标要求: "年底前完成\\n分两步"\n牵头单位: 县委办\n交办日期: 2022-07-01\n完成时限: 2022-12-31\n状态: 未启动\n')
    assert (county / "ledgers/shi/.last-id").read_text(encoding="utf-8") == "1\n"
    assert commits(county) == before + 1
    message = git(county, "log", "-1", "--format=%B")
    assert message.startswith("接收市级交办 SJ-001\n\n") and "Yilan-Action: assignments-pull\n" in message
    assert "Yilan-Matter: SHW-001\n" in message and "Yilan-City-Commit: " in message
    assert git(county, "status", "--porcelain") == ""
    assert git(county, "rev-parse", "refs/yilan/city") == git(city, "rev-parse", "HEAD")
    shown = run(county, "show", "SHW-001", "--today", "2022-07-05").stdout
    assert "上级编号: SJ-001" in shown
    assert run(county, "audit").stdout.strip().endswith("审计未发现问题")
    assert run(county, "check", "--today", "2022-07-05").exit_code == 0

    again = run(county, "assignments", "pull", "--today", "2022-07-05")
    assert again.stdout.startswith("没有新的市级交办事项") and "交办本县的 1 件均已接收" in again.stdout
    assert commits(county) == before + 1 and shi_files(county) == ["SHW-001.yaml"]


def test_an_edited_or_withdrawn_matter_is_not_received_again(county: Path, city: Path) -> None:
    git(county, "remote", "add", "city", str(city))
    run(county, "assignments", "pull", "--today", "2022-07-05")
    run(county, "edit", "SHW-001", "--lead-unit", "县发改局", "--title", "推进重点产业项目", "--reason", "按市级要求")
    run(county, "withdraw", "SHW-001", "--reason", "并入县级事项", "--approved-by", "常务副县长", "--date", "2022-07-20")
    city_repo(city, dict([sj(3, "第三件", "依兰县")]))
    r = run(county, "assignments", "pull", "--today", "2022-07-25")
    assert "SHW-002 ← SJ-003 第三件" in r.stdout and "SJ-001" not in r.stdout
    assert shi_files(county) == ["SHW-001.yaml", "SHW-002.yaml"]
    assert "上级编号: SJ-001" in (county / "ledgers/shi/SHW-001.yaml").read_text(encoding="utf-8")
    assert run(county, "assignments", "pull", "--today", "2022-07-25").stdout.startswith("没有新的市级交办事项")


def test_a_matter_added_by_hand_takes_the_next_id_and_a_hand_made_parent_counts(county: Path, city: Path) -> None:
    run(county, "add", "shi", "--title", "县里先登记的", "--lead-unit", "县委办", "--deadline", "2022-12-31",
        "--assigned", "2022-07-01")
    (county / "ledgers/shi/SHW-001.yaml").write_text(
        (county / "ledgers/shi/SHW-001.yaml").read_text(encoding="utf-8").replace("事项: 县里先登记的\n",
                                                                                "事项: 县里先登记的\n上级编号: SJ-001\n"),
        encoding="utf-8")
    git(county, "commit", "-qam", "手工标上级编号")
    city_repo(city, dict([sj(4, "第四件", "依兰县")]))
    r = run(county, "assignments", "pull", "--from", str(city), "--today", "2022-07-05")
    assert "SHW-002 ← SJ-004 第四件" in r.stdout and "SJ-001" not in r.stdout


def test_as_overrides_the_units_yaml_name(county: Path, city: Path) -> None:
    r = run(county, "assignments", "pull", "--from", str(city), "--as", "通河县", "--today", "2022-07-05")
    assert "SHW-001 ← SJ-001" in r.stdout and "SHW-002 ← SJ-002 通河县自己的事项" in r.stdout
    assert git(county, "log", "-1", "--format=%s").strip() == "接收市级交办 SJ-001、SJ-002"


def test_an_assignment_for_other_counties_only_creates_nothing(county: Path, tmp_path: Path) -> None:
    other = city_repo(tmp_path / "other", dict([sj(2, "通河县自己的事项", "通河县")]))
    before = commits(county)
    r = run(county, "assignments", "pull", "--from", str(other), "--today", "2022-07-05")
    assert r.stdout.startswith("没有新的市级交办事项") and "没有交办本县的事项" in r.stdout
    assert commits(county) == before and shi_files(county) == []


def test_without_a_name_or_a_source_the_way_is_said(county: Path, city: Path) -> None:
    r = run(county, "assignments", "pull", "--today", "2022-07-05", code=2)
    assert "错误[A010]" in r.stderr and "git remote add city" in r.stderr
    units = county / "schemas/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("本级: 依兰县\n", ""), encoding="utf-8")
    r = run(county, "assignments", "pull", "--from", str(city), code=2)
    assert "错误[A013]" in r.stderr and "本级" in r.stderr and "--as" in r.stderr
    units.write_text(units.read_text(encoding="utf-8") + "本级: [依兰县, 通河县]\n", encoding="utf-8")
    r = run(county, "assignments", "pull", "--from", str(city), code=2)
    assert "错误[E400]" in r.stderr and "本级 应为文本" in r.stderr


def test_without_a_shi_ledger_nothing_is_received(county: Path, city: Path) -> None:
    (county / "schemas/ledgers/shi.yaml").unlink()
    r = run(county, "assignments", "pull", "--from", str(city), code=2)
    assert "错误[A014]" in r.stderr and "shi" in r.stderr


def test_a_url_that_git_would_read_as_an_option_is_refused_before_git_runs(county: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from yilan_cli import pull

    def never(*args: Any) -> str:
        raise AssertionError("git fetch ran")

    monkeypatch.setattr(pull, "fetch", never)
    for url in ("--upload-pack=touch /tmp/x", "-oProxyCommand=x", "仓库\n错误[E000]"):
        r = run(county, "assignments", "pull", "--from", url, code=2)
        assert "错误[A011]" in r.stderr
    assert git(county, "for-each-ref", "refs/yilan/") == ""


def test_an_unreachable_city_exits_non_zero_in_chinese(county: Path, tmp_path: Path) -> None:
    git(county, "remote", "add", "city", str(tmp_path / "没有这个仓库"))
    r = run(county, "assignments", "pull", code=2)
    assert "错误[A012] 未能从市级台账仓库 city 获取交办事项" in r.stderr and "git 的原话" in r.stderr
    r = run(county, "assignments", "pull", "--from", "ext::sh -c touch% pwned", code=2)
    assert "错误[A012]" in r.stderr and not (county / "pwned").exists()
    # the same transports as the city's fetch of its members (history.untrusted_fetch): ftp is not one of them
    r = run(county, "assignments", "pull", "--from", "ftp://127.0.0.1:9/city.git", code=2)
    assert "错误[A012]" in r.stderr and "transport 'ftp' not allowed" in r.stderr


HOSTILE = [
    ("assignments/SJ-001.yaml", "编号: SJ-001\n事项: \"标题\\e]0;伪造\\a\"\n交办日期: 2022-07-01\n完成时限: 长期\n"
     "交办对象: [依兰县]\n",
     "A006", "assignments/SJ-001.yaml 的“事项”含有控制字符"),
    ("assignments/SJ-001.yaml", "编号: SJ-001\n事项: 标题\n交办日期: 2022-07-01\n完成时限: 长期\n交办对象: 依兰县\n",
     "A008", "assignments/SJ-001.yaml 的“交办对象”应为名称清单"),
    ("assignments/SJ-005.yaml", "编号: SJ-001\n事项: 标题\n交办日期: 2022-07-01\n完成时限: 长期\n交办对象: [依兰县]\n",
     "A005", "assignments/SJ-005.yaml 的“编号”为 SJ-001，与文件名 SJ-005 不一致"),
    ("assignments/SJ-009.yaml", "编号: SJ-009\n事项: [未闭合\n", "A003", "assignments/SJ-009.yaml 不是有效的 YAML"),
    ("assignments/SJ-009.yaml", b"\xff\xfe\x00x", "A002", "assignments/SJ-009.yaml 不是 UTF-8 文本"),
    ("assignments/SJ-009.yaml", "#" * (2 << 20), "A001", "assignments/SJ-009.yaml 大于 1 MiB"),
]


@pytest.mark.parametrize(("rel", "content", "code", "words"), HOSTILE, ids=[h[2] for h in HOSTILE])
def test_a_hostile_assignment_file_is_refused_and_nothing_is_received(county: Path, tmp_path: Path, rel: str,
                                                                      content: str | bytes, code: str, words: str) -> None:
    hostile = city_repo(tmp_path / "hostile", dict([sj(2, "合法的事项", "依兰县"), (rel, content)]))
    before = commits(county)
    r = run(county, "assignments", "pull", "--from", str(hostile), "--today", "2022-07-05", code=2)
    assert f"错误[{code}] 市级交办文件 {words}" in r.stderr, r.stderr
    assert "本次没有接收任何事项" in r.stderr and "\x1b" not in r.output
    assert commits(county) == before and shi_files(county) == []


def test_a_link_in_the_city_assignments_is_refused(county: Path, tmp_path: Path) -> None:
    folder = tmp_path / "linked"
    city_repo(folder, dict([sj(2, "合法的事项", "依兰县")]))
    (folder / "assignments/SJ-003.yaml").symlink_to("/etc/passwd")
    city_repo(folder, {})
    r = run(county, "assignments", "pull", "--from", str(folder), code=2)
    assert "错误[A002] 市级交办文件 assignments/SJ-003.yaml 不是普通文件" in r.stderr
    assert shi_files(county) == []


@pytest.mark.slow
def test_sync_with_a_city_remote_receives_and_pushes(county: Path, city: Path, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    git(county, "remote", "add", "origin", str(origin))
    git(county, "push", "-q", "-u", "origin", "main")
    plain = run(county, "sync").stdout  # no city remote: a plain sync
    assert "市级交办" not in plain
    git(county, "remote", "add", "city", str(city))
    r = run(county, "sync")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("已与 origin/main 同步") and "SHW-001 ← SJ-001 推进县域重点产业项目落地" in r.stdout
    assert lines[-1] == "已与 origin/main 同步:拉取 0 个提交,推送 1 个提交"
    assert git(origin, "log", "-1", "--format=%s", "main").strip() == "接收市级交办 SJ-001"
    again = run(county, "sync").stdout
    assert "没有新的市级交办事项" in again
    git(county, "remote", "set-url", "city", str(tmp_path / "不存在"))
    r = run(county, "sync", code=2)
    assert r.stdout.startswith("已与 origin/main 同步")  # the sync's own work stays and is said
    assert "错误[A012] 同步已完成，但未能接收市级交办事项" in r.stderr


def test_sync_without_an_upstream_but_with_a_city_remote_receives(county: Path, city: Path) -> None:
    git(county, "remote", "add", "city", str(city))
    r = run(county, "sync")
    assert r.stdout.startswith("没有设置台账服务器（上游分支），只接收市级交办事项")
    assert "SHW-001 ← SJ-001" in r.stdout and shi_files(county) == ["SHW-001.yaml"]

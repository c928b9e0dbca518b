"""The city level (issue 23): member county repositories as local bare repositories (file:// URLs), fetched,
read from git objects, ranked (tests/expected/city_rank_2026Q3.yaml, worked by hand) and reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from yilan_cli.cli import app

from .conftest import git, written_notes

EXPECTED = Path(__file__).resolve().parent / "expected" / "city_rank_2026Q3.yaml"

# the members' matters (ledger xian, prefix XW), worked by hand in tests/expected/city_rank_2026Q3.yaml
MEMBERS: dict[str, tuple[str, dict[str, str]]] = {
    "甲县": ("县", {
        "XW-001": """编号: XW-001\n事项: 甲一\n牵头单位: 县发改局\n交办日期: 2026-03-01\n完成时限: 2026-08-31\n状态: 已办结
办结日期: 2026-08-20\n进展:\n  - {日期: 2026-05-15, 进度: 50, 情况: 推进}
  - {日期: 2026-08-20, 进度: 100, 状态: 已办结, 情况: 完成}\n""",
        "XW-002": """编号: XW-002\n事项: 甲二\n牵头单位: 县发改局\n交办日期: 2026-01-01\n完成时限: 2026-12-31\n状态: 推进中
进展:\n  - {日期: 2026-06-10, 进度: 40, 情况: 推进}\n""",
    }),
    "乙县": ("县", {
        "XW-001": """编号: XW-001\n事项: 乙一\n牵头单位: 县发改局\n交办日期: 2026-02-01\n完成时限: 2026-07-31\n状态: 推进中
进展:\n  - {日期: 2026-04-20, 进度: 60, 情况: 推进}\n""",
        "XW-002": """编号: XW-002\n事项: 乙二\n牵头单位: 不存在局\n交办日期: 2026-02-01\n完成时限: 2026-07-31\n状态: 未启动\n""",
    }),
    "丙市": ("县级市", {
        "XW-001": """编号: XW-001\n事项: 丙一\n牵头单位: 县发改局\n交办日期: 2026-07-01\n完成时限: 2026-12-31\n状态: 推进中
进展:\n  - {日期: 2026-09-15, 进度: 60, 情况: 推进}\n""",
    }),
}


def run(root: Path, *args: str, code: int | None = 0) -> Any:
    r = CliRunner().invoke(app, ["--root", str(root), *args], catch_exceptions=False)
    if code is not None:
        assert r.exit_code == code, r.output
    return r


def member_repo(base: Path, name: str, matters: dict[str, str]) -> tuple[Path, Path]:
    """A county workspace (yilan init) with ``matters`` committed, and its bare clone (the forge's copy)."""
    work = base / "counties" / name
    r = CliRunner().invoke(app, ["init", str(work)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for mid, text in matters.items():
        (work / "ledgers" / "xian" / f"{mid}.yaml").write_text(text, encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-qm", f"{name}台账")
    bare = base / "forge" / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(base, "clone", "-q", "--bare", str(work), str(bare))
    git(work, "remote", "add", "origin", str(bare))
    return work, bare


def city_with(base: Path, members: dict[str, tuple[str, Path]]) -> Path:
    """A city workspace (yilan city init) whose members.yaml lists ``members`` (name → (group, bare repo))."""
    root = base / "city"
    r = CliRunner().invoke(app, ["city", "init", str(root), "--name", "哈尔滨市"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    lines = [f"- {{名称: {n}, 分组: {g}, 地址: {p.as_uri()}}}" for n, (g, p) in members.items()]
    (root / "schemas" / "members.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "成员名单")
    return root


@pytest.fixture
def city(tmp_path: Path) -> dict[str, Any]:
    """Three members fetched on 2026-09-30; then 丙市's forge goes away and the fetch of 10-05 fails for it."""
    repos = {n: member_repo(tmp_path, n, files) for n, (_, files) in MEMBERS.items()}
    root = city_with(tmp_path, {n: (g, repos[n][1]) for n, (g, _) in MEMBERS.items()})
    r = run(root, "city", "fetch", "--today", "2026-09-30")
    assert "共 3 个成员,获取成功 3 个" in r.output
    shutil.move(repos["丙市"][1], tmp_path / "丙市-gone.git")
    r = run(root, "city", "fetch", "--today", "2026-10-05", code=1)
    assert "✗ 丙市:无法获取 —— 仓库不存在" in r.output and "保留上次获取的数据" in r.output
    return {"root": root, "repos": repos, "base": tmp_path}


def test_status_lists_every_member_with_its_findings_and_staleness(city: dict[str, Any]) -> None:
    r = run(city["root"], "city", "status", "--all", "--today", "2026-09-30", "--format", "json")
    doc = json.loads(r.stdout)
    assert sorted(m["id"] for m in doc["matters"]) == ["丙市/XW-001", "乙县/XW-001", "甲县/XW-001", "甲县/XW-002"]
    assert {m["id"]: m["member"] for m in doc["matters"]}["乙县/XW-001"] == "乙县"
    members = {m["name"]: m for m in doc["members"]}
    assert [m["name"] for m in doc["members"]] == ["甲县", "乙县", "丙市"]  # members.yaml order
    assert members["丙市"]["stale"] is True and members["丙市"]["fetched"] == "2026-09-30"
    assert members["甲县"]["stale"] is False and members["甲县"]["fetched"] == "2026-10-05"
    assert members["乙县"]["invalid_files"] == ["乙县/ledgers/xian/XW-002.yaml"]  # its valid matter still counts
    assert members["乙县"]["summary"]["total"] == 1 and doc["summary"]["total"] == 4
    assert "乙县/ledgers/xian/XW-002.yaml" in r.stderr and "E305" in r.stderr
    table = run(city["root"], "city", "status", "--today", "2026-09-30").stdout
    assert "数据未更新（最后获取 2026-09-30）" in table and "分县（市、区）汇总" in table
    one = json.loads(run(city["root"], "city", "status", "--member", "乙县", "--today", "2026-09-30",
                         "--format", "json").stdout)
    assert [m["id"] for m in one["matters"]] == ["乙县/XW-001"]
    csv_lines = run(city["root"], "city", "status", "--today", "2026-09-30", "--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("县（市、区）,编号,") and csv_lines[1].startswith("乙县,乙县/XW-001,xian,乙一,")


def test_county_ranking_matches_the_hand_worked_one(city: dict[str, Any]) -> None:
    doc = json.loads(run(city["root"], "city", "rank", "2026Q3", "--format", "json").stdout)
    keys = ("rank", "unit", "score", "matters", "on_time", "schedule", "report", "overdue", "red")
    got = [{"group": g["group"], "red_list": g["red_list"], "black_list": g["black_list"],
            "units": [{k: u[k] for k in keys} for u in g["units"]]} for g in doc["groups"]]
    assert got == yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    breakdown = {u["unit"]: u["breakdown"] for g in doc["groups"] for u in g["units"]}
    assert breakdown["丙市"] == ("按期办结 —（无可计量，权重分摊） · 序时达标 1/1 得100.0 · "
                               "按期报告 —（无可计量，权重分摊）")


def test_a_refetch_reads_only_the_changed_files(city: dict[str, Any]) -> None:
    from yilan_cli.federation import load_members, read_members

    root = city["root"]
    members = load_members(root)
    read_members(root, members)  # fills the cache
    again = read_members(root, members)
    assert [v.read for v in again] == [0, 0, 0]  # nothing moved: every member from the cache by its commit
    work, _ = city["repos"]["甲县"]
    path = work / "ledgers" / "xian" / "XW-002.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - {日期: 2026-09-20, 进度: 80, 情况: 加快}\n", encoding="utf-8")
    (work / "ledgers" / "xian" / "XW-003.yaml").write_text(MEMBERS["甲县"][1]["XW-002"].replace("XW-002", "XW-003"),
                                                           encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "更新")
    git(work, "push", "-q", "origin", "main")
    run(root, "city", "fetch", "--member", "甲县", "--today", "2026-10-06")
    views = {v.member.name: v for v in read_members(root, members)}
    assert (views["甲县"].read, views["乙县"].read, views["丙市"].read) == (2, 0, 0)  # the changed and the new file
    assert {r.id: r.updates[-1][1] for r in views["甲县"].records}["甲县/XW-002"] == 80
    assert len(views["甲县"].records) == 3


def test_a_circular_reissued_after_members_changed_is_the_same(city: dict[str, Any]) -> None:
    root = city["root"]
    written_notes(root, "2026Q3")
    issued = run(root, "city", "report", "2026Q3", "--issue", "--date", "2026-10-10")
    register = yaml.safe_load((root / "reports" / "issued.yaml").read_text(encoding="utf-8"))
    entry = register[-1]
    assert entry["编号"] == "市督通〔2026〕1号"
    commits = dict(x.split(":", 1) for x in entry["成员提交"])
    assert set(commits) == {"甲县", "乙县", "丙市"}
    assert "丙市数据未更新" in entry["数据说明"]
    first = issued.stdout
    assert "市督通〔2026〕1号" in first and "为推动市委、市政府决策部署落地见效" in first
    assert "| 县（市、区） | 事项数 |" in first and "| 甲县 | 2 |" in first
    # the matters of a city circular are led, for the city, by their county: the columns say so
    assert "| 名次 | 县（市、区） | 得分 |" in first and "| 编号 | 事项 | 牵头单位 |" not in first
    # 甲县 reports progress and adds a matter; the city fetches it
    work, _ = city["repos"]["甲县"]
    path = work / "ledgers" / "xian" / "XW-002.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - {日期: 2026-09-25, 进度: 90, 情况: 加快}\n", encoding="utf-8")
    git(work, "commit", "-qam", "补报")
    git(work, "push", "-q", "origin", "main")
    run(root, "city", "fetch", "--today", "2026-10-12", code=1)
    now = run(root, "city", "report", "2026Q3").stdout
    assert now != first.replace("市督通〔2026〕1号", "")  # the data did change
    again = run(root, "city", "report", "2026Q3", "--as-issued").stdout
    assert again == first
    # the member commits stay in the city repository whatever git gc does
    kept = git(root, "for-each-ref", "--format=%(refname)", "refs/yilan/kept/")
    assert f"refs/yilan/kept/甲县/{commits['甲县']}" in kept


@pytest.mark.parametrize(("entry", "field"), [
    ("{名称: ../x, 分组: 县, 地址: file:///tmp/x.git}", "名称"),
    ("{名称: 甲县, 分组: 乡, 地址: file:///tmp/x.git}", "分组"),
    ("{名称: 甲县, 分组: 县, 地址: 'ext::sh -c touch% /tmp/pwned'}", "地址"),
    ("{名称: 甲县, 分组: 县, 地址: --upload-pack=touch /tmp/pwned}", "地址"),
    ("{名称: 甲县, 分组: 县, 地址: file:///tmp/x.git, 分支: --orphan}", "分支"),
    ("{名称: 甲县., 分组: 县, 地址: file:///tmp/x.git}", "名称"),  # no git ref ends with a dot
    ('{名称: "甲\\u200b县", 分组: 县, 地址: file:///tmp/x.git}', "名称"),  # invisible: not 甲县
    ('{名称: "甲\\u202e县", 分组: 县, 地址: file:///tmp/x.git}', "名称"),  # bidi override
    ('{名称: "甲\\u3000县", 分组: 县, 地址: file:///tmp/x.git}', "名称"),  # ideographic space
    ('{名称: "甲\\u2028县", 分组: 县, 地址: file:///tmp/x.git}', "名称"),  # line separator
])
def test_hostile_members_are_refused_before_git_runs(tmp_path: Path, entry: str, field: str) -> None:
    root = city_with(tmp_path, {})
    (root / "schemas" / "members.yaml").write_text(f"- {entry}\n", encoding="utf-8")
    r = run(root, "city", "fetch", "--today", "2026-09-30", code=2)
    assert "E400" in r.output and f"第1个成员.{field}" in r.output
    assert not Path("/tmp/pwned").exists()
    assert git(root, "for-each-ref", "refs/yilan/") == ""


def test_hostile_member_files_are_findings_not_errors(tmp_path: Path) -> None:
    """A member's committed link, oversized blob and binary file are findings of that member; the rest counts."""
    work, bare = member_repo(tmp_path, "丁县", {"XW-001": MEMBERS["甲县"][1]["XW-002"].replace("XW-002", "XW-001")})
    (work / "ledgers" / "xian" / "XW-002.yaml").symlink_to("/etc/passwd")
    (work / "ledgers" / "xian" / "XW-003.yaml").write_bytes(b"x" * (2 << 20))
    (work / "ledgers" / "xian" / "XW-004.yaml").write_bytes(b"\x00\x01binary")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "hostile")
    git(work, "push", "-q", "origin", "main")
    root = city_with(tmp_path, {"丁县": ("县", bare)})
    run(root, "city", "fetch", "--today", "2026-09-30")
    doc = json.loads(run(root, "city", "status", "--all", "--today", "2026-09-30", "--format", "json").stdout)
    assert [m["id"] for m in doc["matters"]] == ["丁县/XW-001"]
    assert doc["members"][0]["invalid_files"] == [f"丁县/ledgers/xian/XW-00{i}.yaml" for i in (2, 3, 4)]


def test_not_a_city_workspace_is_a_sentence(tmp_path: Path) -> None:
    CliRunner().invoke(app, ["init", str(tmp_path / "county")], catch_exceptions=False)
    r = run(tmp_path / "county", "city", "status", code=2)
    assert "F001" in r.output and "yilan city init" in r.output


def test_an_assignment_goes_down_and_its_progress_comes_back(city: dict[str, Any]) -> None:
    """assign → the county pulls → the county updates → the city fetches → city status --assignment."""
    root = city["root"]
    r = run(root, "city", "assign", "--title", "推进县域重点产业项目落地", "--deadline", "2027-03-31",
            "--to", "甲县", "--to", "乙县", "--source", "市委常委会2026年第20次会议", "--date", "2026-10-08")
    assert r.stdout.strip().splitlines()[-1] == "SJ-001"
    assert "没有上游仓库" in r.stdout and "git push -u origin main" in r.stdout  # the counties read the forge's copy
    assert "SJ-001" in git(root, "log", "-1", "--format=%s") and "Yilan-Action: city-assign" in git(
        root, "log", "-1", "--format=%B")
    work, _ = city["repos"]["甲县"]
    pulled = run(work, "assignments", "pull", "--from", str(root), "--as", "甲县")
    assert "SJ-001" in pulled.stdout
    run(work, "assignments", "pull", "--from", str(root), "--as", "甲县")  # once: nothing new the second time
    shi = sorted((work / "ledgers" / "shi").glob("SHW-*.yaml"))
    assert [p.stem for p in shi] == ["SHW-001"]
    assert "上级编号: SJ-001" in shi[0].read_text(encoding="utf-8")
    run(work, "update", "SHW-001", "--progress", "30", "--note", "完成项目选址", "--date", "2026-10-20")
    git(work, "push", "-q", "origin", "main")
    run(root, "city", "fetch", "--today", "2026-10-21", code=1)  # 丙市 is still unreachable
    doc = json.loads(run(root, "city", "status", "--assignment", "sj-001", "--today", "2026-10-31",
                         "--format", "json").stdout)
    assert doc["assignment"]["to"] == ["甲县", "乙县"]
    answers = {a["member"]: a for a in doc["answers"]}
    assert answers["甲县"]["taken_up"] is True
    assert (answers["甲县"]["matter"]["id"], answers["甲县"]["matter"]["progress"]) == ("甲县/SHW-001", 30)
    assert answers["乙县"]["taken_up"] is False and answers["乙县"]["note"].startswith("尚未接收")
    table = run(root, "city", "status", "--assignment", "SJ-001", "--today", "2026-10-31").stdout
    assert "交办 2 个县(市、区),已接收 1 个,未接收 1 个" in table
    r = run(root, "city", "assign", "--title", "x", "--deadline", "2027-03-31", "--to", "戊县", code=2)
    assert "F002" in r.output and "戊县" in r.output
    assert run(root, "city", "status", "--assignment", "SJ-009", code=2).output.count("F007") == 1


def test_city_init_writes_a_city_office_not_a_county(tmp_path: Path) -> None:
    root = city_with(tmp_path, {})
    from yilan_cli.workspace import load

    ws = load(root)
    assert ws.self_name == "" and set(ws.units.values()) == {"市直部门"}  # not 依兰's 乡镇, 县直部门 or 本级
    assert ws.rules.organ.name == "中共哈尔滨市委督查室、哈尔滨市人民政府督查室"
    assert ws.rules.number_format == "市督通〔{year}〕{n}号"
    assert ws.rules.referral_to == ("市纪委监委", "市作风办") and ws.rules.ladder[0][2] == "市督提〔{year}〕{n}号"


def test_members_read_in_worker_processes_give_the_same_answer(city: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from yilan_cli import federation

    root = city["root"]
    members = federation.load_members(root)
    monkeypatch.setattr(federation, "PARALLEL_MEMBERS", 99)
    alone = federation.read_members(root, members, use_cache=False)
    monkeypatch.setattr(federation, "PARALLEL_MEMBERS", 1)
    forked = federation.read_members(root, members, use_cache=False)
    assert [(v.member.name, v.records, v.findings, v.read) for v in forked] == \
        [(v.member.name, v.records, v.findings, v.read) for v in alone]
    assert sum(v.read for v in forked) == 5 and len(forked[1].findings) == 1  # 乙县's invalid file, read in a worker


def test_a_member_branch_that_is_no_commit_keeps_the_last_data(city: dict[str, Any]) -> None:
    """A member (or its forge) whose branch names a blob: the fetch fails for that member alone, the city keeps
    the commit it held (数据未更新), and every other command still reads every member."""
    root, (_, bare) = city["root"], city["repos"]["甲县"]
    held = git(root, "rev-parse", "refs/yilan/members/甲县").strip()
    import subprocess

    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=bare, input="not a commit\n", text=True,
                          capture_output=True, check=True).stdout.strip()
    (bare / "refs" / "heads" / "main").write_text(blob + "\n", encoding="ascii")  # past update-ref's own check
    r = run(root, "city", "fetch", "--member", "甲县", "--today", "2026-10-06", code=1)
    assert "✗ 甲县:无法获取" in r.output and f"保留上次获取的数据({held[:8]})" in r.output
    assert "提交历史被改写" not in r.output
    assert git(root, "rev-parse", "refs/yilan/members/甲县").strip() == held
    doc = json.loads(run(root, "city", "status", "--all", "--today", "2026-09-30", "--format", "json").stdout)
    members = {m["name"]: m for m in doc["members"]}
    assert members["甲县"]["stale"] is True and members["甲县"]["commit"] == held
    assert sorted(m["id"] for m in doc["matters"] if m["member"] == "甲县") == ["甲县/XW-001", "甲县/XW-002"]


def test_as_issued_names_a_member_commit_it_cannot_have(city: dict[str, Any]) -> None:
    """--as-issued hands git only the full commits the register holds, each checked present: a 成员提交 edited
    to an option or to another revision is refused (F008), and so is one this clone does not hold (a fresh
    clone, a member's rewritten history) — naming the member and how to get the commit back."""
    root = city["root"]
    written_notes(root, "2026Q3")
    run(root, "city", "report", "2026Q3", "--issue", "--date", "2026-10-10")
    register = root / "reports" / "issued.yaml"
    text = register.read_text(encoding="utf-8")
    held = git(root, "rev-parse", "refs/yilan/members/甲县").strip()
    for forged in ("--help", "HEAD", held[:12], "0" * 40):
        register.write_text(text.replace(f"甲县:{held}", f"甲县:{forged}"), encoding="utf-8")
        r = run(root, "city", "report", "2026Q3", "--as-issued", code=2)
        assert "F008" in r.output and "甲县" in r.output, (forged, r.output)
        assert "usage" not in r.output.lower()
    register.write_text(text, encoding="utf-8")
    clone = city["base"] / "clone"
    git(city["base"], "clone", "-q", "--no-local", root.as_uri(), str(clone))
    r = run(clone, "city", "report", "2026Q3", "--as-issued", code=2)
    assert "F008" in r.output and "yilan city fetch" in r.output


@pytest.mark.parametrize(("first", "second"), [("ab县", "AB县"), ("ＡＢ县", "AB县"), ("金县", "\uf90a县")])
def test_member_names_one_filesystem_could_confuse_are_refused(tmp_path: Path, first: str, second: str) -> None:
    """Names that differ only in case or width are one ref file on Windows and macOS (one county's data shown as
    another's), and look the same in every circular: the second is refused as a repetition of the first."""
    root = city_with(tmp_path, {})
    (root / "schemas" / "members.yaml").write_text(
        f"- {{名称: {first}, 分组: 县, 地址: file:///tmp/x.git}}\n- {{名称: {second}, 分组: 县, 地址: file:///tmp/y.git}}\n",
        encoding="utf-8")
    r = run(root, "city", "fetch", "--today", "2026-09-30", code=2)
    assert "E400" in r.output and "第2个成员.名称" in r.output and "重复" in r.output
    assert git(root, "for-each-ref", "refs/yilan/") == ""


@pytest.mark.parametrize("damage", ["[" * 100_000, '{"甲县": [1]}', "\udcff", "null"])
def test_a_damaged_fetch_record_is_no_fetch_recorded(city: dict[str, Any], damage: str) -> None:
    """.git/yilan/members.json damaged (nested past Python's recursion limit, the wrong shape, not UTF-8): the
    refs still hold the commits, so every command works and the next fetch writes the record again."""
    state = city["root"] / ".git" / "yilan" / "members.json"
    state.write_bytes(damage.encode("utf-8", errors="surrogateescape"))
    doc = json.loads(run(city["root"], "city", "status", "--today", "2026-09-30", "--format", "json").stdout)
    assert [m["commit"] is not None for m in doc["members"]] == [True, True, True]
    run(city["root"], "city", "fetch", "--member", "甲县", "--today", "2026-10-06")
    assert json.loads(state.read_text(encoding="utf-8"))["甲县"]["fetched"] == "2026-10-06"


def test_a_link_in_the_members_schema_cache_is_not_followed(city: dict[str, Any], tmp_path: Path) -> None:
    """A link planted where the members' schemas are exported (.yilan/cache/members/<…>) would have yilan write
    outside the workspace and delete the *.yaml files it found there: it is that member's finding instead."""
    import hashlib

    root = city["root"]
    run(root, "city", "status", "--today", "2026-09-30")  # the members' schemas exported, city.bin written
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "sub" / "precious.yaml").write_text("keep\n", encoding="utf-8")
    folder = root / ".yilan" / "cache" / "members" / hashlib.sha256("甲县".encode()).hexdigest()[:16]
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere, target_is_directory=True)
    (root / ".yilan" / "cache" / "city.bin").unlink()
    r = run(root, "city", "status", "--today", "2026-09-30", "--format", "json")
    assert (elsewhere / "sub" / "precious.yaml").read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["precious.yaml", "sub"]
    assert "E114" in r.stderr and "甲县" in r.stderr
    folder.unlink()  # removed: rebuilt on the next read
    doc = json.loads(run(root, "city", "status", "--today", "2026-09-30", "--format", "json").stdout)
    assert {m["name"]: m["summary"]["total"] for m in doc["members"]}["甲县"] == 2


def test_a_member_with_broken_schemas_is_named_by_its_own_file(tmp_path: Path) -> None:
    work, bare = member_repo(tmp_path, "戊县", {"XW-001": MEMBERS["乙县"][1]["XW-001"]})
    (work / "schemas" / "units.yaml").write_text("单位: 不是清单\n", encoding="utf-8")
    git(work, "commit", "-qam", "坏的单位名录")
    git(work, "push", "-q", "origin", "main")
    root = city_with(tmp_path, {"戊县": ("县", bare)})
    run(root, "city", "fetch", "--today", "2026-09-30")
    doc = json.loads(run(root, "city", "status", "--today", "2026-09-30", "--format", "json").stdout)
    assert doc["members"][0]["invalid_files"] == ["戊县/schemas/units.yaml"]  # not the city's cache folder
    assert str(root) not in run(root, "city", "status", "--today", "2026-09-30").stderr


def test_a_refused_assignment_tells_the_city_what_to_correct(city: dict[str, Any]) -> None:
    r = run(city["root"], "city", "assign", "--title", "标题\u202e反转", "--deadline", "2027-03-31", code=2)
    assert "A006" in r.output and "改正命令中的这个值" in r.output and "本次没有接收" not in r.output


def test_fetch_shows_a_progress_bar_on_a_terminal(city: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys
    from datetime import date

    from yilan_cli import federation

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("YILAN_NO_PROGRESS", raising=False)
    monkeypatch.setattr(federation, "FETCH_BAR", 2)  # three members: a bar as 120 would get
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    results = federation.fetch(city["root"], federation.load_members(city["root"]), date(2026, 10, 7))
    assert [r.ok for r in results] == [True, True, False]
    assert "获取成员仓库" in tty.getvalue() and "3/3" in tty.getvalue()

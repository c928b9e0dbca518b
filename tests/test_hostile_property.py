"""Every command under hostile arguments and hostile files (issue 16): exit 0, 1 or 2 only, never E999,
never a traceback, nothing written outside the workspace or the output the user named.

One workspace (a git repository with the demo data) lives for the whole property run, so the state that
earlier examples left behind — odd matters added, files rewritten — is part of what later ones meet.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from yilan_cli.cli import app

HOSTILE = ["--output=/tmp/yilan-owned", "-h", "--", "", " ", "../../etc/passwd", "9999-12-31", "0001-01-01",
           "2022-02-30", "2202-07-31", "2022Q5", "本季度", "上季度", "HEAD~999", "HEAD", "ZB-001", "ZB-999", "zb-001",
           "县水务局", "县水务局\n", "\x1b[2J\x1b]0;x\x07", "\u202e反向", "a/b", "/", "..", "~", "$(id)", "`id`", "%s",
           "{0}", "{{ 1/0 }}", "<script>", "## 标题\n\n正文", "\x0b", "\x00", "1e309", "-1", "101", "长期", "年底",
           "2022年13月", "8月底", "2022/2/29", "第一季度", "2022-06", "2022H1", "2022", "ZB-001.yaml", "重点工作专班"]
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))

# (command words, how many hostile values it takes); {out} is the named output, {v0}… the values
COMMANDS: list[tuple[list[str], int]] = [
    (["status", "--today", "{v0}"], 1), (["status", "{v0}"], 1), (["status", "--unit", "{v0}", "--format", "json"], 1),
    (["status", "--as-recorded", "{v0}"], 1), (["show", "{v0}"], 1), (["show", "ZB-001", "--today", "{v0}"], 1),
    (["check", "--today", "{v0}"], 1), (["check", "--format", "{v0}"], 1), (["report", "{v0}"], 1),
    (["report", "{v0}", "--format", "docx", "-o", "{out}"], 1), (["report", "{v0}", "--as-issued"], 1),
    (["report", "2022Q2", "--template", "{v0}"], 1), (["rank", "{v0}"], 1), (["notice", "--today", "{v0}", "-o", "{out}"], 1),
    (["notice", "--as-issued", "{v0}", "-o", "{out}"], 1), (["escalate", "--today", "{v0}"], 1),
    (["accountability", "{v0}", "-o", "{out}"], 1), (["diff", "--", "{v0}"], 1), (["diff", "--since", "{v0}"], 1),
    (["history", "{v0}"], 1), (["update", "{v0}", "--note", "{v1}", "--date", "2022-07-10"], 2),
    (["update", "ZB-001", "--note", "{v0}", "--date", "{v1}"], 2),
    (["add", "{v0}", "--title", "{v1}", "--lead-unit", "{v2}", "--deadline", "2022-12-31", "--assigned", "2022-07-01"], 3),
    (["add", "zhuanban", "--title", "属性测试", "--lead-unit", "县水务局", "--deadline", "{v0}", "--assigned", "{v1}"], 2),
    (["close", "{v0}", "--date", "{v1}"], 2), (["extend", "ZB-002", "--to", "{v0}", "--reason", "{v1}"], 2),
    (["signoff", "{v0}", "--reviewer", "{v1}", "--approver", "x", "--date", "2022-12-31"], 2),
    (["research", "status", "--today", "{v0}"], 1), (["export", "-o", "{out}", "--today", "{v0}"], 1),
    (["export", "--fill", "--unit", "{v0}", "--period", "{v1}", "-o", "{out}"], 2), (["undo", "--yes"], 0),
    (["notice", "reply", "{v0}", "--date", "{v1}", "--text", "回复"], 2), (["fmt", "--check"], 0),
]
OUTPUTS = st.sampled_from(["out/通报.docx", "out/不存在/深/目录/a.xlsx", "out", "out/a-file.txt", "out/x.md"])


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    r = CliRunner().invoke(app, ["init", str(base / "ws"), "--example"])
    assert r.exit_code == 0, r.output
    (base / "out").mkdir()
    (base / "out" / "a-file.txt").write_text("x", encoding="utf-8")
    return base


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("YILAN_HOSTILE_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(COMMANDS), values=st.lists(VALUE, min_size=3, max_size=3), out=OUTPUTS)
def test_no_hostile_argument_ends_in_an_internal_error(playground: Path, command: tuple[list[str], int],
                                                        values: list[str], out: str) -> None:
    words, _ = command
    ws = playground / "ws"
    args = [w.format(v0=values[0], v1=values[1], v2=values[2], out=playground / out) for w in words]
    outside_before = _files(playground) - _files(ws)
    r = CliRunner().invoke(app, ["--root", str(ws), *args])
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), (args, repr(r.exception))
    assert "E999" not in r.output and "Traceback" not in r.output, (args, r.output)
    new_outside = (_files(playground) - _files(ws)) - outside_before
    named = playground / out
    assert all(p == named or named in p.parents for p in new_outside), (args, new_outside)
    assert not Path("/tmp/yilan-owned").exists()


HOSTILE_FILES = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "编号: ZB-001\n事项: \"\\e[2J清屏\"\n牵头单位: 县水务局\n交办日期: 2022-01-01\n完成时限: 2022-12-31\n状态: 推进中\n",
        "编号: ZB-001\n事项: \"含\\v的标题\"\n牵头单位: 县水务局\n交办日期: 2022-01-01\n完成时限: 2022-12-31\n状态: 推进中\n",
        "编号: ZB-001\n事项: 标题\n牵头单位: 县水务局\n交办日期: 9999-12-31\n完成时限: 9999-12-31\n状态: 推进中\n",
        "编号: ZB-001\n事项: 标题\n牵头单位: 县水务局\n交办日期: 0001-01-01\n完成时限: 长期\n状态: 推进中\n",
        "<<<<<<< 本地\n编号: ZB-001\n=======\n编号: ZB-002\n>>>>>>> 远端\n",
        "a: &a [*a]\n", ":: &0 [*0]", "!!python/object:os.system\n", "\ufeff编号: ZB-001\r\n",
    ]),
)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("YILAN_HOSTILE_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=HOSTILE_FILES, command=st.sampled_from([
    ["check", "--today", "2022-06-30"], ["status", "--today", "2022-06-30", "--all"], ["report", "2022Q2"],
    ["show", "ZB-001", "--today", "2022-06-30"], ["export", "--format", "json", "--today", "2022-06-30"],
    ["update", "ZB-001", "--note", "x", "--date", "2022-07-10"], ["site", "-o", "{out}", "--today", "2022-06-30"],
    ["history", "ZB-001"], ["fmt", "--check"],
]))
def test_no_hostile_file_ends_in_an_internal_error(playground: Path, text: str, command: list[str]) -> None:
    ws = playground / "ws"
    path = ws / "ledgers" / "zhuanban" / "ZB-001.yaml"
    original = path.read_bytes()
    try:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        args = [w.format(out=playground / "out" / "site") for w in command]
        r = CliRunner().invoke(app, ["--root", str(ws), *args])
        assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), (args, repr(r.exception))
        assert "E999" not in r.output and "Traceback" not in r.output, (args, r.output)
    finally:
        path.write_bytes(original)
        shutil.rmtree(playground / "out" / "site", ignore_errors=True)


# files colleagues commit besides the matters: each example puts one hostile value at one place of one of them
REGISTER = ("- {编号: 依督办〔2022〕1号, 种类: 督办通知单, 单位: 县水务局, 印发日期: 2022-06-30, 回复期限: 2022-07-05, "
            "事项: [ZB-002], 源提交: 0123abc}\n"
            "- {编号: 依督通〔2022〕1号, 种类: 季度通报, 期间: 2022Q2, 评估日: 2022-06-30, 印发日期: 2022-07-05, "
            "源提交: 0123abc}\n")
SHARED = ["schemas/rules.yaml", "schemas/units.yaml", "schemas/taskforces.yaml", "schemas/ledgers/zhuanban.yaml",
          "schemas/people.yaml", "reports/issued.yaml"]
INF = "__INF__"  # written out as 1e400, which the reader takes as an infinite float
SCHEMA_VALUES = st.one_of(
    st.sampled_from([None, 0, -1, 5, 10**30, INF, 1.5, True, "", "x\x0b", "\ufffe", "\x01", [1], [None], {"x": 5},
                     "{n}", "{year.__class__}{n}", "{n:>999999999}", "{0}", "2022-13-45", "0001-01-01..9999-12-31",
                     "9999-12-31", "nan", "ZB-001"]),
    st.text(max_size=8), st.integers(), st.lists(st.text(max_size=4), max_size=2))
NOTES = st.one_of(st.text(max_size=60).map(lambda s: ("## 主要成效\n" + s).encode("utf-8", "surrogatepass")),
                  st.binary(max_size=60), st.sampled_from([b"## \xc4\xe3\n", "## 主要成效\n好\x01的\n".encode()]))


def _places(node: object, at: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a parsed file: the whole, each mapping value, each list item."""
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _places(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _places(v, (*at, i))
    return out


def _put(node: object, at: tuple[object, ...], value: object) -> object:
    import copy

    if not at:
        return value
    node = copy.deepcopy(node)
    inner: Any = node
    for key in at[:-1]:
        inner = inner[key]
    inner[at[-1]] = value
    return node


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("YILAN_HOSTILE_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), command=st.sampled_from([
    ["status", "--today", "2022-06-30"], ["report", "2022Q2", "--format", "docx", "-o", "{out}/q2.docx"],
    ["escalate", "--today", "2022-07-20"], ["accountability", "2022Q3", "--today", "2022-09-30", "-o", "{out}/a.docx"],
    ["research", "status", "--today", "2022-06-30"], ["rank", "2022"], ["export", "-o", "{out}/x.xlsx"],
    ["notice", "--today", "2022-06-30", "--format", "docx", "-o", "{out}/n"], ["report", "2022Q2", "--as-issued"],
    ["check", "--today", "2022-06-30"], ["site", "-o", "{out}/site", "--today", "2022-06-30"],
]))
def test_no_hostile_schema_notes_or_register_ends_in_an_internal_error(playground: Path, data: st.DataObject,
                                                                       command: list[str]) -> None:
    """schemas/, report_notes and the register as a colleague may commit them (values of any shape, size or
    character at any place): exit 0, 1 or 2 only, never E999 or a traceback."""
    import yaml

    ws = playground / "ws"
    rel = data.draw(st.sampled_from([*SHARED, "report_notes/2022Q2.md"]))
    path = ws / rel
    original = path.read_bytes() if path.exists() else None
    register = ws / "reports" / "issued.yaml"
    register_before = register.read_bytes() if register.exists() else None
    try:
        register.parent.mkdir(exist_ok=True)
        register.write_text(REGISTER, encoding="utf-8")
        if rel.endswith(".md"):
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data.draw(NOTES))
        else:
            doc = yaml.safe_load(REGISTER if rel == "reports/issued.yaml" else original.decode("utf-8"))  # type: ignore[union-attr]
            at = data.draw(st.sampled_from(_places(doc)))
            text = yaml.safe_dump(_put(doc, at, data.draw(SCHEMA_VALUES)), allow_unicode=True)
            path.write_text(text.replace(INF, "1e400"), encoding="utf-8")
        args = [w.format(out=playground / "out") for w in command]
        r = CliRunner().invoke(app, ["--root", str(ws), *args])
        assert r.exit_code in (0, 1, 2), (rel, args, r.exit_code, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), (rel, args, repr(r.exception))
        assert "E999" not in r.output and "Traceback" not in r.output, (rel, args, r.output)
    finally:
        for p, before in ((register, register_before), (path, original)):
            if before is None:
                p.unlink(missing_ok=True)
            else:
                p.write_bytes(before)
        for name in ("site", "n", "q2.docx", "a.docx", "x.xlsx"):
            target = playground / "out" / name
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)

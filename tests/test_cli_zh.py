"""click's and typer's own words reach users in Chinese: help pages, usage errors, ``yilan`` alone (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import click.testing
import pytest
import typer.main
from typer.testing import CliRunner

from yilan_cli.cli import app
from yilan_cli.cli.clicktext import as_usage_error, width_of, wrap

REPO = Path(__file__).resolve().parent.parent


def _paths(cmd: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):  # the root group builds its commands on demand (cli.LazyGroup)
            sub = cmd.get_command(ctx, name)
            assert sub is not None, name
            found += _paths(sub, (*path, name))
    return found


COMMANDS = _paths(typer.main.get_command(app))
COMMAND_NAMES = {part for path in COMMANDS for name in path for part in name.split("-")}  # merge-file: merge, file
# names of things, not English prose: formats and option values, products, the languages --lang takes, the git
# remote of the city office (city: assignments pull, sync)
TOKENS = {"yilan", "git", "city", "md", "html", "docx", "json", "csv", "xlsx", "yaml", "table", "text", "github", "junit",
          "error", "red", "yellow", "zh", "en", "Excel", "WPS", "Word", "CSV", "JSON", "Schema", "CI", "Web", "Python"}


def invoke(*args: str, columns: int = 80) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def english_words(text: str) -> set[str]:
    """Latin words in ``text`` other than option names, paths, metavars in capitals and known names."""
    text = re.sub(r"(?<![\w/])--?[a-z][a-z0-9-]*", " ", text)  # --lead-unit, -h
    text = re.sub(r"\S*[/.<>]\S*", " ", text)  # report_notes/<期间>.md, reports/issued.yaml
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return {w for w in words if not w.isupper() and w not in TOKENS and w not in COMMAND_NAMES}


def test_walk_finds_every_command() -> None:
    assert {("add",), ("status",), ("notice", "reply"), ("research", "add"), ("research", "status")} <= set(COMMANDS)
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "yilan")
def test_help_is_chinese_and_fits_80_columns(path: tuple[str, ...]) -> None:
    r = invoke(*path, "--help")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"用法：{' '.join(('yilan', *path))} [选项]")
    assert english_words(r.stdout) == set(), r.stdout
    for header in ("Usage", "Options", "Commands", "Arguments", "required", "default", "Show this message"):
        assert header not in r.stdout
    assert "显示本帮助并退出" in r.stdout and "选项：" in r.stdout
    assert "…" not in r.stdout.replace("……", "")  # nothing cut (a 删除…… in a description is the text's own)
    assert all(width_of(line) <= 80 for line in r.stdout.splitlines()), r.stdout
    assert not re.search(r"[─│╭╮╰╯]", r.stdout)  # plain text: no box a GBK console would print as ?


def test_help_parts() -> None:
    add = invoke("add", "-h").stdout
    assert "用法：yilan add [选项] 台账\n" in add
    assert re.search(r"\n  --lead-unit 文字 +牵头单位\(须已登记\)（必填）\n", add)
    assert re.search(r"\n  -h, --help +显示本帮助并退出\n", add)
    status = invoke("status", "-h").stdout
    assert "用法：yilan status [选项] [台账...]" in status
    assert re.search(r"--format 文字 +table \| json \| csv（默认值：table）", status)
    update = invoke("update", "-h").stdout
    assert "用法：yilan update [选项] 编号" in update
    notice = invoke("notice", "-h").stdout
    assert "用法：yilan notice [选项] [命令 [参数]...]" in notice and "\n命令：\n  reply " in notice


def test_help_wraps_to_a_narrow_terminal_and_never_beyond_80() -> None:
    narrow = invoke("notice", "-h", columns=50).stdout
    assert all(width_of(line) <= 50 for line in narrow.splitlines()), narrow
    assert "显示本帮助并退出" in narrow
    wide = invoke("-h", columns=200).stdout
    assert max(width_of(line) for line in wide.splitlines()) <= 80
    # a description longer than the line continues under its column, not cut
    assert re.search(r"\n  site +督办看板:生成静态网站.*\n {10,}\S", wide)


def test_yilan_alone_prints_the_overview_and_exits_0() -> None:
    r = invoke()
    assert r.exit_code == 0
    assert r.stdout.startswith("用法：yilan [选项] 命令 [参数]...\n")
    sections = ["查看与查找：", "登记与更正：", "导入导出：", "通报与督办：", "工作区与同步："]
    assert [s for s in sections if f"\n{s}\n" in r.stdout] == sections
    assert r.stdout.index("查看与查找：") < r.stdout.index("\n  status ") < r.stdout.index("登记与更正：")
    assert "运行 yilan 命令 -h 查看一个命令的用法和选项" in r.stdout
    assert english_words(r.stdout) == set()
    group = invoke("research")  # a group alone: its own overview
    assert group.exit_code == 0 and "命令：\n  add " in group.stdout


ERRORS = [
    (["--root", str(REPO), "add", "zhuanban", "--title", "某项目"], "错误[C003] 缺少必填选项 --lead-unit",
     "用法：yilan add [选项] 台账；yilan add -h 查看全部选项"),
    (["--root", str(REPO), "show"], "错误[C003] 缺少必填参数 编号", "用法：yilan show [选项] 编号"),
    (["--root", str(REPO), "update", "ZB-001", "--progress", "120"], "错误[E206] --progress 超出0–100：120",
     "进度是完成的百分数，最大为100"),  # read by yilan itself (60% and ６０％ too), not by click
    (["--root", str(REPO), "research", "status", "--year", "二〇二二"], "错误[C004] --year 的值 二〇二二 不是整数",
     "yilan research status -h"),
    (["--root", str(REPO), "statu"], "错误[C001] 没有这个命令：statu。您是否想写 status？", "yilan -h 列出全部命令"),
    (["--root", str(REPO), "research", "stauts"], "错误[C001] 没有这个命令：stauts。您是否想写 status？",
     "yilan research -h 列出全部命令"),
    (["--root", str(REPO), "frobnicate"], "错误[C001] 没有这个命令：frobnicate。", "yilan -h 列出全部命令"),
    (["--root", str(REPO), "status", "--bogus"], "错误[C002] 没有这个选项：--bogus。", "yilan status -h 查看全部选项"),
    (["--root", str(REPO), "status", "--formt", "json"], "错误[C002] 没有这个选项：--formt。您是否想写 --format？",
     "yilan status -h"),
    (["--root", str(REPO), "status", "--today"], "错误[C005] 选项 --today 后面要写一个值", "yilan status -h"),
    (["--root"], "错误[C005] 选项 --root 后面要写一个值", "yilan -h"),
    (["--root", str(REPO), "check", "红灯", "黄灯"], "错误[C005] 多余的参数：红灯 黄灯", "用法：yilan check [选项]"),
    (["--root", str(REPO)], "错误[C005] 缺少命令", "yilan -h 列出全部命令"),
]


@pytest.mark.parametrize(("args", "message", "hint"), ERRORS, ids=lambda x: x if isinstance(x, str) else None)
def test_usage_errors_in_chinese_exit_2(args: list[str], message: str, hint: str) -> None:
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.splitlines()
    assert lines[0] == message
    assert lines[1].startswith("  提示: ") and hint in lines[1]
    assert len(lines) == 2 and r.stdout == ""
    assert english_words(r.stderr) - set(args) == set(), r.stderr  # what the user typed is echoed


def test_one_suggestion_once() -> None:
    r = invoke("--root", str(REPO), "statu")
    assert r.stderr.count("status") == 1 and "Did you mean" not in r.stderr


def test_english_stays_english() -> None:
    r = invoke("--lang", "en", "--root", str(REPO), "research", "status", "--year", "x")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[0] == "error[C004] --year: x is not an integer"
    typo = invoke("--lang", "en", "statu")
    assert typo.stderr.splitlines()[0] == "error[C001] no such command: statu. Did you mean status?"
    page = invoke("--lang", "en", "add", "--help").stdout
    assert page.startswith("Usage: yilan add [OPTIONS] LEDGER\n")
    assert "Options:" in page and "[required]" in page and "Show this message and exit." in page
    assert invoke("--lang=en", "-h").stdout.startswith("Usage: yilan [OPTIONS] COMMAND [ARGS]...")


def test_a_prompt_speaks_chinese() -> None:
    @click.command()
    def ask() -> None:
        click.confirm("确认撤销?", abort=True)

    r = click.testing.CliRunner().invoke(ask, input="也许\nn\n")
    assert "请回答 y（是）或 n（否）" in r.output and "invalid input" not in r.output


def test_as_usage_error_without_a_context_names_the_command() -> None:
    e = as_usage_error(click.UsageError("Got unexpected extra arguments (a b)"), "yilan status")
    assert (e.code, e.message, e.hint, e.exit_code) == ("C005", "多余的参数：a b", "yilan status -h 查看用法和全部选项", 2)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("督办看板:生成静态网站(总览、各台账、各单位、各事项页面),放到内网 Web 服务器即可。", 30,
         ["督办看板:生成静态网站(总览、各", "台账、各单位、各事项页面),放到", "内网 Web 服务器即可。"]),
        ("完成时限，如 2022-08-31、8月底", 12, ["完成时限，如", "2022-08-31、", "8月底"]),
        ("一二三四五，六", 10, ["一二三四", "五，六"]),  # ， does not start a line: 五 goes with it
        ("一二三四五六七八九十，六", 10, ["一二三四五", "六七八九", "十，六"]),
    ],
)
def test_wrap_by_display_width(text: str, width: int, lines: list[str]) -> None:
    assert wrap(text, width) == lines
    assert all(width_of(line) <= width for line in lines)

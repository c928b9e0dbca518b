"""`yilan status` stays light: it never imports git, jinja2, openpyxl or docx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from typer.testing import CliRunner
from yilan_cli.cli import app
for args in (["status", "--today", "2022-06-30"], ["status", "--format", "json", "--today", "2022-06-30"],
             ["check", "--today", "2022-06-30"], ["show", "ZB-003", "--today", "2022-06-30"]):
    r = CliRunner().invoke(app, ["--root", sys.argv[1], *args])
    assert r.exit_code in (0, 1), r.output
heavy = sorted(m for m in ("git", "jinja2", "openpyxl", "docx", "docxtpl") if m in sys.modules)
print(",".join(heavy))
"""


def test_read_commands_import_no_heavy_module() -> None:
    r = subprocess.run([sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "", f"imported by read commands: {r.stdout.strip()}"


def test_json_status_does_not_import_rich() -> None:
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom yilan_cli.cli import app\n"
        "CliRunner().invoke(app, ['--root', sys.argv[1], 'status', '--format', 'json'])\n"
        "print('rich.table' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", probe, str(REPO)], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


WARM = """
import sys
from yilan_cli import store
store.RACY_NS = 0  # the test's files were written just now
from typer.testing import CliRunner
from yilan_cli.cli import app
args = ["--root", sys.argv[1], "status", "--format", "json", "--today", "2022-06-30"]
CliRunner().invoke(app, args)  # fills the cache
for name in [m for m in sys.modules if m.startswith(("pydantic", "ruamel", "yaml"))]:
    del sys.modules[name]
r = CliRunner().invoke(app, args)
assert r.exit_code == 0, r.output
print(",".join(sorted(m for m in ("pydantic", "ruamel.yaml", "yaml", "rich") if m in sys.modules)))
"""


def test_warm_status_reads_no_yaml_and_validates_nothing(demo_workspace: Path) -> None:
    """With the cache warm, `status --format json` needs neither pydantic nor a YAML parser."""
    r = subprocess.run([sys.executable, "-c", WARM, str(demo_workspace)], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""


# Each read command imports its own cli module and the shared ones, never another command's (cli.LazyGroup):
# (arguments, its module); 'yilan_cli.txn' (the write transaction) and git are never imported by a read.
READS = [
    (["status", "--today", "2022-06-30"], "read"),
    (["status", "--format", "csv", "--all", "--today", "2022-06-30"], "read"),
    (["check", "--today", "2022-06-30"], "read"),
    (["show", "ZB-003", "--today", "2022-06-30"], "read"),
    (["find", "污水", "--today", "2022-06-30"], "read"),
    (["schema"], "read"),
    (["export", "--format", "csv", "--today", "2022-06-30"], "exchange"),
    (["report", "2022Q2", "--today", "2022-06-30"], "reports"),
    (["rank", "2022Q2", "--today", "2022-06-30"], "reports"),
]

LAZY = """
import json, sys
from typer.testing import CliRunner
from yilan_cli.cli import app
r = CliRunner().invoke(app, ["--root", sys.argv[1], *json.loads(sys.argv[2])])
assert r.exit_code in (0, 1), r.output
print(",".join(sorted(m for m in sys.modules if m.startswith("yilan_cli.cli.") or m in ("yilan_cli.txn", "git"))))
"""


@pytest.mark.parametrize(("args", "module"), READS, ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else a)
def test_a_read_command_imports_only_its_own_module(args: list[str], module: str) -> None:
    import json

    r = subprocess.run([sys.executable, "-c", LAZY, str(REPO), json.dumps(args)], capture_output=True, text=True,
                       check=True)
    assert set(r.stdout.strip().split(",")) == {f"yilan_cli.cli.{module}", "yilan_cli.cli.common",
                                                 "yilan_cli.cli.clicktext"}


def test_the_command_table_is_what_the_modules_register() -> None:
    """cli.COMMANDS (which module defines which command) against the modules' own register(), in help order."""
    import typer

    from yilan_cli.cli import COMMANDS

    registered: dict[str, str] = {}
    for module in dict.fromkeys(COMMANDS.values()):
        sub = typer.Typer()
        __import__(f"yilan_cli.cli.{module}", fromlist=["register"]).register(sub)
        names = [c.name for c in sub.registered_commands] + [g.name for g in sub.registered_groups]
        registered.update(dict.fromkeys((n for n in names if n), module))
    assert registered == COMMANDS and list(registered) != sorted(registered)  # order kept (help lists in it)

"""`yilan status` stays light: it never imports git, jinja2, openpyxl or docx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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

"""The README's tour, run as written: every command of every ``sh`` block after the set-up, in order, in one
shell, with the installed ``yilan``, starting in a copy of this repository's workspace (the first block
reads the demo) and going on in the ``init --example`` workspace it makes next to it. Each command must
succeed (``set -e``): a README whose commands fail when copied is worse than none (issue 20).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

TOUR = "## 快速上手"


def tour_blocks() -> list[str]:
    """The ``sh`` blocks of the README after the tour's heading, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert TOUR in readme
    return re.findall(r"```sh\n(.*?)```", readme.split(TOUR, 1)[1], re.S)


def test_the_tour_has_the_blocks_a_new_user_copies() -> None:
    blocks = tour_blocks()
    assert len(blocks) >= 8 and blocks[1].startswith("yilan init ../台账2023 --example && cd ../台账2023")


@pytest.mark.slow
def test_every_readme_command_works_when_copied(tmp_path: Path) -> None:
    yilan = shutil.which("yilan", path=str(Path(sys.executable).parent))
    assert yilan, "the installed yilan (README's set-up command)"
    src = tmp_path / "yilan"
    for folder in ("schemas", "ledgers", "research", "report_templates"):
        shutil.copytree(REPO / folder, src / folder)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = 张三\n\temail = zhangsan@example.gov.cn\n"
                                     "[init]\n\tdefaultBranch = master\n", encoding="utf-8")
    script = ["set -euo pipefail"]
    for i, block in enumerate(tour_blocks(), start=1):
        for line in block.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                script += [f"echo '>>> {i}: {line.split('  #')[0].strip()}' >&2", line]
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(yilan).parent}{os.pathsep}{os.environ['PATH']}",
           "GIT_CONFIG_NOSYSTEM": "1", "COLUMNS": "160", "LC_ALL": "C.UTF-8"}
    env.pop("GIT_CONFIG_GLOBAL", None)
    r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=src, env=env, capture_output=True, text=True,
                       timeout=900, stdin=subprocess.DEVNULL)
    last = [x for x in r.stderr.splitlines() if x.startswith(">>> ")][-1:]
    assert r.returncode == 0, f"{last}\n{r.stderr[-3000:]}"
    workspace = tmp_path / "台账2023"
    assert (workspace / "二季度通报.docx").exists() and (workspace / "督办看板" / "index.html").exists()

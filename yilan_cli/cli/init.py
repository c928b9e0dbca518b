"""``yilan init``: a new workspace with the shipped defaults."""

import shutil
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UsageError
from ..i18n import t
from .common import handled, out

GITIGNORE = """\
# yilan: caches and rendered output are rebuilt, never committed
.yilan/
__pycache__/
*.tmp
"""

GITATTRIBUTES = """\
# every YAML file is UTF-8 text with LF line endings, whatever the OS
*.yaml text eol=lf
# matter files merge entry by entry (yilan merge-file), not line by line
ledgers/**/*.yaml merge=yilan
# research records are append-only, one line per visit: a merge keeps both sides' new lines
research/**/*.yaml merge=union
"""


def register(app: typer.Typer) -> None:
    app.command("init", help="新建台账工作区:13 个台账、单位名录、预警规则、报告模板,并做第一次提交。")(init)


@handled
def init(
    path: Annotated[Optional[Path], typer.Argument(help="工作区目录,默认当前目录")] = None,
    example: Annotated[bool, typer.Option("--example", help="同时加入示例数据(依兰县 2022 年台账)")] = False,
) -> None:
    from ..history import init_and_commit
    from ..store import matter_files
    from ..workspace import MARKER, package_data_dir

    root = (path or Path.cwd()).resolve()
    if (root / MARKER).exists():
        raise UsageError(t("err.exists", path=root), t("hint.exists"))
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(package_data_dir("schemas"), root / "schemas", dirs_exist_ok=True)
    shutil.copytree(package_data_dir("report_templates"), root / "report_templates", dirs_exist_ok=True)
    for ledger in sorted((root / "schemas" / "ledgers").glob("*.yaml")):
        d = root / "ledgers" / ledger.stem
        d.mkdir(parents=True, exist_ok=True)
        # the committed record of the highest 编号 ever issued in this ledger (add never reuses one)
        (d / ".last-id").write_text("0\n", encoding="utf-8", newline="\n")
    if example:
        shutil.copytree(package_data_dir("ledgers"), root / "ledgers", dirs_exist_ok=True)
        shutil.copytree(package_data_dir("research"), root / "research", dirs_exist_ok=True)
    from ..workspace import load

    owners = ["# 台账维护人(schemas/ledgers/<台账>.yaml 的 维护人),供 Gitea/GitLab 审批合并请求;yilan audit 据此检查提交人"]
    for lg in load(root).ledgers.values():
        if lg.maintainers:
            owners.append(f"/ledgers/{lg.key}/ {' '.join(lg.maintainers)}")
    for name, text in ((".gitignore", GITIGNORE), (".gitattributes", GITATTRIBUTES), ("CODEOWNERS", "\n".join(owners) + "\n")):
        if not (root / name).exists():
            (root / name).write_text(text, encoding="utf-8", newline="\n")
    ci = Path(__file__).resolve().parent.parent / "ledger_ci"
    for source, target in (("github.yml", ".gitea/workflows/yilan.yml"), ("github.yml", ".github/workflows/yilan.yml"),
                           ("gitlab-ci.yml", ".gitlab-ci.yml"), ("vscode-settings.json", ".vscode/settings.json")):
        dest = root / target
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes((ci / source).read_bytes())
    init_and_commit(root, "初始化台账工作区\n\nYilan-Action: init")
    from ..merge import ensure_driver

    ensure_driver(root)
    n = len(matter_files(root))
    out(t("init_done", path=root, example=t("init_example", n=n) if example else ""))

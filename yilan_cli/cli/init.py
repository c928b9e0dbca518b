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
督办输出/
督办看板/
督办通知单/
督办升级/
"""

GITATTRIBUTES = """\
# every text file (YAML, .last-id, templates) keeps LF line endings whatever the OS and core.autocrlf say
# (with core.autocrlf=true and core.safecrlf=true git would refuse to add a file yilan wrote)
* text=auto eol=lf
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
    path: Annotated[Optional[Path], typer.Argument(help="工作区目录(须为空目录或空的 git 仓库),默认当前目录")] = None,
    example: Annotated[bool, typer.Option("--example",
                                          help="同时加入示例数据:依兰县 2022 年台账,连同全年的修改记录(git 历史)")] = False,
) -> None:
    """Create the workspace's files in an empty folder and commit exactly those, through the write pipeline."""
    from ..store import matter_files

    root = (path or Path.cwd()).resolve()
    if refuse_empty_target(root):  # the interrupted init was finished
        out(t("init_done", path=root, example=""))
        return
    create(root, workspace_files(example), example)
    n = len(matter_files(root))
    out(t("init_done", path=root, example=t("init_example", n=n) if example else ""))


def refuse_empty_target(root: Path) -> bool:
    """Refuse a target that is not an empty folder (or empty git repository), a file, yilan's own source tree or
    a folder git cannot commit in. True: an interrupted init there was just finished (nothing left to do)."""
    from ..txn import refuse_inside_source_checkout
    from ..workspace import MARKER

    refuse_inside_source_checkout(root)  # U007: a workspace inside yilan's own source tree
    if _interrupted_init(root) and (root / MARKER).exists():
        return True
    if (root / MARKER).exists():
        raise UsageError(t("err.exists", path=root), t("hint.exists"), code="U005")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} 是一个文件,不是文件夹", "换一个新的文件夹名", code="U005")
    others = sorted(p.name for p in root.iterdir() if p.name != ".git") if root.exists() else []
    if others:
        raise UsageError(f"{root} 不是空文件夹(已有 {'、'.join(others[:5])}{' 等' if len(others) > 5 else ''}),"
                         "yilan init 只在空文件夹(或空的 git 仓库)中新建工作区,不会把已有的文件提交进台账",
                         "换一个新的文件夹,如 yilan init ../台账2023", code="U005")
    _check_identity(root)
    return False


def create(root: Path, files: dict[str, str], example: bool = False) -> None:
    """Make the workspace of ``files`` in ``root`` (checked by :func:`refuse_empty_target`) and commit it; on any
    failure the folder is left as it was found, so running init again simply works."""
    made_root, made_git = not root.exists(), not (root / ".git").exists()
    try:
        _create(root, files, made_git, example)
    except BaseException:
        # leave the folder as it was found, so that running init again simply works
        if made_root:
            shutil.rmtree(root, ignore_errors=True)
        elif made_git:
            for child in root.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        raise


def _interrupted_init(root: Path) -> bool:
    """An init killed half way left its journal: if it had not committed yet, its files are taken back (only
    those still holding what init wrote) and the empty folders removed, so init simply runs again and makes the
    same workspace — with --example the same history, which recovery could not make from the files alone."""
    import os

    from ..demo_history import REF
    from ..history import run_git
    from ..txn import FAILED, Transaction

    journal = root / ".git" / "yilan" / "journal.json"
    try:
        if "Yilan-Action: init" not in journal.read_text(encoding="utf-8", errors="replace"):
            return False
        os.replace(journal, journal.with_name(FAILED))  # a journal that recovery only ever takes back
    except OSError:
        return False
    with Transaction(root):
        pass  # entering settles the journal: nothing left if init had committed, else its files taken back
    run_git(root, "update-ref", "-d", REF, check=False)  # a history that was built but never became HEAD
    for folder, _, _ in sorted(os.walk(root), key=lambda w: -len(w[0])):
        here = Path(folder)
        if here != root and ".git" not in here.relative_to(root).parts and not any(here.iterdir()):
            here.rmdir()
    return True


def _check_identity(root: Path) -> None:
    """Who will commit — asked before anything is created (a folder that cannot commit is left untouched)."""
    from ..history import identity_error, run_git

    here = root
    while not here.exists():
        here = here.parent
    if run_git(here, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        raise identity_error()


def workspace_files(example: bool) -> dict[str, str]:
    """Every file a new workspace holds (relative path → text): the shipped defaults and yilan's own files."""
    from ..workspace import load_ledger, package_data_dir

    files: dict[str, str] = {}
    folders = ["schemas", "report_templates"] + (["ledgers", "research"] if example else [])
    for name in folders:
        base = package_data_dir(name)
        for p in sorted(base.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                files[f"{name}/{p.relative_to(base).as_posix()}"] = p.read_text(encoding="utf-8")
    ledgers = [load_ledger(p) for p in sorted((package_data_dir("schemas") / "ledgers").glob("*.yaml"))]
    for lg in ledgers:
        # the committed record of the highest 编号 ever issued in this ledger (add never reuses one)
        files.setdefault(f"ledgers/{lg.key}/.last-id", "0\n")
    owners = ["# 台账维护人(schemas/ledgers/<台账>.yaml 的 维护人),供 Gitea/GitLab 审批合并请求;yilan audit 据此检查提交人"]
    for lg in ledgers:
        if lg.maintainers:
            owners.append(f"/ledgers/{lg.key}/ {' '.join(lg.maintainers)}")
    files.update({".gitignore": GITIGNORE, ".gitattributes": GITATTRIBUTES, "CODEOWNERS": "\n".join(owners) + "\n"})
    ci = Path(__file__).resolve().parent.parent / "ledger_ci"
    for source, target in (("github.yml", ".gitea/workflows/yilan.yml"), ("github.yml", ".github/workflows/yilan.yml"),
                           ("gitlab-ci.yml", ".gitlab-ci.yml"), ("vscode-settings.json", ".vscode/settings.json")):
        files[target] = (ci / source).read_text(encoding="utf-8")
    return files


def _create(root: Path, files: dict[str, str], new_repo: bool, example: bool = False) -> None:
    """Write and commit the workspace. With the demo data the commit is the demo's year of history
    (demo_history.build): built into objects first, then the files are written through the journal and
    HEAD takes the history's tip as the commit step."""
    from ..history import run_git
    from ..txn import Transaction, fault

    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(t("err.readonly", path=root) + f":{e.strerror or e}", t("hint.readonly"), code="G012") from None
    if new_repo:
        run_git(root, "init", "-q")
        # the branch is main whatever init.defaultBranch says (git before 2.28 has no `init -b`): doctor's and
        # the docs' `git push -u origin main` then simply work
        run_git(root, "symbolic-ref", "HEAD", "refs/heads/main")
    with Transaction(root) as tx:
        tip = None
        if example:
            from ..demo_history import REF, build

            tip, added = build(root, files)
            files = {**files, **added}
            fault("after-history")
        for rel, text in files.items():
            tx.write(rel, text)
        tx.commit("初始化台账工作区", "init", adopt=tip, drop_ref=REF if tip else None)

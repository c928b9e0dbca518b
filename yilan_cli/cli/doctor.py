"""`yilan doctor`: checks the machine and the ledger repository, and prints each fix in Chinese."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

from .common import STATE, handled, out


def register(app: typer.Typer) -> None:
    app.command("doctor", help="体检:git、提交人、远端、合并驱动、写入锁、Python 版本;逐项给出修复办法。")(doctor)


def _git(root: Optional[Path], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8", errors="replace")


def _plain_text(path: Path) -> str:
    """A small plain file's text ("" when it is missing, a link, a folder or unreadable — doctor then says so)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1 << 20:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _branch(root: Path) -> Optional[str]:
    """The current branch's short name — also on a branch without commits yet; None on a detached HEAD."""
    r = _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    return (r.stdout.strip() or None) if r.returncode == 0 else None


@handled
def doctor() -> None:
    """Each check prints ✓, ✗ with its fix (a problem: exit 1) or · 提示 with what to do when needed (a note:
    the set-up is usable as it is, e.g. a workspace without a remote yet — exit 0 when nothing else is wrong)."""
    problems = 0
    notes = 0

    def ok(text: str) -> None:
        out(f"✓ {text}")

    def bad(text: str, fix: str) -> None:
        nonlocal problems
        problems += 1
        out(f"✗ {text}\n  修复: {fix}")

    def note(text: str, way: str) -> None:
        nonlocal notes
        notes += 1
        out(f"· 提示：{text}\n  需要时：{way}")

    v = sys.version_info
    if v >= (3, 10):
        ok(f"Python {v.major}.{v.minor}.{v.micro}")
    else:
        bad(f"Python {v.major}.{v.minor} 太旧", "安装 Python 3.10 或更新版本(Windows 用 python.org 的安装包,勾选 Add to PATH)")
    try:
        version = _git(None, "--version").stdout.strip()
    except FileNotFoundError:
        bad("找不到 git", "安装 Git(Windows 用 Git for Windows 安装包,见 docs/install.md),装好后重新打开命令行")
        raise typer.Exit(1) from None
    m = re.search(r"(\d+)\.(\d+)", version)
    if m and (int(m[1]), int(m[2])) >= (2, 25):
        ok(version)
    else:
        bad(f"{version} 太旧", "升级到 Git 2.25 或更新版本")

    from ..workspace import find_root

    try:
        root = find_root(explicit=STATE.root)
    except Exception:  # noqa: BLE001 - not in a workspace is one of the findings
        bad(f"{Path.cwd()} 不是台账工作区", "进入台账目录再运行 yilan doctor,或用 yilan init 新建工作区")
        raise typer.Exit(1) from None
    ok(f"工作区 {root}")
    from ..workspace import is_source_checkout

    source = is_source_checkout(root)
    if source:
        note("这里是 yilan 自身的源代码目录，其中的示例台账只供查看，写入命令会被拒绝",
             "用 yilan init ../台账练习 --example 另建一个练习用的工作区（确需修改示例数据时加 --allow-source-checkout）")
    from ..history import git_dir

    gdir = git_dir(root)
    if gdir is None:
        bad("工作区不是 git 仓库,修改无法留痕", f"在 {root} 运行: git init,然后 git add -A 和 git commit -m 初始化")
        raise typer.Exit(1)
    ident = _git(root, "var", "GIT_COMMITTER_IDENT")
    if ident.returncode == 0:
        ok("提交人:" + ident.stdout.rsplit(">", 1)[0] + ">")
    else:
        bad("没有设置提交人姓名和邮箱",
            'git config --global user.name "张三"  和  git config --global user.email "zhangsan@example.gov.cn"')
    branch = _branch(root)
    has_commit = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}").returncode == 0
    if branch is None:
        from ..i18n import t

        head = _git(root, "rev-parse", "--short", "HEAD").stdout.strip()
        branches = _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads").stdout.split()
        back = next((b for b in ("main", "master") if b in branches), branches[0] if branches else "main")
        bad(t("err.detached", commit=head), t("hint.detached", branch=back))
    elif not has_commit:
        bad(f"仓库还没有任何提交（当前分支 {branch}），yilan 的写入和同步都无从留痕",
            f"在 {root} 先运行 git status 看一眼将要提交的文件，再运行：git add -A，然后 git commit -m 初始化台账工作区")
    else:
        ok(f"当前分支：{branch}")
    remotes = _git(root, "remote").stdout.split()
    shown = branch or "main"
    if remotes:
        ok(f"远端仓库:{'、'.join(remotes)}")
        upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
        if upstream.returncode == 0:
            ok(f"当前分支的上游:{upstream.stdout.strip()}")
        else:
            first = "" if has_commit else "做完上面的第一次提交后，"
            bad(f"当前分支 {shown} 没有上游,yilan sync 不知道同步到哪里", f"{first}git push -u {remotes[0]} {shown}")
    else:
        # a workspace used on one computer is complete; a remote is wanted only to share or back it up
        note("还没有远端仓库，台账只保存在这台电脑上（单机使用无妨；多人同步、异地备份时才需要）",
             f"git remote add origin <内网 Gitea/GitLab 上台账仓库的地址>，然后 git push -u origin {shown}")
    config = _plain_text(gdir / "config")
    if '[merge "yilan"]' in config:
        ok("事项合并驱动已配置")
    else:
        bad("没有配置事项合并驱动,多人修改同一事项时会出现冲突",
            f'git config merge.yilan.driver "\\"{sys.executable}\\" -m yilan_cli merge-file %O %A %B"'
            + ("" if source else "(或运行任意一条 yilan 写入命令,会自动配置)"))  # writes are refused there (U007)
    attributes = root / ".gitattributes"
    attr_text = _plain_text(attributes)
    if "eol=lf" in attr_text:
        ok(".gitattributes 规定了 LF 换行和合并驱动")
    else:
        bad(".gitattributes 缺少 eol=lf,Windows 上可能把 CRLF 写进事项文件",
            "从 yilan init 新建的工作区复制 .gitattributes,提交")
    if (root / "research").is_dir() and "research/**/*.yaml merge=union" not in attr_text:
        bad("一线调研记录没有按行合并,两人同时给同一人记调研时会出现合并冲突",
            "在 .gitattributes 中加一行 research/**/*.yaml merge=union,提交")
    state = gdir / "yilan"
    if any((state / name).exists() for name in ("journal.json", "journal.failed.json", "sync.json")):
        bad("上次写入(或同步)被中断,还没有处理", "运行任意一条 yilan 写入命令(如 yilan fmt),它会先补交或撤销那次写入")
    for kept in sorted(state.glob("journal-*.json")):
        bad(f"一次被中断的写入之后文件又被改过,yilan 没有动它,留下了记录:{kept}",
            "核对该记录中列出的文件(git diff),确认无误后提交或还原,再删除这个记录文件")
    lock = state / "write.lock"
    if lock.exists():
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(lock), timeout=0):
                ok("写入锁空闲")
        except Timeout:
            bad("另一个 yilan 命令正在写入(锁被占用)", "等它结束;若确认没有 yilan 在运行,关闭所有命令行窗口后重试")
    else:
        ok("写入锁空闲")
    if (gdir / "index.lock").exists():
        bad(f"git 索引被锁定:{gdir / 'index.lock'}",
            f"等正在使用仓库的 git 程序(或 VS Code、TortoiseGit 等)结束;确认都已关闭、该文件仍在,才删除 {gdir / 'index.lock'}")
    if problems:
        out(f"发现 {problems} 个问题,请按上面的提示修复")
    else:
        out(f"体检通过（另有{notes}条提示，见上）" if notes else "体检通过")
    if problems:
        raise typer.Exit(1)


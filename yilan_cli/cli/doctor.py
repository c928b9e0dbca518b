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


@handled
def doctor() -> None:
    problems = 0

    def ok(text: str) -> None:
        out(f"✓ {text}")

    def bad(text: str, fix: str) -> None:
        nonlocal problems
        problems += 1
        out(f"✗ {text}\n  修复: {fix}")

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
    remotes = _git(root, "remote").stdout.split()
    if remotes:
        ok(f"远端仓库:{'、'.join(remotes)}")
        upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
        if upstream.returncode == 0:
            ok(f"当前分支的上游:{upstream.stdout.strip()}")
        else:
            branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
            bad(f"当前分支 {branch} 没有上游,yilan sync 不知道同步到哪里", f"git push -u {remotes[0]} {branch}")
    else:
        branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip() or "main"
        bad("没有远端仓库,台账只在这台电脑上",
            f"git remote add origin <内网 Gitea/GitLab 上台账仓库的地址>,然后 git push -u origin {branch}")
    config = _plain_text(gdir / "config")
    if '[merge "yilan"]' in config:
        ok("事项合并驱动已配置")
    else:
        bad("没有配置事项合并驱动,多人修改同一事项时会出现冲突",
            f'git config merge.yilan.driver "\\"{sys.executable}\\" -m yilan_cli merge-file %O %A %B"'
            "(或运行任意一条 yilan 写入命令,会自动配置)")
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
    out("体检通过" if not problems else f"发现 {problems} 个问题,请按上面的提示修复")
    if problems:
        raise typer.Exit(1)


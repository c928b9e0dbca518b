"""Everything that talks to git. The only module that imports GitPython.

Commands that read ledgers never import this module, so ``yilan status`` does not pay for git.
"""

from __future__ import annotations

from pathlib import Path

from .errors import YilanError


def identity_error() -> YilanError:
    return YilanError(
        "git 未设置提交人姓名或邮箱,无法记录是谁做的修改",
        '请运行: git config --global user.name "张三"  和  git config --global user.email "zhangsan@example.gov.cn"',
        code="G001",
    )


def require_identity(repo: object) -> None:
    """Ask git itself (it honours GIT_CONFIG_GLOBAL and the GIT_* variables) who would commit."""
    import git

    assert isinstance(repo, git.Repo)
    try:
        repo.git.var("GIT_AUTHOR_IDENT")
        repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError:
        raise identity_error() from None


def init_and_commit(root: Path, message: str) -> str:
    """``git init`` (if needed), stage everything under ``root`` and make the first commit."""
    import git

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(root)
    require_identity(repo)
    repo.git.add("--all", ".")
    repo.git.commit("-q", "-m", message)
    return repo.head.commit.hexsha

"""市级交办事项: ``yilan assignments pull`` — the city office's new assignments into this county's shi ledger."""

from typing import Annotated, Optional

import typer

from .common import STATE, handled, out, today_arg, workspace

assignments_app = typer.Typer(help="市级交办事项：从市委市政府督查室的台账仓库接收交办本县的事项。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(assignments_app, name="assignments")
    assignments_app.command(
        "pull", help="接收市级交办事项：获取市级台账仓库（--from 地址，默认为名为 city 的远端仓库），把交办本县"
                     "（schemas/units.yaml 的 本级，或 --as）的新事项登记到市委市政府决策部署落实台账（SHW），"
                     "每件只接收一次，一次提交。")(pull)


@handled
def pull(
    from_: Annotated[Optional[str], typer.Option(
        "--from", help="市级台账仓库的地址（默认为名为 city 的远端仓库，见 docs/assignments.md）")] = None,
    as_: Annotated[Optional[str], typer.Option(
        "--as", help="本县在市级名录中的名称（默认为 schemas/units.yaml 的 本级）")] = None,
    today: Annotated[Optional[str], typer.Option(
        "--today", help="今天的日期，默认今天（只用于提示交办日期晚于今天、接收时已过完成时限的事项）")] = None,
) -> None:
    from ..pull import describe
    from ..pull import pull as pull_

    ws = workspace()
    result = pull_(ws, from_, as_, today_arg(today), commit=not STATE.no_commit, author=STATE.author)
    for line in describe(result):
        out(line)

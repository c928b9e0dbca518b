"""Generate a realistic yilan workspace of N matters across the 13 shipped ledgers, committed to git.

    python bench/generate.py 20000 /tmp/ws20k [--seed 7]

Matters are dated 2022 with 1–6 进展 entries, indicators, some extensions, some closed, stage-closed,
signed-off and suspended, so every rule of the status engine is exercised at --today 2022-06-30.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOWNSHIPS = ["依兰镇", "达连河镇", "江湾镇", "三道岗镇", "道台桥镇", "宏克力镇", "团山子乡", "愚公乡", "迎兰朝鲜族乡"]
DEPARTMENTS = ["县发改局", "县工信局", "县财政局", "县自然资源局", "县住建局", "县交通运输局", "县农业农村局",
               "县水务局", "县商务局", "县文体广电和旅游局", "县卫健局", "县生态环境局", "县信访局", "县公安局",
               "县市场监管局", "县畜牧水产服务中心"]
LEADERS = ["县委书记", "县长", "常务副县长", "分管副县长", "县委副书记"]
WORDS = ["推进", "项目", "整治", "改造", "建设", "提升", "化解", "督导", "保障", "治理", "服务", "落实"]
NOTES = ["完成前期手续", "主体工程开工", "完成年度任务过半", "召开专题调度会", "完成招标", "设备进场安装", "组织验收"]
LEDGERS = [("zsj", "ZSJ"), ("zy", "ZY"), ("sheng", "SW"), ("shi", "SHW"), ("xian", "XW"), ("zhuanban", "ZB"),
           ("xiangmu", "XM"), ("baolian", "BL"), ("xinfang", "XF"), ("huanbao", "HB"), ("yiqing", "YQ"),
           ("xiangcun", "XC"), ("zhongda", "ZD")]
EXTRA = {"xinfang": "信访件编号: YLXF-2022-{n:05d}\n信访人: 某某\n", "huanbao": "交办件编号: D2HLJ2022{n:06d}\n",
         "xiangmu": "总投资万元: {inv}\n"}


def matter_text(rng: random.Random, prefix: str, key: str, n: int) -> str:
    day0 = date(2022, 1, 1)
    assigned = day0 + timedelta(days=rng.randint(0, 150))
    ongoing = rng.random() < 0.06
    deadline = assigned + timedelta(days=rng.randint(20, 330))
    unit = rng.choice(TOWNSHIPS + DEPARTMENTS)
    title = "".join(rng.sample(WORDS, 3)) + f"第{n}项"
    lines = [f"编号: {prefix}-{n:03d}", f"事项: {title}", "任务来源: 县委县政府2022年重点工作",
             f"目标要求: 按期完成{title}", f"牵头领导: [{rng.choice(LEADERS)}]", f"牵头单位: {unit}"]
    if rng.random() < 0.5:
        lines.append(f"配合单位: [{rng.choice(DEPARTMENTS)}]")
    lines += [f"责任人: 某{n % 97}", f"交办日期: {assigned}", f"完成时限: {'长期' if ongoing else deadline}"]
    entries = []
    d, progress = assigned, 0
    for _ in range(rng.randint(1, 6)):
        d = d + timedelta(days=rng.randint(10, 45))
        progress = min(95, progress + rng.randint(5, 30))
        entries.append(f"  - {{日期: {d}, 进度: {progress}, 情况: {rng.choice(NOTES)}, 报告人: {unit}}}")
    state, closed_on = "推进中", None
    roll = rng.random()
    if roll < 0.30:
        d = d + timedelta(days=rng.randint(1, 30))
        state, closed_on = "已办结", d
        entries.append(f"  - {{日期: {d}, 进度: 100, 状态: 已办结, 情况: 完成全部任务, 报告人: {unit}}}")
        if rng.random() < 0.2:
            d = d + timedelta(days=10)
            state = "已销号"
            entries.append(f"  - {{日期: {d}, 状态: 已销号, 情况: 经县委督查室审核批准销号}}")
    elif roll < 0.35:
        d = d + timedelta(days=5)
        state, closed_on = "阶段性办结", d
        entries.append(f"  - {{日期: {d}, 状态: 阶段性办结, 情况: 主体完成, 报告人: {unit}}}")
    elif roll < 0.37:
        d = d + timedelta(days=5)
        state = "中止"
        entries.append(f"  - {{日期: {d}, 状态: 中止, 情况: 依法中止, 报告人: {unit}}}")
    lines.append(f"状态: {state}")
    if closed_on:
        lines.append(f"办结日期: {closed_on}")
    if key in EXTRA:
        lines.append(EXTRA[key].format(n=n, inv=rng.randint(100, 90000)).rstrip("\n"))
    if rng.random() < 0.4:
        lines.append("量化指标:")
        lines.append(f"  - {{名称: 完成投资, 单位: 万元, 目标: {rng.randint(100, 9000)}, 完成: {rng.randint(0, 9000)}}}")
    if not ongoing and rng.random() < 0.15:
        applied = deadline - timedelta(days=5)
        lines.append("延期:")
        lines.append(f"  - {{申请日期: {applied}, 新时限: {deadline + timedelta(days=60)}, 理由: 受天气影响, "
                     f"批准人: 常务副县长, 批准日期: {applied + timedelta(days=2)}}}")
    if state == "已销号":
        lines.append(f"销号: {{日期: {d}, 审核人: 县委督查室, 批准人: 常务副县长, 佐证材料: [验收意见]}}")
    lines.append("进展:")
    lines += entries
    return "\n".join(lines) + "\n"


def generate(n: int, root: Path, seed: int = 7) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "ledgers").mkdir(parents=True)
    shutil.copytree(REPO / "schemas", root / "schemas")
    rng = random.Random(seed)
    weights = [3, 3, 5, 5, 12, 8, 10, 6, 8, 6, 4, 8, 2]
    counts = {key: 0 for key, _ in LEDGERS}
    for _ in range(n):
        key, prefix = rng.choices(LEDGERS, weights)[0]
        counts[key] += 1
        folder = root / "ledgers" / key
        folder.mkdir(exist_ok=True)
        text = matter_text(rng, prefix, key, counts[key])
        (folder / f"{prefix}-{counts[key]:03d}.yaml").write_text(text, encoding="utf-8", newline="\n")
    for key, c in counts.items():
        (root / "ledgers" / key).mkdir(exist_ok=True)
        (root / "ledgers" / key / ".last-id").write_text(f"{c}\n", encoding="utf-8")
    (root / ".gitignore").write_text(".yilan/\n", encoding="utf-8")
    env_git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.gov.cn"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*env_git, "commit", "-qm", f"bench: {n} matters"], cwd=root, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n", type=int)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    generate(args.n, args.dir.resolve(), args.seed)
    print(f"{args.n} matters in {args.dir}")


if __name__ == "__main__":
    main()

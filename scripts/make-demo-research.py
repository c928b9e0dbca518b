"""Regenerate the demo 一线调研 records (research/2022/*.yaml) for schemas/people.yaml, 2022 H1.

Seeded by each person's id: the same files every run. The demo files are committed; run this only to
change them (python scripts/make-demo-research.py from the repository root).
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = ["依兰镇东升村", "达连河镇达连河村", "江湾镇江湾村", "三道岗镇三道岗村", "道台桥镇永安村", "宏克力镇宏克力村",
            "团山子乡团山子村", "愚公乡愚公村", "迎兰朝鲜族乡迎兰村"]
PARKS = ["县经济开发区", "达连河镇工业园区"]
# (topic, problem found, what was done, matters it may be linked to, where it happens)
TOPICS = [("备春耕生产", "部分农户化肥未到位", "协调农资企业送肥下乡", ["XC-002"], VILLAGES),
          ("秸秆垛清理", "个别村屯秸秆垛未清运", "督促乡镇三日内清运完毕", ["XC-001"], VILLAGES),
          ("肉牛项目建设", "设备安装进度滞后", "现场协调施工方增加人手", ["ZB-003"], ["中植肉牛养殖屠宰加工项目现场"]),
          ("疫情防控", "卡口值守人员不足", "调整值守排班", ["YQ-001"], [*VILLAGES, "依兰镇城西社区"]),
          ("信访积案化解", "群众诉求未完全回应", "约见当事人当面答复", [], [*VILLAGES, "依兰镇城西社区"]),
          ("环保督察整改", "河道垃圾清理不彻底", "责成乡镇限期清理", ["HB-001"], VILLAGES),
          ("重大项目推进", "用地手续办理较慢", "协调自然资源局加快办理", ["XM-001"], PARKS),
          ("企业包联服务", "企业反映融资困难", "对接县内金融机构", ["BL-001"], PARKS),
          ("粮食储备安全", "仓储设施老化", "列入年度改造计划", [], ["江湾镇粮食储备库"])]
# visit days per week: some ahead of the pace, some behind it
RATE = {"xwsj": 1.6, "xz": 1.3, "cwfxz": 1.1, "fxz-nongye": 0.9, "fxz-gongye": 0.6,
        "ylz-sj": 2.3, "dlhz-sj": 1.9, "jwz-sj": 1.3, "nyj-jz": 2.1, "fgj-jz": 1.6}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from yilan_cli.periods import WorkCalendar
    from yilan_cli.research import load_people
    from yilan_cli.workspace import load

    ws = load(ROOT)
    cal = WorkCalendar(ws.rules.holidays, ws.rules.workdays)
    for p in load_people(ws):
        rnd = random.Random(p.id)
        lines = [f"# 一线调研记录:{p.name}({p.title}),2022年。由 yilan research add 追加,每行一次调研",
                 f"人员: {p.id}", "调研:"]
        for w in cal.weeks(2022):
            if w.first > date(2022, 6, 30):
                break
            days = [w.first + timedelta(days=i) for i in range((w.last - w.first).days + 1)]
            work = [d for d in days if cal.is_working(d)]
            if not work:
                continue
            n = int(RATE[p.id]) + (rnd.random() < RATE[p.id] - int(RATE[p.id]))
            for d in sorted(rnd.sample(work, min(n, len(work)))):
                topic, found, result, matters, where = rnd.choice(TOPICS)
                place = rnd.choice(where)
                entry = f"  - {{日期: {d}, 地点: {place}, 主题: {topic}, 发现问题: {found}, 解决情况: {result}"
                if matters and rnd.random() < 0.3:
                    entry += f", 事项: [{', '.join(matters)}]"
                lines.append(entry + "}")
        out = ROOT / "research" / "2022" / f"{p.id}.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

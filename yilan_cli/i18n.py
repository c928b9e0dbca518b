"""Every word a user reads, in Chinese (default) and English (``--lang en`` / ``YILAN_LANG=en``).

One catalog, keyed by finding code or by a UI key. ``t(key, **params)`` formats the current
language's text; a missing English text falls back to Chinese rather than failing.
"""

from __future__ import annotations

import os

_lang = "en" if os.environ.get("YILAN_LANG", "").lower().startswith("en") else "zh"


def set_lang(lang: str | None) -> None:
    global _lang
    if lang:
        _lang = "en" if lang.lower().startswith("en") else "zh"


def lang() -> str:
    return _lang


# code: (zh message, zh hint, en message, en hint)
FINDINGS: dict[str, tuple[str, str, str, str]] = {
    "E100": ("文件过大({size} 字节,上限 {limit} 字节)", "一个事项文件通常只有几 KB,请检查是否误存了其他内容",
             "file too large ({size} bytes, limit {limit})", "a matter file is a few KB; check what was saved into it"),
    "E101": ("文件不是 UTF-8 编码(可能是 GBK)", "请用记事本或 VS Code 另存为 UTF-8 编码",
             "file is not UTF-8 (probably GBK)", "save it again as UTF-8"),
    "E102": ("文件含有二进制内容,不是文本文件", "请确认没有把 Word/Excel 等文件改名为 .yaml",
             "file contains binary data, not text", "make sure no Word/Excel file was renamed to .yaml"),
    "E103": ("缩进用了 Tab 制表符", "YAML 只能用空格缩进,请把 Tab 换成空格",
             "indentation uses a tab", "YAML indents with spaces only; replace tabs with spaces"),
    "E104": ("格式错误:{detail}", "检查该行及上一行的缩进、冒号和括号是否配对",
             "YAML syntax error: {detail}", "check indentation, colons and brackets on this and the previous line"),
    "E105": ("键必须是文字", "字段名应写在冒号前,例如 事项: ……",
             "keys must be text", "write the field name before the colon, e.g. 事项: …"),
    "E106": ("不允许的标签 {tag}", "事项文件只能包含文字、数字、列表和字段,请删除以 ! 开头的标签",
             "tag {tag} is not allowed", "matter files hold text, numbers, lists and fields only; remove the ! tag"),
    "E107": ("引用(别名 *)过多", "请把内容直接写出,不要使用 & 和 * 引用",
             "too many aliases (*)", "write the content out instead of using & and * references"),
    "E108": ("字段重复:{key}", "同一层级每个字段只能出现一次,请删除或合并重复的行",
             "duplicate key: {key}", "each field may appear once per level; delete or merge the duplicate"),
    "E109": ("嵌套层级过深", "事项文件最多嵌套几层,请检查缩进",
             "nesting too deep", "a matter file nests only a few levels; check the indentation"),
    "E110": ("文件是空的", "请填写事项内容,或删除该文件",
             "file is empty", "fill in the matter or delete the file"),
    "E111": ("文件顶层应是字段(键: 值),而不是{kind}", "每行写成 字段名: 内容,例如 编号: ZB-003",
             "the top level must be fields (key: value), not {kind}", "write each line as key: value, e.g. 编号: ZB-003"),
    "E112": ("文件中有未解决的 git 合并冲突标记", "请保留正确的内容并删除 <<<<<<<、=======、>>>>>>> 这些行",
             "unresolved git merge conflict markers", "keep the right content and delete the <<<<<<< ======= >>>>>>> lines"),
    "E113": ("字段名后用了全角冒号'：'", "全角冒号'：'应为半角':',冒号后再加一个空格",
             "full-width colon '：' after a field name", "use the ASCII colon ':' followed by a space"),
    "E114": ("文件(或它所在的文件夹)是符号链接,已拒绝读取", "工作区中的文件必须是普通文件夹中的普通文件;请删除链接,把文件本身放进来",
             "the file (or its folder) is a symbolic link; refused", "workspace files must be plain files in plain folders; replace the link by the file itself"),
    "E201": ("未知字段:{key}", "{suggest}",
             "unknown field: {key}", "{suggest}"),
    "E202": ("缺少必填字段:{field}", "请补充 {field}: ……",
             "missing required field: {field}", "add {field}: …"),
    "E203": ("{field} 不是日期:{value}", "日期写成 2022-08-31 的格式",
             "{field} is not a date: {value}", "write dates as 2022-08-31"),
    "E204": ("{field} 日期不存在:{value}", "请核对月份和日期,例如2月没有30日",
             "{field}: no such day: {value}", "check the month and day (February has no 30th)"),
    "E205": ("{field} 应为整数:{value}", "只写数字,不带百分号或单位,例如 进度: 70",
             "{field} must be a whole number: {value}", "write the number only, e.g. 进度: 70"),
    "E206": ("进度超出范围:{value}", "进度是 0 到 100 之间的整数",
             "progress out of range: {value}", "progress is a whole number from 0 to 100"),
    "E207": ("状态不正确:{value}", "状态只能是 未启动、推进中、阶段性办结、已办结、已销号、中止 之一",
             "invalid status: {value}", "status is one of 未启动 推进中 阶段性办结 已办结 已销号 中止"),
    "E208": ("报告周期不正确:{value}", "报告周期只能是 月、季、半年、年 之一",
             "invalid report cycle: {value}", "the cycle is one of 月 季 半年 年"),
    "E209": ("{field} 应为文字且不能为空", "请填写内容;纯数字请加引号,例如 \"2022\"",
             "{field} must be non-empty text", "fill it in; quote pure numbers, e.g. \"2022\""),
    "E210": ("{field} 应为列表", "列表写成 [甲, 乙] 或每行以 - 开头",
             "{field} must be a list", "write a list as [a, b] or one '- ' item per line"),
    "E211": ("{field} 应为一组字段", "写成 {{字段: 值, 字段: 值}} 的形式,字段名见 docs/format.md",
             "{field} must be a mapping", "write it as {{key: value, key: value}}; see docs/format.md"),
    "E212": ("{field} 应为数字:{value}", "只写数字,例如 4000",
             "{field} must be a number: {value}", "write the number only, e.g. 4000"),
    "E213": ("{field} 的值不正确:{value}", "请对照 docs/format.md 填写",
             "invalid value for {field}: {value}", "see docs/format.md"),
    "E301": ("编号格式不正确:{value}", "编号写成 前缀-数字,例如 ZB-003",
             "malformed ID: {value}", "an ID is PREFIX-digits, e.g. ZB-003"),
    "E302": ("编号 {id} 与文件名 {name} 不一致", "把文件改名为 {id}.yaml,或改正编号",
             "ID {id} does not match the file name {name}", "rename the file to {id}.yaml or fix the ID"),
    "E303": ("编号前缀 {prefix} 不属于台账 {ledger}(应为 {expected})", "把文件移到正确台账的目录,或改正编号",
             "prefix {prefix} does not belong to ledger {ledger} (expected {expected})", "move the file to its ledger or fix the ID"),
    "E304": ("编号 {id} 重复(另见 {other})", "编号不能重复使用,请为其中一个换用新编号",
             "duplicate ID {id} (also in {other})", "IDs are never reused; give one of them a new ID"),
    "E305": ("单位未登记:{unit}", "{suggest}",
             "unit not registered: {unit}", "{suggest}"),
    "E306": ("完成时限 {deadline} 早于交办日期 {assigned}", "请核对日期",
             "deadline {deadline} is before the assignment date {assigned}", "check the dates"),
    "E307": ("进展记录的日期未按先后顺序:{date} 早于上一条 {prev}", "进展只能按日期顺序追加,请调整顺序",
             "progress entries out of date order: {date} before {prev}", "entries are appended in date order"),
    "E308": ("状态 {state} 与进展记录不符(最后一次状态变更为 {expected})", "状态应与最后一条带状态的进展一致",
             "status {state} does not match the log (latest transition: {expected})", "the status equals the latest transition in 进展"),
    "E309": ("状态为 {state} 但缺少办结日期", "补充 办结日期,与办结那条进展的日期一致",
             "status {state} but no 办结日期", "add 办结日期, equal to the closing entry's date"),
    "E310": ("办结日期 {value} 与进展记录不符(应为 {expected})", "办结日期应等于最后一次办结(或阶段性办结)进展的日期",
             "办结日期 {value} does not match the log (expected {expected})", "办结日期 equals the date of the latest closing entry"),
    "E311": ("状态为已销号但缺少销号信息", "补充 销号: {{日期, 审核人, 批准人, 佐证材料}}",
             "status 已销号 without a 销号 record", "add 销号: {{日期, 审核人, 批准人, 佐证材料}}"),
    "E312": ("日期早于交办日期 {assigned}:{value}", "请核对日期",
             "date before the assignment date {assigned}: {value}", "check the dates"),
    "E313": ("台账目录 {ledger} 未在 schemas/ledgers/ 中定义", "把文件移到已有台账目录,或新增台账定义",
             "ledger folder {ledger} is not defined in schemas/ledgers/", "move the file or define the ledger"),
    "E314": ("批准日期 {approved} 早于申请日期 {applied}", "请核对延期的日期",
             "approval {approved} precedes application {applied}", "check the extension dates"),
    "E316": ("专班未登记:{value}", "{suggest}",
             "task force not registered: {value}", "{suggest}"),
    "E322": ("进展中的指标 {name} 不在本事项的量化指标中(已有:{known})", "改正指标名称,或先在 量化指标 中增加该指标",
             "indicator {name} in an entry is not one of the matter's 量化指标 (known: {known})", "fix the name or add the indicator"),
    "E338": ("{value} 的进展报告了指标 {name}，但该指标 {since} 才设立", "设立之前的进展不能报告它（此前的通报中没有这个指标）；核对进展日期或指标的设立日期",
             "an entry of {value} reports indicator {name}, set only on {since}", "an entry before an indicator was set cannot report it"),
    "E325": ("{part}的名称 {name} 重复", "同一事项的{part}名称不能重复(进展中的指标和节点完成按名称记录),请改名或合并",
             "duplicate {part} name {name}", "names within a matter's {part} are unique"),
    "E329": ("量化指标的类型不正确：{value}", "类型只能是 数量、增速、比率、越低越好 之一；不写即为数量（docs/format.md，量化指标的类型）",
             "invalid indicator type: {value}", "类型 is one of 数量 增速 比率 越低越好; absent means 数量 (docs/format.md)"),
    "E340": ("撤销与恢复记录不相符：{date} {why}", "撤销、恢复交替记录，按日期先后：每次恢复都在一次撤销之后；请用 yilan withdraw、yilan reinstate 记录，不要手工改动",
             "withdrawal and reinstatement records do not match: {date} {why}", "withdrawals and reinstatements alternate in date order; record them with yilan withdraw / reinstate"),
    "E401": ("schemas/matter.schema.json 已过期,与当前的字段定义不一致", "运行 yilan schema -o schemas/matter.schema.json 并提交",
             "schemas/matter.schema.json is stale", "run yilan schema -o schemas/matter.schema.json and commit it"),
    "E315": ("{field} 中含有{kind},台账不应保存个人信息", "请改为引用编号(如 信访件编号),或把该字段在台账定义中标为 敏感",
             "{field} contains a {kind}; the ledger must not hold personal details", "use a reference number instead, or mark the field 敏感 in the ledger schema"),
    "E116": ("{field} 中有 Word/Excel 文件无法容纳的控制字符 {char}(常见于从 Word 复制的换行)", "删除该字符(或换成空格);用 yilan 命令或导入录入时会自动换成空格",
             "{field} holds a control character {char} that no Word/Excel file can hold", "delete it (or replace it by a space); typed and imported text is cleaned automatically"),
    "E601": ("人员未登记:{value}", "{suggest}",
             "person not registered: {value}", "{suggest}"),
    "E602": ("人员 {value} 与文件名 {name} 不一致", "调研记录文件名为 research/<年份>/<人员编号>.yaml",
             "person {value} does not match the file name {name}", "a research file is research/<year>/<person-id>.yaml"),
    "E603": ("调研日期 {value} 不在 {year} 年", "该记录应放在 research/{actual}/ 下,或改正日期",
             "research date {value} is not in {year}", "move the entry to research/{actual}/ or fix the date"),
    "E604": ("事项不存在:{value}", "写事项编号,例如 XC-001;可用 yilan status --all 查找",
             "no such matter: {value}", "write a matter ID such as XC-001"),
    "E605": ("调研记录重复:{date} {place}(与第 {entry} 条相同)", "同一天同一地点只记一次,请删除重复的一条",
             "duplicate research entry: {date} {place} (same as entry {entry})", "record a visit once; delete the duplicate"),
    "E606": ("调研记录文件位置不正确", "调研记录放在 research/<年份>/<人员编号>.yaml,例如 research/2022/zhangwei.yaml",
             "research file in the wrong place", "research files are research/<year>/<person-id>.yaml"),
    "R001": ("{id} {title}:{reason}", "请督促 {unit} 加快推进并报送进展",
             "{id} {title}: {reason}", "ask {unit} to speed up and report progress"),
    "Y001": ("{id} {title}:{reason}", "请提醒 {unit} 关注并按期报送进展",
             "{id} {title}: {reason}", "remind {unit} to report on time"),
    "Y002": ("{id} 的牵头领导“{leader}”可指多人：{people}，按领导出的报告（--leader）不含本事项",
             "写明牵头领导的姓名，如 牵头领导: [{person}]；人员名录见 schemas/people.yaml",
             "{id}: 牵头领导 {leader} may mean several people ({people}); no leader's report (--leader) includes it",
             "name the leader, e.g. 牵头领导: [{person}]; the register is schemas/people.yaml"),
    "Y003": ("{id} {title}：量化指标“{name}”的完成值{value}（目标{target}，类型{kind}）不合常理：{reason}",
             "请核实数值和单位；目标本身是百分数的指标（如增速、占比）在量化指标中写明 类型: 增速 或 类型: 比率",
             "{id} {title}: indicator {name} reads {value} (target {target}, type {kind}), which is implausible: {reason}",
             "check the figure and its unit; an indicator whose target is a percentage takes 类型: 增速 or 类型: 比率"),
}

UI: dict[str, tuple[str, str]] = {
    "severity.error": ("错误", "error"),
    "severity.red": ("红灯", "red"),
    "severity.yellow": ("黄灯", "yellow"),
    "hint": ("提示", "hint"),
    "light.red": ("红", "red"),
    "light.yellow": ("黄", "yellow"),
    "light.blue": ("蓝", "blue"),
    "light.green": ("绿", "green"),
    "light.none": ("无", "none"),
    "reason.overdue": ("超期 {days} 天", "overdue {days} days"),
    "reason.lag": ("滞后序时进度 {lag} 个百分点", "{lag} points behind schedule"),
    "reason.missing": ("{period} 未按期报告", "no report for {period}"),
    "reason.milestone": ("节点“{name}”逾期未完成", "milestone '{name}' missed"),
    "reason.due_soon": ("距完成时限 {days} 天", "{days} days to deadline"),
    "withdraw.none_before": ("的恢复之前没有对应的撤销", "reinstates a matter that was not withdrawn"),
    "withdraw.before": ("的恢复早于撤销日期 {date}", "is before the withdrawal of {date}"),
    "withdraw.not_reinstated": ("的撤销之前，{date} 的撤销尚未恢复", "withdraws again, but the withdrawal of {date} was never reinstated"),
    "withdraw.before_reinstated": ("的撤销早于上次恢复日期 {date}", "is before the reinstatement of {date}"),
    "did_you_mean": ("您是否想写 {name}?", "did you mean {name}?"),
    "allowed_keys": ("允许的字段见 docs/format.md", "see docs/format.md for the allowed fields"),
    "unit_suggest": ("您是否想写 {name}?单位须在 schemas/units.yaml 中登记", "did you mean {name}? units must be in schemas/units.yaml"),
    "unit_register": ("请在 schemas/units.yaml 中登记该单位,或改用已登记的单位", "register it in schemas/units.yaml or use a registered unit"),
    "kind.list": ("列表", "a list"),
    "kind.text": ("一段文字", "text"),
    "kind.other": ("单个值", "a single value"),
    "col.light": ("灯", "Light"),
    "col.id": ("编号", "ID"),
    "col.title": ("事项", "Title"),
    "col.unit": ("牵头单位", "Lead unit"),
    "col.state": ("状态", "Status"),
    "col.deadline": ("完成时限", "Deadline"),
    "col.progress": ("进度", "Progress"),
    "col.expected": ("序时", "Expected"),
    "col.note": ("说明", "Note"),
    "summary": ("共 {total} 项 · 红灯 {red} · 黄灯 {yellow} · 蓝灯 {blue} · 绿灯 {green} · 已办结 {closed} · 阶段性办结 {stage} · 办结率 {rate}",
                "{total} matters · red {red} · yellow {yellow} · blue {blue} · green {green} · closed {closed} · stage-closed {stage} · completion {rate}"),
    "year_from_clock": ("（{what} {text} 未写年份，按今年记为 {day}；其他年份请写全，如 2022-09-30）",
                        "({what} {text} has no year: read as {day}, this year; write the year for another)"),
    "as_of": ("评估日 {day} · ", "as of {day} · "),
    "listed_of": ("以上列出 {n} 项（按灯色或时限筛选）；以下合计含未列出的事项：", "{n} listed (by light or deadline); the totals below include the rest:"),
    "state.withdrawn": ("已撤销", "withdrawn"),
    "hidden_withdrawn": ("（另有{n}项已撤销，不计入统计，未列出；加 --all 显示）", "({n} withdrawn, not counted and not listed; --all shows them)"),
    "reason.withdrawn": ("已撤销，不计入统计", "withdrawn, not counted"),
    "hidden_closed": ("(另有 {n} 项已办结或中止未列出,加 --all 显示)", "({n} closed or suspended not listed; --all shows them)"),
    "invalid_files": ("以下 {n} 个文件有错误,未计入:", "{n} invalid files were left out:"),
    "invalid_file": ("  {place}: {message}", "  {place}: {message}"),
    "run_check": ("运行 yilan check 查看全部问题", "run yilan check to see every problem"),
    "check_ok": ("检查通过:{files} 个文件,未发现错误", "check passed: {files} files, no errors"),
    "check_counts": ("共 {files} 个文件:错误 {error} 处,红灯 {red} 项,黄灯 {yellow} 项",
                     "{files} files: {error} errors, {red} red, {yellow} yellow"),
    "check_doubtful": (",量化指标存疑 {n} 处", ", {n} doubtful indicator values"),
    "check_shared_leader": (",牵头领导可指多人 {n} 项", ", {n} matters whose 牵头领导 may mean several people"),
    "ongoing": ("长期", "ongoing"),
    "empty": ("空", "empty"),
    "pii.id_card": ("身份证号", "ID-card number"),
    "person_register": ("人员须在 schemas/people.yaml 中登记(编号或姓名)", "register the person in schemas/people.yaml"),
    "tf_register": ("专班须在 schemas/taskforces.yaml 中登记(名称或编号)", "register it in schemas/taskforces.yaml"),
    "pii.mobile": ("手机号", "mobile number"),
    "ambiguous": ("块文本(| 或 >)的缩进有歧义,请把内容写在同一行或缩进两个空格", "ambiguous block scalar (| or >): indent its lines by two spaces"),
    "expected_na": ("—", "—"),
    "find.none": ("没有找到含“{words}”的事项", "no matter contains {words}"),
    "find.none_open": ("没有找到含“{words}”的在办事项", "no open matter contains {words}"),
    "find.count": ("共找到{n}项", "{n} matters found"),
    "find.light": ("（{light}）", " ({light})"),
    "find.snippet": ("{field}：{text}", "{field}: {text}"),
    "find.sep": ("；", "; "),
    "no_matters": ("没有符合条件的事项", "no matching matters"),
    "err.not_workspace": ("{path} 不是 yilan 工作区(找不到 schemas/rules.yaml)", "{path} is not a yilan workspace (no schemas/rules.yaml)"),
    "hint.not_workspace": ("进入台账仓库目录后再运行,或用 --root 指定,或用 yilan init 新建", "cd into the ledger repository, pass --root, or run yilan init"),
    "err.bad_date": ("无法识别的日期:{text}", "not a date: {text}"),
    "hint.bad_date": ("可写成 2022-08-31、2022/8/31、2022年8月31日、8月底 或 年底", "write 2022-08-31, 2022/8/31, 2022年8月31日, 8月底 or 年底"),
    "err.bad_period": ("无法识别的期间:{text}", "not a period: {text}"),
    "hint.bad_period": ("可写成 2022Q2、2022年二季度、2022H1、2022年上半年、2022-06、2022年6月 或 2022", "write 2022Q2, 2022年二季度, 2022H1, 2022-06, 2022年6月 or 2022"),
    "err.unknown_ledger": ("没有这个台账:{name}", "no such ledger: {name}"),
    "hint.unknown_ledger": ("可用的台账:{names}", "ledgers: {names}"),
    "err.unknown_matter": ("找不到事项 {id}", "no matter {id}"),
    "hint.unknown_matter": ("用 yilan status --all 查看全部编号", "yilan status --all lists every ID"),
    "err.invalid_matter": ("事项 {id} 的文件有错误,无法显示", "the file of {id} is invalid"),
    "err.bad_light": ("无法识别的灯色:{text}", "unknown light: {text}"),
    "hint.bad_light": ("可写 红、黄、蓝、绿、无(或 red,yellow,blue,green,none),用逗号分隔", "use red, yellow, blue, green, none (comma separated)"),
    "err.bad_option": ("选项值不正确:{text}", "invalid option value: {text}"),
    "hint.bad_option": ("可选值:{values}", "choose one of: {values}"),
    "err.schema": ("配置文件有错误:{detail}", "configuration error: {detail}"),
    "hint.schema": ("请改正 schemas/ 下的该文件后重试", "fix the file under schemas/ and retry"),
    "err.exists": ("{path} 已经是 yilan 工作区", "{path} is already a yilan workspace"),
    "hint.exists": ("换一个空目录,或直接在其中使用 yilan", "choose an empty folder or use yilan there"),
    "init_done": ("已创建工作区 {path}(13 个台账){example}\n印发公文前,请在 schemas/rules.yaml 的 公文: 中填写本单位的发文机关、主送、抄送、"
                  "印发机关、联系人和电话,在 通报:、督办通知: 中填写文号格式(机关代字)",
                  "workspace created at {path} (13 ledgers){example}\nbefore issuing documents, set your issuing organs, "
                  "recipients, copies, contact and phone under 公文: in schemas/rules.yaml, and the document number "
                  "formats under 通报: and 督办通知:"),
    "init_example": (",含示例数据 {n} 项", ", with {n} demo matters"),
    "internal": ("内部错误:{detail}", "internal error: {detail}"),
    "hint.internal": ("这是 yilan 的缺陷,请把这条信息和所用命令报告给维护人员", "this is a bug in yilan; report this message and the command"),
    "err.identity": ("git 未设置提交人姓名或邮箱,无法记录是谁做的修改", "git has no user name or email: nobody to record as the author"),
    "hint.identity": ('请依次运行这两条命令(换成您的姓名和邮箱):\n    git config --global user.name "张三"\n    git config --global user.email "zhangsan@example.gov.cn"',
                      'run these two commands (with your name and e-mail):\n    git config --global user.name "Zhang San"\n    git config --global user.email "zhangsan@example.gov.cn"'),
    "err.no_git": ("找不到 git 程序", "git is not installed"),
    "hint.no_git": ("请先安装 Git(Windows 上安装 Git for Windows),再运行 yilan doctor 检查", "install git, then run yilan doctor"),
    "err.not_git": ("{path} 不是 git 仓库,修改无法留痕", "{path} is not a git repository: changes cannot be recorded"),
    "hint.not_git": ("在台账目录运行 git init(或用 yilan init 新建工作区);只改文件不提交可加 --no-commit", "run git init there (or yilan init); --no-commit writes files only"),
    "err.source_checkout": ("{path} 是 yilan 自身的源代码目录，其中的示例台账只供查看，不在这里写入（否则台账数据会提交进工具自己的代码分支）",
                            "{path} is yilan's own source checkout: its demo ledgers are read-only, and a write would commit ledger data into the tool's own branch"),
    "hint.source_checkout": ("用 yilan init 目录 --example 另建一个练习用的工作区（如 yilan init ../台账练习 --example），在那里添加、更新；确需修改源代码中的示例数据时，加全局选项 --allow-source-checkout（如 yilan --allow-source-checkout add …）",
                             "make a workspace to practise in with yilan init DIR --example (e.g. yilan init ../practice --example); to change the demo data of the source itself, add the global option --allow-source-checkout (yilan --allow-source-checkout add …)"),
    "err.index_lock": ("git 索引被锁定,已等待 {seconds} 秒仍未释放:{path}", "the git index is still locked after {seconds} s: {path}"),
    "hint.index_lock": ("有 git 程序(或 VS Code、TortoiseGit 等使用 git 的软件)正在使用仓库时请等它结束后重试;确认所有这类程序都已关闭、该文件仍在,才删除它:{path}",
                        "a git program (or an editor using git) is using the repository: retry when it ends; only when every such program is closed and the file is still there, delete {path}"),
    "waiting_index_lock": ("另一个 git 程序正在使用仓库({path}),等待它结束……", "another git is using the repository ({path}); waiting for it…"),
    "err.in_progress": ("仓库中有未完成的{what}操作,yilan 现在不能写入", "a git {what} is in progress: yilan cannot write now"),
    "err.detached": ("仓库当前不在任何分支上(分离头指针,位于 {commit}),在这里提交的修改切换分支后会丢失", "HEAD is detached (at {commit}): commits made here are lost when you switch branches"),
    "hint.detached": ("先回到分支:git switch {branch}(分支列表见 git branch);要保留这里已有的提交,用 git switch -c 新分支名", "switch to a branch first: git switch {branch} (see git branch); to keep commits made here: git switch -c NEW"),
    "err.no_space": ("磁盘空间不足,本次修改没有保存(以后也不会被自动提交)", "the disk is full: the change was not saved (and will never be committed later)"),
    "hint.no_space": ("清理磁盘空间后,重新运行同一条命令(yilan 会先撤销这次没写完的内容)", "free some disk space, then run the same command again (yilan first undoes what was left half written)"),
    "err.readonly": ("无法在 {path} 中写入(只读的目录或磁盘)", "cannot write in {path} (read-only folder or disk)"),
    "hint.readonly": ("确认台账目录可写(不是只读共享、光盘或写保护的 U 盘),或用有写权限的账户运行", "make the workspace writable, or run as a user who may write it"),
    "err.readonly_file": ("{path} 是只读文件,yilan 不会改写它", "{path} is read-only; yilan will not change it"),
    "hint.readonly_file": ("如确需修改,先取消只读属性(Windows:文件属性中去掉“只读”;Linux:chmod u+w {path})", "clear the read-only flag first (chmod u+w {path})"),
    "err.link": ("{path} 是符号链接或位于工作区之外,已拒绝", "{path} is a link or lies outside the workspace: refused"),
    "hint.link": ("台账文件必须是工作区中的普通文件;删除链接,把文件本身放进来", "workspace files must be plain files inside it; replace the link by the file itself"),
    "not_saved": ("本次修改没有保存(文件已恢复原样):{message}", "the change was not saved (files restored): {message}"),
    "committed_anyway": ("注意:命令虽被中断,修改已经提交,无需重做:{message}", "note: although interrupted, the change was committed; do not repeat it: {message}"),
    "recovered_aside": ("上次被中断的写入({message})之后,{files} 又被修改过(可能是手工编辑),yilan 没有改动它。文件中可能同时有那次没提交的内容和后来的修改:请用 git diff {files} 核对,确认后提交(git commit)或还原(git checkout -- {files})。那次写入要写的内容另存在 {kept}",
                        "after an interrupted write ({message}), {files} changed again (perhaps by hand); yilan left it alone. It may hold both that write's uncommitted text and the later change: check with git diff {files}, then commit or restore it. The interrupted write is kept in {kept}"),
    "waiting_writer": ("另一个 yilan 命令正在写入(或正在与台账服务器同步),等待它结束……", "another yilan command is writing (or syncing); waiting for it…"),
    "err.git_failed": ("git 提交失败:{detail}", "git commit failed: {detail}"),
    "hint.hook_refused": ("通常是仓库的 pre-commit 或 commit-msg 钩子(.git/hooks/ 或 core.hooksPath 指定的文件夹)拒绝了提交;"
                          "请询问设置钩子的管理员。yilan 已撤回这次修改,可以重新运行",
                          "usually a pre-commit or commit-msg hook refused the commit; ask whoever set it up. "
                          "yilan took the change back; run the command again"),
    "err.git_other": ("git 执行失败(git {sub}):{detail}", "git {sub} failed: {detail}"),
    "err.no_commits": ("这个仓库还没有任何提交", "the repository has no commit yet"),
    "hint.no_commits": ("空文件夹或空仓库用 yilan init 新建工作区;已有台账文件的,先提交一次:git add -A,再 git commit -m 初始化台账", "use yilan init in an empty folder, or commit the files once: git add -A, then git commit -m init"),
    "err.ignored": ("{path} 被 .gitignore 忽略,无法提交", "{path} is ignored by .gitignore and cannot be committed"),
    "hint.ignored": ("从 .gitignore 中删掉匹配它的那一行(git check-ignore -v {path} 可查是哪一行),再重试", "remove the matching line from .gitignore (git check-ignore -v {path} shows it), then retry"),
    "err.dirty": ("{path} 有尚未提交的修改,yilan 不会覆盖", "{path} has uncommitted changes; yilan will not overwrite them"),
    "hint.dirty": ("先提交(git commit {path})或放弃这些修改(git checkout -- {path}),再运行", "commit them (git commit {path}) or discard them (git checkout -- {path}) first"),
    "err.locked": ("另一个 yilan 命令正在写入,等待超时", "another yilan command is writing; timed out waiting"),
    "hint.locked": ("稍后重试;如确认没有其他 yilan 在运行,可运行 yilan doctor", "retry later; yilan doctor checks a stale lock"),
    "err.invalid_result": ("修改后的事项文件不合格,未写入", "the changed matter would be invalid; nothing was written"),
    "err.invalid_new": ("新事项的内容不合格，未新增（没有写入任何文件，编号未占用）",
                        "the new matter would be invalid; nothing was added (no file written, no number used)"),
    "err.retry_after_recovery": ("上次被中断的写入“{message}”刚刚已补交，它改的正是 {path}；本次命令没有执行，以免同一内容记录两次",
                                 "the interrupted write \"{message}\" was just committed and changed {path}; this command did nothing, so the same record is not written twice"),
    "hint.retry_after_recovery": ("用 yilan show 编号 或 yilan history 编号 核对；确实还需要再记录时，重新运行本命令",
                                  "check with yilan show ID or yilan history ID; run the command again if it is still needed"),
    "recovered_commit": ("上次被中断的写入已补交:{message}", "an interrupted write was completed: {message}"),
    "recovered_rollback": ("上次被中断的写入已撤销:{message}", "an interrupted write was rolled back: {message}"),
    "show.status": ("当前状态", "Status"),
    "show.as_of": ("评估日期", "As of"),
    "show.masked": ("(敏感,已隐藏)", "(sensitive, hidden)"),
}


_NAMES = ("path", "file")  # whatever was committed as a file name: shown on one line


def t(key: str, **params: object) -> str:
    """The message ``key`` in the user's language; a ``path``/``file`` parameter is shown on one line (a file
    name committed with a line feed in it must not print a line of its own)."""
    zh, en = UI[key]
    text = en if _lang == "en" and en else zh
    if not params:
        return text
    if any(k in params for k in _NAMES):
        from .terminal import one_line

        params = {k: one_line(v) if k in _NAMES else v for k, v in params.items()}
    return text.format(**params)


def finding_text(code: str, params: dict[str, object]) -> tuple[str, str]:
    """(message, hint) of a finding code in the current language."""
    zh, zh_hint, en, en_hint = FINDINGS[code]
    msg, hint = (en, en_hint) if _lang == "en" else (zh, zh_hint)
    from .terminal import inline

    # a finding is one line: a title or value with line breaks in it is joined (it could pose as a finding)
    safe = _SafeDict({k: inline(v) if isinstance(v, str) else v for k, v in params.items()})
    return msg.format_map(safe), hint.format_map(safe)


class _SafeDict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""

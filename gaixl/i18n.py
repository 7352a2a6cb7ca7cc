"""gaixl's words in Chinese and English: the one message catalogue.

Every message the program says itself (the CLI, mail collection, imports, the history) is here,
as key → (中文, English), in sections by what uses them; `t(key, lang, **kw)` looks one up and
fills its {placeholders}. Findings and errors carry both languages themselves (Finding.message /
message_en, GaixlError.message_zh / message); tests/test_i18n.py checks that every key has both
languages with the same placeholders and that every key the code uses is here.
"""
from __future__ import annotations

# ---------------------------------------------------------------- the core commands (unprefixed keys)
CORE: dict[str, tuple[str, str]] = {
    "error": ("错误：", "Error: "),       # the prefix of an error line: full-width colon in Chinese
    "layouts.title": ("可用的报告格式", "Available report formats"),
    "layouts.id": ("格式", "Layout"),
    "layouts.name": ("名称", "Name"),
    "layouts.notice": ("文件", "Notice"),
    "layouts.years": ("适用年度", "Report years"),
    "generate.progress": ("正在生成模板", "Generating templates"),
    "generate.done": ("已生成 {n} 个模板（{layout}年版格式，{year}年度），保存在 {out}",
                      "Wrote {n} templates ({layout} format, year {year}) to {out}"),
    "generate.need_unit": ("请指定 --roster 或 --unit", "Give --roster or --unit"),
    "fill.done": ("已写入 {out}", "Wrote {out}"),
    "fill.totals": ("注意：数据文件中有{n}处合计与分项之和不一致；模板中的合计为公式，已按分项重新计算：",
                    "Note: {n} totals in the data file differ from the sum of their items; the template's totals "
                    "are formulas and were recomputed:"),
    "export.done": ("已导出 {out}", "Exported {out}"),
    "report.done": ("已生成报告 {out}", "Wrote the report {out}"),
    "report.draft": ("已生成报告草稿 {out}（仅供修改核对，不得发布）",
                     "Wrote a DRAFT of the report {out} (for review only, not for publication)"),
    "report.notes": ("请注意以下{n}项：", "Note these {n} points:"),
    "check.progress": ("正在校验", "Checking"),
    "check.col.sev": ("级别", "Severity"),
    "check.col.code": ("代码", "Code"),
    "check.col.where": ("位置", "Where"),
    "check.col.msg": ("说明", "Message"),
    "check.clean": ("未发现问题", "no findings"),
    "check.file": ("{file}：{unit} {year}年度（{layout}年版格式）——错误 {e} 项，警告 {w} 项",
                   "{file}: {unit} {year} ({layout} format) — {e} errors, {w} warnings"),
    "check.summary": ("共校验 {n} 个文件：通过 {ok} 个，有错误 {bad} 个，无法读取 {unreadable} 个",
                      "Checked {n} files: {ok} clean, {bad} with errors, {unreadable} unreadable"),
    "consolidate.progress": ("正在读取校验", "Reading and checking"),
    "consolidate.need_roster": ("请用 --roster 指定单位名单（收件文件夹旁未找到 roster.csv）",
                                "Give the roster with --roster (no roster.csv beside the inbox)"),
    "consolidate.need_inbox": ("请指定收件文件夹（当前目录下没有 workbook/returned 示例）",
                               "Give the inbox folder (no workbook/returned demo in this folder)"),
    "consolidate.summary": ("{county}{year}年度：收到文件 {received} 个——采用 {accepted} 个，被取代 {superseded} 个，"
                            "退回 {rejected} 个，不在名单 {unknown} 个；名单共 {units} 个单位，未采用 {missing} 个",
                            "{county} {year}: {received} files received — {accepted} accepted, {superseded} superseded, "
                            "{rejected} rejected, {unknown} unknown unit; {units} units on the roster, {missing} without "
                            "an accepted file"),
    "consolidate.units": ("{county}{year}年度：名单共 {units} 个单位——已采用 {accepted} 个，被退回 {rejected} 个，"
                          "未报送 {missing} 个",
                          "{county} {year}: {units} units on the roster — {accepted} accepted, {rejected} rejected, "
                          "{missing} sent nothing"),
    "consolidate.files": ("收到文件 {received} 个：采用 {accepted} 个，已被新文件替代 {superseded} 个，退回 {rejected} 个，"
                          "名单外单位 {unknown} 个",
                          "{received} files received: {accepted} accepted, {superseded} replaced by a newer file, "
                          "{rejected} rejected, {unknown} of units not on the roster"),
    "consolidate.late": ("逾期报送（{deadline}之后收到）的单位 {n} 个", "{n} units sent after the deadline ({deadline})"),
    "consolidate.written": ("已写出（{out}）：", "Written ({out}):"),
    "consolidate.demo": ("这是演示县的汇总：上面列出的问题是演示文件中故意设置的常见错误，因此以退出码 0 结束；"
                         "汇总真实的收件文件夹时，有单位未报送或被退回则退出码为 1。",
                         "This was the demo county: the problems above are planted in its files on purpose, so the "
                         "exit code is 0; a real inbox with missing or rejected units exits with 1."),
    "consolidate.missing": ("未计入汇总的单位：", "Units not in the totals:"),
    "consolidate.nothing": ("未报送", "sent nothing"),
    "consolidate.out": ("输出文件保存在 {out}", "Outputs written to {out}"),
    "consolidate.workbook": ("汇总工作簿：{path}", "Consolidated workbook: {path}"),
    "consolidate.note": ("说明：{note}", "Note: {note}"),
    "sev.error": ("错误", "error"),
    "sev.warning": ("警告", "warning"),
    "sev.info": ("提示", "info"),
}

# ---------------------------------------------------------------- gaixl import  (keys "import.…")
IMPORT: dict[str, tuple[str, str]] = {
    "done": ("已导入：{src} → {out}（{fmt}年版格式，读取方式：{reader}）",
             "imported: {src} → {out} ({fmt} format, read as {reader})"),
    "stored": ("已存入历史数据库：{db}（{code} {year}年度）", "stored in the history database: {db} ({code} {year})"),
    "not_placed": ("未能导入的单元格 {n} 项（逐项原因见输出文件的 import.not_placed）",
                   "{n} cell(s) could not be placed (reasons cell by cell in import.not_placed of the output)"),
    "xlsx_totals": ("注意：工作簿中的合计为公式，会按导入的分项重新计算；原文合计与分项不符之处已列为上面的问题。",
                    "note: the workbook's totals are formulas and recompute from the imported items; where the "
                    "published totals disagree, the findings above say so."),
    "xlsx_blank": ("注意：工作簿中无法保留“未导入”与“原文空白”的区别，均为空白单元格；请以JSON输出核对。",
                   "note: a workbook cannot tell a cell not placed from a published blank; both are empty cells."),
    "bad_out": ("输出文件须为 .json 或 .xlsx：{out}", "the output must be .json or .xlsx: {out}"),
    "need_out": ("请用 --out 指定输出文件（.json 或 .xlsx），或用 --history 存入历史数据库",
                 "give --out (a .json or .xlsx file) or --history"),
    "need_code": ("存入历史数据库须知道单位代码：请用 --code 指定，或用 --roster 按单位名称从名单中查找",
                  "--history needs the unit's code: give --code, or --roster to look it up by the unit's name"),
    "no_match": ("名单 {roster} 中没有名为“{name}”的单位，请用 --code 指定单位代码",
                 "no unit named {name} in the roster {roster}: give --code"),
    "many_match": ("名单 {roster} 中有多个名为“{name}”的单位（{codes}），请用 --code 指定",
                   "several units named {name} in the roster {roster} ({codes}): give --code"),
    "code_from": ("单位代码 {code} 取自{what}", "unit code {code} from {what_en}"),
    "need_unit": ("生成工作簿须知道单位名称：原文未找到，请用 --unit 指定",
                  "a workbook needs the unit's name: not found in the source, give --unit"),
}

# ---------------------------------------------------------------- gaixl distribute / feedback  (keys "send.…")
SEND: dict[str, tuple[str, str]] = {
    "need_smtp": ("--send 需要用 --smtp 指定发信服务器", "--send needs the mail server: give --smtp"),
    "need_from": ("请用 --from 指定发件人地址（SMTP用户名不是邮箱地址时必须指定）",
                  "Give the sender with --from (needed when the SMTP user is not an address)"),
    "progress.distribute": ("正在分发模板", "Distributing templates"),
    "progress.feedback": ("正在回复", "Replying"),
    "distribute.summary": ("{year}年度模板分发：名单共 {units} 个单位——{what}", "Templates of {year}: {units} units on "
                           "the roster — {what}"),
    "feedback.summary": ("{year}年度报送回复：共 {units} 个单位——{what}", "Replies for {year}: {units} units — {what}"),
    "drafted": ("草稿 {n} 封", "{n} drafted"),
    "sent": ("已发送 {n} 封", "{n} sent"),
    "already-sent": ("此前已发送、本次跳过 {n} 个", "{n} skipped (already sent)"),
    "no-address": ("无邮箱 {n} 个", "{n} without an address"),
    "no-template": ("无模板 {n} 个", "{n} without a template"),
    "conflict": ("模板重复 {n} 个", "{n} with two templates"),
    "failed": ("发送失败 {n} 个", "{n} failed"),
    "drafts_at": ("草稿（.eml，可用邮件客户端打开核对）保存在 {out}；核对无误后加 --send 发送",
                  "Drafts (.eml, open them in a mail client) written to {out}; add --send to send them"),
    "log_at": ("发送记录：{log}（重复运行不会重复发送）", "Sent log: {log} (a re-run never sends twice)"),
    "not_sent": ("未发送：", "Not sent:"),
    "skipped": ("此前已发送、其后模板有变化（本次未重发）：", "Already sent, changed since (not sent again):"),
    "refused": ("部分收件人被拒收：", "Some recipients refused:"),
    "unmatched": ("未发给任何单位的文件：", "Files not sent to any unit:"),
    "note": ("注意：{note}", "Note: {note}"),
}

# ---------------------------------------------------------------- gaixl collect  (keys "collect.…")
COLLECT: dict[str, tuple[str, str]] = {
    "progress": ("正在收取邮件", "Collecting mail"),
    "summary": ("共检查邮件 {seen} 封（新邮件 {new} 封，此前已处理 {old} 封）；保存工作簿 {saved} 个，"
                "内容相同未重复保存 {dup} 个，跳过附件 {skipped} 个。",
                "{seen} messages seen ({new} new, {old} processed before); {saved} workbooks saved, "
                "{dup} identical ones not stored again, {skipped} attachments skipped."),
    "saved": ("已保存", "saved"),
    "duplicate": ("内容相同，已记录来源", "same content, provenance recorded"),
    "skipped": ("跳过", "skipped"),
    "need-source": ("请指定一个邮件来源：--imap、--mbox、--maildir 或 --eml-dir（只能指定一个）",
                    "give exactly one mail source: --imap, --mbox, --maildir or --eml-dir"),
    "no-password": ("未提供 IMAP 密码：请设置环境变量 GAIXL_IMAP_PASSWORD，或在终端中运行以便输入密码",
                    "no IMAP password: set GAIXL_IMAP_PASSWORD, or run in a terminal to be asked"),
    "prompt": ("IMAP 密码（{user}）：", "IMAP password for {user}: "),
    "bad-date": ("--since 应为日期，如 2026-01-01", "--since must be a date such as 2026-01-01"),
    "interrupted": ("已中断。已处理的邮件均已保存并记录，再次运行同一命令将从中断处继续。",
                    "Interrupted. Everything processed so far is saved and recorded; run the same command "
                    "again to resume."),
    "insecure-warning": ("警告：未加密连接（--insecure），仅限本机测试服务器",
                         "warning: unencrypted connection (--insecure), local test servers only"),
}

# Why an attachment was skipped (keys "collect.reason.…"; see gaixl.mail.collect.text.reason)
COLLECT_REASONS: dict[str, tuple[str, str]] = {
    "not-workbook": ("不是报告工作簿（只收取 .xlsx/.xlsm/.xls），未保存",
                     "not a workbook (only .xlsx/.xlsm/.xls are kept), not saved"),
    "too-large": ("附件过大（{d}），未保存；可用 --max-size 调整上限",
                  "attachment too large ({d}), not saved; see --max-size"),
    "empty": ("附件为空", "empty attachment"),
    "malformed": ("邮件格式损坏，无法读取该部分", "malformed MIME part, cannot be read"),
    "too-deep": ("转发邮件嵌套层数过多，未展开", "forwarded messages nested too deep, not opened"),
    "zip-unreadable": ("压缩包损坏或无法读取", "zip file damaged or unreadable"),
    "zip-bomb": ("压缩包可疑（文件过多、解压后过大或压缩比异常），未解压",
                 "suspicious zip (too many files, too big or too compressed), not extracted"),
    "zip-too-deep": ("压缩包嵌套层数过多，未解压", "zip nested too deep, not extracted"),
    "zip-encrypted": ("压缩包内文件已加密，无法解压", "encrypted zip member, cannot be extracted"),
    "tnef-unreadable": ("winmail.dat 无法解析", "winmail.dat cannot be parsed"),
    "tnef-empty": ("winmail.dat 中没有附件", "winmail.dat holds no attachments"),
    "message-unreadable": ("邮件无法读取", "message cannot be read"),
    "message-too-large": ("邮件过大，未下载", "message too large, not fetched"),
    "message-over-limit": ("邮件拆解超出单封邮件的上限，已跳过", "taking the message apart exceeds the limit for one message, skipped"),
    "via-forward": ("转发邮件", "forwarded message"),
}

# ---------------------------------------------------------------- gaixl history  (keys "history.…")
HISTORY: dict[str, tuple[str, str]] = {
    "title": ("历史数据库 {db}", "History database {db}"),
    "code": ("单位代码", "Code"),
    "name": ("单位名称", "Unit"),
    "year": ("年度", "Year"),
    "layout": ("格式", "Layout"),
    "stored_at": ("存入时间", "Stored at"),
    "submitted_at": ("报送时间", "Submitted"),          # Beijing time
    "file": ("来源文件", "Source file"),
    "empty": ("历史数据库中没有{what}的记录", "The history database holds no{what_en} unit-years"),
    "summary": ("共 {n} 条记录（{years}）", "{n} unit-years ({years})"),
}


# ---------------------------------------------------------------- typer's own words (gaixl.cli._help)
# rich_utils constants by name: (zh, en); not looked up with t(), set on typer when help is shown.
FRAMEWORK: dict[str, tuple[str, str]] = {
    # rich_utils constant: (zh, en)
    "ARGUMENTS_PANEL_TITLE": ("参数", "Arguments"),
    "OPTIONS_PANEL_TITLE": ("选项", "Options"),
    "COMMANDS_PANEL_TITLE": ("命令", "Commands"),
    "ERRORS_PANEL_TITLE": ("错误", "Error"),
    "DEFAULT_STRING": ("[默认：{}]", "[default: {}]"),
    "REQUIRED_LONG_STRING": ("[必填]", "[required]"),
    "ENVVAR_STRING": ("[环境变量：{}]", "[env var: {}]"),
    "DEPRECATED_STRING": ("（已停用）", "(deprecated) "),
    "ABORTED_TEXT": ("已中止。", "Aborted."),
    "RICH_HELP": ("请运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
                  "Try [blue]'{command_path} {help_option}'[/] for help."),
}

def _merge(*sections: tuple[str, dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for prefix, section in sections:
        for key, pair in section.items():
            full = f"{prefix}.{key}" if prefix else key
            if full in merged:
                raise ValueError(f"message key {full!r} defined twice")
            merged[full] = pair
    return merged


MESSAGES: dict[str, tuple[str, str]] = _merge(("", CORE), ("import", IMPORT), ("send", SEND), ("collect", COLLECT),
                                              ("collect.reason", COLLECT_REASONS), ("history", HISTORY))


def t(key: str, lang: str = "zh", **kw) -> str:
    """The message `key` in `lang` ("en" → English, anything else → Chinese), placeholders filled."""
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**kw)


def both(key: str, **kw) -> dict[str, str]:
    """The message in both languages as the keywords of an error: UsageError(**both(key)) gives
    message (English) and zh (Chinese)."""
    return {"message": t(key, "en", **kw), "zh": t(key, "zh", **kw)}

"""The CLI's own words in Chinese and English (findings carry both languages themselves)."""
from __future__ import annotations

MESSAGES = {
    "error": ("错误", "Error"),
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


def t(key: str, lang: str = "zh", **kw) -> str:
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**kw)

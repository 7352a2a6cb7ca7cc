"""The registry of finding codes: every code gaixl can report, what it means and what to do.

A finding's code is stable: people search for it, feedback letters say what to do by it, and
scripts filter on it. Two sources:

* ``CODES`` below: the codes the program itself emits (reading, checking, importing,
  consolidating, collecting mail);
* the layout files: a rule's ``id``, a computed cell's ``rule.id``, a section mention's ``code``
  and a ``carry_over`` link's ``code`` are codes too (``layout_codes``), documented from the
  layout's own messages, so a new official format brings its codes with it.

``docs/findings.md`` is generated from both (``python -m gaixl.spec.codes_page > docs/findings.md``);
tests/test_codes.py fails when the program emits a code that is not here or not in the page.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str        # the usual severity ("error" | "warning" | "info"); see `also`
    table: str           # 二 | 三 | 四 | text | meta | import | collect | "*" (the table of the cell)
    zh: str              # what it means, in Chinese
    en: str              # what it means, in English
    todo: str            # what the unit (or the person checking) should do, in Chinese
    also: tuple[str, ...] = ()     # other severities it is raised with in some contexts
    kind: str = "finding"          # "finding", or "collect" (an attachment collect skipped)
    source: str = ""               # layout file that defines it (layout codes only)


def _c(code: str, severity: str, table: str, zh: str, en: str, todo: str, *, also: tuple[str, ...] = (),
       kind: str = "finding") -> Code:
    return Code(code, severity, table, zh, en, todo, also, kind)


_LIST = [
    # ---------------------------------------------------------------- a cell's value
    _c("cell-not-number", "error", "*", "数据单元格中填写的内容不是数值（文字、以文本形式存储的数字、全角数字、"
       "带单位的数字、空格、错误值、日期、逻辑值等；模板中按0计算）",
       "a data cell holds something that is not a number", "请在该单元格填写阿拉伯数字，没有发生的填写0"),
    _c("cell-not-integer", "error", "*", "件数栏填写了小数", "a count cell holds a fraction",
       "请填写整数件数"),
    _c("cell-negative", "error", "*", "件数或金额为负数", "a count or amount is negative",
       "请核实并填写不小于0的数值（本年增/减栏可为负数）"),
    _c("cell-amount-precision", "warning", "*", "金额超过两位小数", "an amount has more than two decimals",
       "请核实金额，一般保留两位小数"),
    _c("cell-dash", "warning", "*", "数据单元格填写了“-”“—”“/”“无”等符号，已按0读取",
       "a dash or 无 was typed in a data cell; read as 0", "没有发生的请直接填写0"),
    _c("cell-money-unit", "warning", "*", "金额中写有单位（元、万元），已去除单位或换算为本栏单位后读取",
       "an amount was written with its unit; read without it or converted", "本栏请只填写数字，单位以表头为准",
       also=("info",)),
    _c("cell-fullwidth-number", "warning", "*", "数值使用了全角字符，已按半角读取",
       "a number typed in full-width characters; read as half-width", "请使用半角阿拉伯数字填写"),
    _c("cell-text-number", "warning", "*", "数值以文本形式填写（如带引号、空格、单位），已按数值读取",
       "a number stored as text; read as a number", "请删除该单元格中的文本格式或多余字符，重新输入数字"),
    _c("cell-formula-no-value", "warning", "*", "单元格为公式，但文件中没有保存计算结果，按空白处理",
       "a formula cell has no saved result; read as blank", "请在Excel或WPS中打开文件、保存后重新报送"),
    _c("cell-out-of-range", "error", "*", "数值超出本栏的有效范围（件数绝对值不超过10⁹，万元金额不超过10⁹，元金额不超过10¹³），"
       "未采用", "a number beyond the cell's valid range (counts up to 10⁹, amounts in 万元 up to 10⁹, in 元 up "
       "to 10¹³); not used", "请核实并重新填写该数值（多为误输入）"),
    _c("cell-formula-input", "warning", "*", "填报单元格中填写的是公式，已采用文件中保存的计算结果",
       "an input cell holds a formula; its saved result is used", "请在填报单元格中直接填写数值，不要使用公式"),
    _c("cell-formula-external", "error", "*", "填报单元格中的公式引用外部数据（如WEBSERVICE、其他工作簿、DDE链接），"
       "其保存的结果未被采用", "an input cell's formula reaches outside the file (WEBSERVICE, another workbook, "
       "a DDE link); its saved result is not used", "请删除该公式，直接填写数值后重新报送"),
    _c("cell-blank", "info", "*", "分项单元格为空白，按0计算", "item cells are blank; counted as 0",
       "没有发生的请填写0，以示已填报"),
    _c("total-blank", "error", "*", "合计栏为空白，但各分项之和不为0", "a total is blank while its items are not",
       "请按各分项之和填写合计"),
    _c("data-unknown-cell", "warning", "*", "数据文件中有规定格式所没有的行或列，已忽略",
       "the data file names a row or column the format does not have; ignored",
       "请核对数据文件的行、列名称是否与规定格式一致"),
    # ---------------------------------------------------------------- the template and the workbook
    _c("cached-mismatch", "warning", "*", "文件中保存的合计计算结果与按各分项重新计算的结果不一致（文件可能被其他程序改动）",
       "a total's saved result differs from the sum of its items", "请在Excel或WPS中打开文件、核对合计后保存，重新报送"),
    _c("cached-missing", "warning", "*", "合计单元格为公式但文件中没有保存计算结果，已按各分项计算",
       "totals are formulas without saved results; computed from the items", "请在Excel或WPS中打开文件并保存后重新报送"),
    _c("template-formula-altered", "warning", "*", "模板中合计单元格的公式被删除或改动，已按各分项重新计算"
       "（所填数值与各分项之和不符的，由该合计的校验规则报为错误，与模板内的校验一致）",
       "a total's formula in the template was removed or changed; recomputed (a value that differs from its "
       "items is an error of that total's rule, as in the template)", "请恢复原公式或使用下发的模板重新填报，勿改动合计栏"),
    _c("template-meta-altered", "error", "meta", "模板的识别信息（隐藏的元数据工作表）被删除、破坏或改动",
       "the template's hidden metadata was removed, damaged or changed", "请使用下发给本单位的模板重新填报，勿改动隐藏工作表"),
    _c("template-other-layout", "error", "meta", "模板的报告格式与要求的格式不同", "the template is of another format",
       "请使用本年度下发的模板重新填报"),
    _c("template-layout-changed", "warning", "meta", "生成模板后格式定义文件已更新，本文件按现行定义读取",
       "the layout file changed after the template was generated; read by the current one",
       "请核对读取结果；必要时使用新下发的模板重新填报"),
    _c("template-info-altered", "warning", "meta", "基本信息中预填的单位名称、代码或年度被改动",
       "prefilled unit or year information was changed", "请核实本文件是否为本单位的报告，勿改动预填信息"),
    _c("template-converted", "warning", "meta", "模板被另存为.xls等其他格式，已按表格标签读取，合计数按填写值校验",
       "the template was saved in another format; read by its labels", "请使用下发的.xlsx模板填报后重新报送"),
    _c("template-other-year", "error", "meta", "报送的不是本年度的报告", "the file is the report of another year",
       "请使用本年度下发的模板重新填报"),
    _c("template-other-unit", "error", "meta", "报送的模板是下发给其他单位的", "the template belongs to another unit",
       "请使用下发给本单位的模板重新填报"),
    _c("name-missing", "warning", "*", "模板中的定义名称缺失或被改变（可能删除或移动了行列），已按表格标签读取",
       "defined names are missing or changed; read by the labels", "请核对读取结果，勿插入、删除或移动模板的行列"),
    _c("not-gaixl-workbook", "info", "meta", "文件不是本系统生成的模板，已按规定格式的表格标签读取，合计数按填写值校验",
       "not a gaixl template: read by the official labels", "请核对读取结果；今后请使用下发的模板填报"),
    _c("layout-detected", "info", "meta", "按表格标签判断文件所用的报告格式", "the format was told from the labels",
       "请核对所判断的格式是否正确"),
    _c("table-missing", "error", "*", "文件中未找到规定格式的某张表格，其数据按空白处理",
       "a table of the format was not found; its cells are blank", "请按规定格式补全该表格后重新报送"),
    _c("label-missing", "warning", "*", "表格中未找到某些规定的行或列标签，按空白处理",
       "some official row or column labels were not found; blank", "请核对表格的行列标签是否与规定格式一致"),
    _c("year-unknown", "warning", "meta", "文件中未找到报告年度", "the report year was not found",
       "请在基本信息中填写报告年度"),
    _c("year-invalid", "error", "meta", "报告年度无效（应为2008至2100之间的年份），按年度不明处理",
       "the report year is invalid (a year from 2008 to 2100 is expected); treated as unknown",
       "请在基本信息中填写正确的报告年度（四位数年份）"),
    _c("unreadable", "error", "meta", "文件无法读取（损坏、加密或不是工作簿）", "the file cannot be read",
       "请检查文件是否损坏或加密，另存为.xlsx格式后重新发送"),
    _c("wrong-format", "error", "meta", "报送的文件不是Excel工作簿（如Word、PDF、图片）", "the file is not an Excel workbook",
       "请使用下发的Excel模板（.xlsx）填报后发送"),
    # ---------------------------------------------------------------- the report as a whole
    _c("meta-unit-missing", "error", "meta", "未填写填报单位名称", "the unit's name is missing", "请填写填报单位名称"),
    _c("layout-year-mismatch", "error", "meta", "报告所用格式与该年度应使用的格式不符", "the format is not the one in force for the year",
       "请使用该年度规定的格式（本年度下发的模板）填报"),
    _c("date-missing", "warning", "meta", "未填写报告日期", "the report date is missing", "请填写报告日期"),
    _c("date-unreadable", "warning", "meta", "报告日期无法识别", "the report date cannot be read",
       "请按“2026-01-20”格式填写报告日期"),
    _c("date-out-of-window", "warning", "meta", "报告日期不在该年度报告通常的发布期间内", "the report date is outside the usual window",
       "请核实报告日期"),
    _c("text-empty", "error", "text", "报告的文字部分未填写", "a narrative section is empty",
       "请在该部分填写相应内容（没有内容的请写明“无”及原因）", also=("warning",)),
    _c("text-table-mismatch", "warning", "text", "正文写明的数字（如受理申请件数、予以公开件数、行政复议件数）与表格中的数字不一致",
       "a figure the narrative states differs from the table's", "请核对正文所写数字与表格中的数字，改正有误的一处，使前后一致"),
    _c("text-stale-year", "warning", "text", "正文把上一年写成报告年度，全文未提及报告年度，疑为沿用上年报告",
       "the text presents the previous year as the year reported", "请核对报告年度，按本年度的情况撰写正文（正文应写明本报告年度）"),
    _c("text-copied-last-year", "warning", "text", "某段文字与本单位上年度报告中的一段相同",
       "a paragraph is the same as one of the unit's previous report", "请按本年度实际情况重新撰写该段文字，不要沿用上年报告"),
    _c("text-duplicate-units", "warning", "text", "某段文字与同一次汇总中其他单位报告的段落雷同",
       "a paragraph is (nearly) the same as one in another unit's report",
       "请结合本单位实际情况撰写该部分文字，避免与其他单位报告内容雷同"),
    # ---------------------------------------------------------------- importing published reports
    _c("import-blank", "info", "*", "原文单元格为空白，按空白记录（未当作0）", "blank in the source; recorded as blank",
       "请核对原文，需要时补录"),
    _c("import-dash", "info", "*", "原文为“-”“—”“/”“无”等，按0记录", "a dash in the source; recorded as 0", "供参考，一般无需处理"),
    _c("import-unreadable-value", "warning", "*", "原文中的数值无法识别，未导入", "a value in the source is not a number; not imported",
       "请对照原文手工补录"),
    _c("import-header-unit", "info", "*", "原文表头注明的单位与规定单位不同，已换算", "the source's header gives another unit; converted",
       "请核对换算结果"),
    _c("import-column-assumed", "warning", "*", "原文该行未显示空白格，按数值的先后及合计关系确定所在列",
       "the columns of a row were inferred from order and totals", "请对照原文核对该行各数值所在的列"),
    _c("import-split-inferred", "warning", "*", "原文该行各数字连写在一起，按本行列数及合计关系（不止一种时按全表的合计与勾稽关系）"
       "只有一种拆分方式，已按该方式导入",
       "the row's digits ran together; the only split that fits its columns and totals (or else the table's "
       "totals and balance) was used",
       "请对照原文核对该行各数值"),
    _c("import-not-placed", "warning", "*", "原文中的数值无法确定所在单元格，未导入", "values could not be placed; not imported",
       "请对照原文手工补录"),
    _c("import-table-missing", "warning", "*", "原文中未找到某张表格（或其部分子表）", "a table was not found in the source",
       "请核对原文是否包含该表格，需要时手工补录"),
    _c("import-section-missing", "warning", "text", "原文中未找到报告的某一部分", "a section was not found in the source",
       "请核对原文，需要时补录该部分文字"),
    _c("import-checks-skipped", "info", "meta", "部分校验因所涉单元格未能导入而未进行",
       "some checks were skipped: their cells were not imported", "补录未导入的单元格后重新校验"),
    _c("import-format-labels", "warning", "meta", "原文的表格标签属于另一种格式，但指定了按本格式导入",
       "the labels are of another format than the one asked for", "请核对指定的格式是否正确"),
    _c("import-format-year", "info", "meta", "原文所用格式与该年度应使用的格式不同，已按原文的格式导入",
       "the labels are of another format than the year's; imported by the labels", "供参考，请核对报告年度"),
    # ---------------------------------------------------------------- collect: attachments not kept
    _c("not-workbook", "info", "collect", "附件不是报告工作簿，未保存", "not a workbook, not saved",
       "如确为报告，请联系报送单位改用Excel模板（.xlsx）报送", kind="collect"),
    _c("too-large", "warning", "collect", "附件超过大小上限，未保存", "attachment too large, not saved",
       "请核实附件；确需收取的，可用 --max-size 调高上限后重新收取", kind="collect"),
    _c("empty", "warning", "collect", "附件为空", "empty attachment", "请联系报送单位重新发送", kind="collect"),
    _c("malformed", "warning", "collect", "邮件格式损坏，无法读取该部分", "malformed MIME part",
       "请联系报送单位重新发送", kind="collect"),
    _c("too-deep", "warning", "collect", "转发邮件嵌套层数过多，未展开", "forwarded messages nested too deep",
       "请联系报送单位直接发送附件", kind="collect"),
    _c("zip-unreadable", "warning", "collect", "压缩包损坏或无法读取", "zip file damaged or unreadable",
       "请联系报送单位重新打包或直接发送工作簿", kind="collect"),
    _c("zip-bomb", "warning", "collect", "压缩包可疑（文件过多、解压后过大或压缩比异常），未解压", "suspicious zip, not extracted",
       "请联系报送单位直接发送工作簿", kind="collect"),
    _c("zip-too-deep", "warning", "collect", "压缩包嵌套层数过多，未解压", "zip nested too deep, not extracted",
       "请联系报送单位直接发送工作簿", kind="collect"),
    _c("zip-encrypted", "warning", "collect", "压缩包内文件已加密，无法解压", "encrypted zip member",
       "请联系报送单位发送未加密的工作簿", kind="collect"),
    _c("tnef-unreadable", "warning", "collect", "winmail.dat 无法解析", "winmail.dat cannot be parsed",
       "请联系报送单位以普通附件重新发送", kind="collect"),
    _c("tnef-empty", "info", "collect", "winmail.dat 中没有附件", "winmail.dat holds no attachments",
       "请联系报送单位以普通附件重新发送", kind="collect"),
    _c("message-unreadable", "warning", "collect", "邮件无法读取", "message cannot be read",
       "请在邮箱中查看该邮件，联系报送单位重新发送", kind="collect"),
    _c("message-over-limit", "warning", "collect", "邮件拆解超出单封邮件的上限，已跳过",
       "taking the message apart exceeds the limit for one message, skipped",
       "请在邮箱中查看该邮件，联系报送单位以普通附件重新发送", kind="collect"),
    _c("message-too-large", "warning", "collect", "邮件过大，未下载", "message too large, not fetched",
       "请在邮箱中查看该邮件，必要时调高 --max-size 后重新收取", kind="collect"),
]

CODES: dict[str, Code] = {c.code: c for c in _LIST}
assert len(CODES) == len(_LIST), "a code is registered twice"

GENERIC_TODO = {"error": "请改正后重新报送", "warning": "请核实，如确有误请改正后重新报送", "info": "供参考"}


def get(code: str) -> Code | None:
    """The registered program code, or None (layout codes: see layout_codes)."""
    return CODES.get(code)


def todo(code: str, severity: str = "error", layouts: Iterable | None = None) -> str:
    """What to do about a finding, in Chinese: the registry's advice, else the generic one."""
    c = CODES.get(code)
    if c is None and layouts is not None:
        c = layout_codes(layouts).get(code)
    return c.todo if c is not None else GENERIC_TODO.get(severity, GENERIC_TODO["error"])


def layout_codes(layouts: Iterable) -> dict[str, Code]:
    """The codes the layout files define: rule ids (explicit and of computed cells), section
    mention codes, carry_over link codes. The first layout to define a code describes it."""
    out: dict[str, Code] = {}

    def add(code: str, severity: str, table: str, zh: str, en: str, todo: str, source: str) -> None:
        if code in out:
            c = out[code]
            if severity != c.severity and severity not in c.also:
                out[code] = Code(c.code, c.severity, c.table, c.zh, c.en, c.todo, c.also + (severity,), c.kind, c.source)
            return
        out[code] = Code(code, severity, table, zh, en, todo, (), "finding", source)

    for layout in layouts:
        src = layout.source
        for t in layout.tables.values():
            for c in list(t.data_columns) + list(t.data_rows):
                if c.computed and c.rule:
                    add(c.rule["id"], "error", t.group, c.rule["message"], c.rule.get("message_en", c.rule["message"]),
                        "请按各分项之和填写合计（模板中的合计栏由公式计算，请勿改动）", src)
        for r in layout.rules:
            add(r.id, r.severity, "、".join(dict.fromkeys(layout.tables[k].group for k in r.tables)), r.message,
                r.message_en, r.todo or f"请核对有关数字（{r.hint}）后改正", src)
        for s in layout.sections:
            for m in s.mentions:
                add(m.code, m.severity, "text", m.message, m.message_en, f"请在“{s.heading}”中补充有关内容", src)
        for link in layout.carry_over:
            add(link.code, "warning", "、".join(dict.fromkeys(layout.tables[k].group for k in link.tables)),
                link.message or "本年度数据与上一年度报告不衔接", link.message_en or "this year's report disagrees with last year's",
                "请对照上一年度报告核实；确有变化的，请在报告中说明原因", src)
    return out


def all_codes(layouts: Iterable) -> dict[str, Code]:
    """Every code: the program's and the layouts'. A layout may not redefine a program code."""
    out = dict(CODES)
    for code, c in layout_codes(layouts).items():
        out.setdefault(code, c)
    return out


# ---------------------------------------------------------------- docs/findings.md
_TABLE_ZH = {"*": "所在表", "meta": "基本信息", "text": "文字部分", "collect": "收取邮件"}


def markdown(layouts: Iterable) -> str:
    """docs/findings.md: every code, grouped, with 中文说明 and what to do."""
    layouts = list(layouts)
    lines = [
        "# 校验结果代码（finding codes）",
        "",
        "本页列出 gaixl 可能报告的全部代码：`gaixl check`、`import`、`consolidate` 的校验结果，",
        "以及 `collect` 未保存附件的原因。每条结果都带有代码，可按代码检索本页。",
        "本页由 `python -m gaixl.spec.codes_page > docs/findings.md` 从代码登记表（gaixl/codes.py）和格式文件",
        "（templates/*.yaml）生成，请勿手工编辑。",
        "",
        "级别：**错误**须改正后重新报送（`check` 以退出码1结束）；**警告**须核实；**提示**供参考。",
        "“所在表”指该问题所在单元格的表格（二、三、四）。",
        "",
    ]

    def table(rows: list[Code]) -> None:
        lines.append("| 代码 | 级别 | 表 | 中文说明 | 处理办法 | English |")
        lines.append("|---|---|---|---|---|---|")
        for c in rows:
            sev = "、".join(SEVERITY_ZH[s] for s in (c.severity, *c.also))
            tab = _TABLE_ZH.get(c.table, c.table)
            cells = [f"`{c.code}`", sev, tab, c.zh, c.todo, c.en]
            lines.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cells) + " |")
        lines.append("")

    lines += ["## 程序报告的代码", ""]
    table([c for c in CODES.values() if c.kind == "finding"])
    lines += ["## 格式文件定义的代码", "",
              "以下代码由格式文件（templates/*.yaml）中的校验规则、合计公式、文字部分要求和上下年度衔接关系定义；",
              "新的规定格式文件带来的代码同样适用本页的说明方式。", ""]
    by_source: dict[str, list[Code]] = {}
    for c in layout_codes(layouts).values():
        if c.code not in CODES:
            by_source.setdefault(c.source, []).append(c)
    table([c for cs in by_source.values() for c in cs])
    lines += ["## 收取邮件时未保存附件的原因（collect）", "",
              "`gaixl collect` 的报告中“跳过”一栏使用以下代码。", ""]
    table([c for c in CODES.values() if c.kind == "collect"])
    return "\n".join(lines).rstrip("\n") + "\n"

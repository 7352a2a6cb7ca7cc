"""import_report: a published report (text, HTML, Word, PDF) → checked ReportData.

The reader is chosen by what the file is (its first bytes), then by its name; the mapper places
the numbers by label; the result is checked like a data file: totals as published, so the
published arithmetic mistakes come out as findings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gaixl.errors import GaixlError, InputError, UsageError
from gaixl.findings import FileReport, Finding
from gaixl.importers import limits
from gaixl.importers.crossrules import confirm_inferred, resolve_by_table_rules
from gaixl.importers.lines import Source, block_lines
from gaixl.importers.mapper import Mapped, detect_format, map_source
from gaixl.importers.narrative import build
from gaixl.importers.normalize import simplified
from gaixl.inputs import read_input
from gaixl.report.data import ReportData
from gaixl.spec.load import layout_for_year, load_layout
from gaixl.spec.model import Layout
from gaixl.spec.rules import CellRef, all_rules
from gaixl.validation.textnumbers import check_table_section_text
from gaixl.validation.validate import check_meta, check_rules, check_text

MAX_BYTES = 64 * 1024 * 1024
FORMATS = ("text", "html", "docx", "pdf")


@dataclass
class ImportResult:
    data: ReportData
    findings: list[Finding]
    not_placed: list[dict]
    format: str                        # layout id the labels showed (or the year's, when they showed none)
    source_format: str = ""            # text | spaced | html | docx | pdf
    file: str = ""
    mapped: Mapped | None = field(default=None, repr=False)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    def report(self) -> FileReport:
        return FileReport(file=self.file, findings=list(self.findings), data=self.data, kind="import")


def sniff(path: Path, raw: bytes) -> str:
    """What the file is: pdf, docx, doc, html or text (content first, then the name)."""
    head = raw[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx", ".doc"):
        return suffix[1:]
    low = raw[:4096].lower()
    if suffix in (".html", ".htm", ".xhtml", ".shtml", ".mht") or b"<html" in low or b"<table" in low or b"<!doctype html" in low:
        return "html"
    return "text"


def read_source(path: Path) -> tuple[Source, str]:
    """A file → (lines of cells, which reader read it). Unreadable → InputError."""
    raw = read_input(path, MAX_BYTES)          # a regular file only: a FIFO or device is refused
    kind = sniff(path, raw)
    if kind == "doc":
        return _doc_source(path), "doc"
    if kind == "pdf":
        try:
            from gaixl.importers.pdf import pdf_blocks
        except ImportError as e:
            raise InputError(f"reading PDF is not available here ({e})", where=str(path),
                             zh="本程序未包含PDF读取功能，请将报告另存为.docx或文本后再导入") from e
        return _bounded(path, block_lines(pdf_blocks(path), positional=True)), "pdf"
    if kind == "docx":
        from gaixl.importers.docx import docx_blocks

        return _bounded(path, block_lines(docx_blocks(path))), "docx"
    if kind == "html":
        from gaixl.importers.html import decode_html, html_blocks

        text = decode_html(raw)
        limits.check(str(path), "characters", "字符", len(text), limits.MAX_CHARS)
        return _bounded(path, block_lines(html_blocks(text, str(path)))), "html"
    from gaixl.importers.text import decode, text_source

    text = decode(raw)
    if "\x00" in text:
        raise InputError("not a text file (binary content)", where=str(path), zh="不是文本文件（含二进制内容）")
    limits.check(str(path), "characters", "字符", len(text), limits.MAX_CHARS)
    limits.check(str(path), "lines", "文本行", text.count("\n") + 1, limits.MAX_LINES)
    from gaixl.importers.spaced import looks_spaced, spaced_blocks

    if looks_spaced(text):
        src = block_lines(spaced_blocks(text), positional=True)
        src.text = text
        return _bounded(path, src), "spaced"
    return _bounded(path, text_source(text)), "text"


def _bounded(path: Path, src: Source) -> Source:
    """A reader's lines, refused when more than any report has (before the mapper's work)."""
    limits.check(str(path), "lines and table rows", "文本行和表格行", len(src.lines), limits.MAX_LINES)
    return src


def _doc_source(path: Path) -> Source:
    """An old Word .doc: converted to .docx by LibreOffice (when installed), then read as Word."""
    import tempfile

    from gaixl.importers.docx import docx_blocks
    from gaixl.workbook.engine import convert, find_soffice

    if path.suffix.lower() in (".xls", ".et"):
        raise InputError("this is an Excel workbook, not a published report: read it with gaixl check",
                         where=str(path), zh="这是Excel工作簿，不是已发布的报告：请用 gaixl check 读取")
    if find_soffice() is None:
        raise InputError("old Word .doc files need LibreOffice to be read; save it as .docx (or PDF) and import that",
                         where=str(path), zh="读取旧版Word（.doc）文件需要LibreOffice，请另存为.docx（或PDF）后再导入")
    with tempfile.TemporaryDirectory(prefix="gaixl-doc-") as tmp:
        try:
            with limits.paused():             # LibreOffice has its own timeout
                docx = convert(path, "docx", Path(tmp), timeout=120)
            return block_lines(docx_blocks(docx))
        except GaixlError as e:
            # An error names the input the user gave, never the converted copy in a temp folder.
            if e.where is None or e.where.startswith(tmp):
                e.where = str(path)
            raise


def _finding(code: str, severity: str, table: str, zh: str, en: str, **kw) -> Finding:
    return Finding(code=code, severity=severity, table=table, message=zh, message_en=en, **kw)


def choose_layout(src: Source, year: int | None, layout: Layout | str | None) -> tuple[Layout, list[Finding], dict]:
    found, votes = detect_format(src, year)
    notes: list[Finding] = []
    if layout is not None:
        chosen = layout if isinstance(layout, Layout) else load_layout(layout)
        if found and found != chosen.id:
            notes.append(_finding("import-format-labels", "warning", "meta",
                                  f"原文的表格标签属于{found}年版格式，但指定按{chosen.id}年版格式导入",
                                  f"the labels are of the {found} format but the {chosen.id} format was asked for",
                                  expected=chosen.id, found=found))
        return chosen, notes, votes
    try:
        by_year = layout_for_year(year) if year is not None else None
    except UsageError:
        if not found:
            raise
        by_year = None          # a year no format covers: the labels decide, check_meta says the rest
    if found:
        chosen = load_layout(found)
        if by_year is not None and by_year.id != found:
            notes.append(_finding("import-format-year", "info", "meta",
                                  f"{year}年度报告应使用{by_year.id}年版格式，但原文的表格标签属于{found}年版格式，已按{found}年版格式导入",
                                  f"a {year} report should use the {by_year.id} format, but the labels are of the {found} "
                                  f"format; imported as {found}", expected=by_year.id, found=found))
        return chosen, notes, votes
    if by_year is None:
        raise UsageError("cannot tell the format from the labels: give the report year",
                         zh="无法从表格标签判断报告格式，请指定报告年度（--year）")
    return by_year, notes, votes


def _notes(asked, votes: dict, chosen: Layout, story, simplified_text: bool) -> list[str]:
    """How the import decided what it decided, in words (Chinese), for the person checking it."""
    shown = "、".join(f"{k}年版{v}处" for k, v in sorted(votes.items()))
    if asked is not None:
        how = f"按指定的{chosen.id}年版格式导入（表格标签中各格式特有的标签：{shown}）"
    elif any(votes.values()):
        how = f"按表格标签判断为{chosen.id}年版格式（各格式特有的标签：{shown}）"
    else:
        how = f"表格标签两种格式通用，按报告年度采用{chosen.id}年版格式"
    notes = [how, "原文空白的单元格记为空白（不当作0）；原文为“-”“—”“/”“无”的记为0",
             "合计按原文记录、不重新计算，原文合计与分项不符之处列为问题"]
    if story.title_unit:
        notes.append(f"标题中的单位名称：{simplified(story.title_unit)}")
    notes.append("文字部分已转为简体字" if simplified_text else "文字部分保持原文（繁体字未转换，仅去除镜像网站插入的拼音）")
    return notes


def import_report(path: str | Path, year: int | None = None, unit: str | None = None,
                  layout: Layout | str | None = None, *, code: str = "", simplified_text: bool = False) -> ImportResult:
    """Read a published report into ReportData, checked. See the module docstring.

    Raises InputError when the file cannot be read or shows none of the tables, UsageError when
    neither the labels nor `year` tell the format."""
    p = Path(path)
    with limits.time_limit(str(p)):           # every input answered within seconds (limits.SECONDS)
        src, reader = read_source(p)
        return import_source(src, reader=reader, file=str(p), year=year, unit=unit, layout=layout, code=code,
                             simplified_text=simplified_text)


def import_source(src: Source, *, reader: str = "text", file: str = "", year: int | None = None,
                  unit: str | None = None, layout: Layout | str | None = None, code: str = "",
                  simplified_text: bool = False) -> ImportResult:
    """The same as import_report, on lines already read (used by tests and by other readers)."""
    chosen, findings, votes = choose_layout(src, year, layout)
    mapped = map_source(src, chosen)
    resolve_by_table_rules(mapped)
    confirm_inferred(mapped)
    if src.text:
        # pdftotext -layout text: the tables whose columns positions could not rebuild, row by row
        from gaixl.importers.rowseq import merge, read_tables

        merge(mapped, read_tables(src.text, chosen))
    if not mapped.rows_seen:
        raise InputError("none of the report's tables was found (no official row label)", where=file or None,
                         zh="未找到年度报告的任何表格（没有识别出规定格式的行标签）")
    story = build(mapped.texts, mapped.headings, chosen, simplified_text=simplified_text)
    if year is None:
        year = story.title_year or (int(story.date[:4]) - 1 if story.date else None)
        if year is None:
            raise UsageError("cannot tell the report year: give it", zh="无法判断报告年度，请指定报告年度（--year）")
    name = (unit or "").strip() or story.signature_unit or simplified(story.title_unit).strip()
    data = ReportData.empty(chosen, year, code=code, name=name)
    data.signature = {"unit": story.signature_unit or name, "date": story.date}
    for heading, paras in story.text.items():
        data.text[heading] = paras
    np_refs: set[CellRef] = set()
    blanks: dict[tuple[str, str], list[str]] = {}
    assumed: dict[tuple[str, str], list[str]] = {}
    for t in chosen.tables.values():
        for r, c, (rk, ck) in t.cells():
            placed = mapped.cells.get((t.key, r.key, c.key))
            if placed is None:
                np_refs.add(CellRef(t.key, r.key, c.key))
                continue
            data.tables[t.group][rk][ck] = placed.value
            if placed.value is None and not placed.text:
                blanks.setdefault((t.group, rk), []).append(ck)
            if placed.assumed:
                assumed.setdefault((t.group, rk), []).append(ck)
            if placed.note is not None:
                findings.append(_finding(placed.note.code, placed.note.severity, t.group,
                                         f"表{t.group}（{rk} / {ck}）：{placed.note.message}",
                                         f"table {t.group} ({rk} / {ck}): {placed.note.message_en}",
                                         row=rk, column=ck, found=placed.text))
    # what could not be placed: cell by cell, with the reason
    not_placed = [u.to_json() for u in mapped.unplaced]
    said = {(u["table"], u["row"], u["column"]) for u in not_placed}
    row_reason = {(u["table"], u["row"]): (u["reason"], u["reason_en"]) for u in not_placed if u["column"] is None}
    for t in chosen.tables.values():
        table_seen = any((t.key, r.key) in mapped.rows_seen for r in t.data_rows)
        for r in t.data_rows:
            for c in t.data_columns:
                ref = CellRef(t.key, r.key, c.key)
                if ref not in np_refs:
                    continue
                rk, ck = t.data_key(r, c)
                if (t.group, rk, ck) in said:
                    continue
                if (t.key, r.key) in mapped.rows_seen:
                    reason, en = row_reason.get((t.group, rk), ("原文该行中没有这一格", "the row in the source has no such cell"))
                elif table_seen:
                    reason, en = "原文中未找到该行", "the row was not found in the source"
                else:
                    reason, en = "原文中未找到该表", "the table was not found in the source"
                not_placed.append({"table": t.group, "row": rk, "column": ck, "reason": reason, "reason_en": en})
    # findings of the import itself
    for (group, rk), cks in blanks.items():
        findings.append(_finding("import-blank", "info", group, f"表{group}（{rk}）：{'、'.join(cks)} 原文为空白，按空白记录（未当作0）",
                                 f"table {group} ({rk}): {', '.join(cks)} blank in the source, recorded as blank",
                                 row=rk, column=cks[0] if len(cks) == 1 else None))
    for (group, rk), cks in assumed.items():
        findings.append(_finding("import-column-assumed", "warning", group,
                                 f"表{group}（{rk}）：原文该行未显示空白格，{'、'.join(cks)} 按数值的先后及合计关系确定所在列，请核对原文",
                                 f"table {group} ({rk}): empty cells not shown in the source; {', '.join(cks)} placed "
                                 f"by order and by the total; check against the source", row=rk))
    for g in mapped.inferred:
        rule = ("本行可能的拆分不止一种，但只有这一种使全表的合计与勾稽关系都成立" if g.get("by") == "table"
                else "且只有这一种拆分符合本行合计关系" if g["table"] in ("三", "四") else "且只有这一种拆分方式")
        rule_en = ("the only one of its possible splits with which every total and balance of the table holds"
                   if g.get("by") == "table" else "the only split that fits the columns and the row's totals")
        findings.append(_finding("import-split-inferred", "warning", g["table"],
                                 f"表{g['table']}（{g['row']}）：原文各数字连写为“{g['digits']}”，按{len(g['split'])}列"
                                 f"拆分为{'|'.join(g['split'])}（{rule}），请核对原文",
                                 f"table {g['table']} ({g['row']}): the digits run together ({g['digits']}); split "
                                 f"as {'|'.join(g['split'])}, {rule_en}; "
                                 "check against the source", row=g["row"], found=g["digits"],
                                 expected="|".join(g["split"])))
    rows_np: dict[tuple[str, str | None], list[dict]] = {}
    for u in not_placed:
        rows_np.setdefault((u["table"], u["row"]), []).append(u)
    missing_tables = set()
    for (group, rk), us in rows_np.items():
        if all(u["reason"] == "原文中未找到该表" for u in us):
            missing_tables.add(group)
            continue
        first = us[0]
        findings.append(_finding("import-not-placed", "warning", group or "meta",
                                 f"表{group}（{rk}）：{len(us)}项未导入——{first['reason']}",
                                 f"table {group} ({rk}): {len(us)} item(s) not imported — {first['reason_en']}",
                                 row=rk, column=first["column"] if len(us) == 1 else None))
    for group in sorted(missing_tables):
        findings.append(_finding("import-table-missing", "warning", group, f"原文中未找到表{group}（或其部分子表），相应单元格未导入",
                                 f"table {group} (or part of it) was not found in the source; its cells are not imported"))
    # the checks of a data file, on the cells that were placed (totals as published)
    rule_ids = {r.id for r in all_rules(chosen)}
    np_keys = {(u["table"], u["row"], u["column"]) for u in not_placed}
    skipped = 0
    for f in check_rules(data, chosen, uncomputable=frozenset(np_refs)):
        if f.code in rule_ids and f.found is None and f.expected is None:
            skipped += 1
            continue
        if f.code == "total-blank" and (f.table, f.row, f.column) in np_keys:
            continue
        findings.append(f)
    if skipped:
        findings.append(_finding("import-checks-skipped", "info", "meta",
                                 f"{skipped}项校验因所涉单元格未能导入而未进行",
                                 f"{skipped} check(s) not run: cells they need were not imported"))
    findings += check_meta(data, chosen)
    for f in check_text(data, chosen):
        num = (f.row or " ")[0]
        if f.code == "text-empty" and num not in story.found:
            findings.append(_finding("import-section-missing", "warning", "text", f"原文中未找到第{num}部分“{f.row}”",
                                     f"section “{f.row}” was not found in the source", row=f.row))
        else:
            findings.append(f)
    # the text printed inside a table section (三、… opened by “共收到8份政府信息公开申请”) states the
    # tables' figures too: checked against them like the narrative sections
    inside: dict[str, list[str]] = {}
    for u in story.unplaced:
        if u.get("section"):
            inside.setdefault(u["section"], []).append(u["text"])
    findings += check_table_section_text(data, chosen, inside)
    data.extra["import"] = {
        "source": file, "reader": reader, "format_detected": chosen.id, "format_votes": votes,
        "imported_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "unit_from": "--unit" if (unit or "").strip() else ("signature" if story.signature_unit else
                                                            ("title" if story.title_unit else "")),
        "not_placed": not_placed,
        "unplaced_text": story.unplaced,
        "notes": _notes(layout, votes, chosen, story, simplified_text),
    }
    return ImportResult(data=data, findings=findings, not_placed=not_placed, format=chosen.id, source_format=reader,
                        file=file, mapped=mapped)

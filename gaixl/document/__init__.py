"""Renderers of the narrative report: Word (.docx), PDF, Markdown, HTML — one document model.

    render(source, out, *, layout=None) -> (Path, [Finding])

`source` is a report file (a filled workbook or a .json data file, read with gaixl.workbook.read.read_any)
or a ReportData. The format follows from the suffix of `out`: .docx (gaixl.document.docx), .pdf
(the .docx converted by LibreOffice, gaixl.document.pdf), .md (gaixl.document.markdown), .html / .htm
(gaixl.document.html). Every renderer lays out the same Document (gaixl.document.model), so the
content — title, opening paragraph, six sections, tables, signature — is the same in each.

The data are checked in full first (as `gaixl check` does); with error-level findings nothing
is written (ReportRejected) unless `draft=True`, which marks every page “草稿（未通过校验）”.
The findings returned are what a reader of the report should know: the check's errors (of a
draft) and warnings, and the document's own (a narrative section left empty, …).

This package's __init__ imports nothing heavy: gaixl imports it eagerly (see gaixl/__init__.py),
and python-docx is loaded only when a .docx or .pdf is written.
"""
from __future__ import annotations

from pathlib import Path

from gaixl.errors import OutputError, UsageError, os_reason_zh

FORMATS = {".docx": "docx", ".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".html": "html",
           ".htm": "html"}


def output_format(out: str | Path) -> str:
    """docx | pdf | markdown | html, from the suffix of `out`; UsageError for anything else."""
    suffix = Path(out).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        shown = suffix or "(none)"
        raise UsageError(f"cannot write a report as {shown}: use .docx, .pdf, .md or .html", where=str(out),
                         zh=f"无法输出为“{suffix or '无扩展名'}”格式的报告：请使用.docx、.pdf、.md或.html")
    return fmt


def render(source, out: str | Path, *, layout=None, draft: bool = False):
    """Write the report of `source` to `out` → (out path, findings). See the module docstring.

    The data are checked in full first (a file as by `gaixl check`: tables, format and year,
    narrative; a ReportData by the validator). With error-level findings nothing is written
    and ReportRejected (carrying every finding) is raised — unless `draft`, which writes the
    document with “草稿（未通过校验）” on every page. Warnings never block."""
    from gaixl.document.model import DRAFT_MARK, build_document
    from gaixl.errors import ReportRejected
    from gaixl.report.data import ReportData
    from gaixl.spec.load import load_layout
    from gaixl.spec.model import Layout
    from gaixl.validation.validate import validate

    out = Path(out)
    fmt = output_format(out)                 # before reading: a wrong suffix fails fast
    if isinstance(source, ReportData):
        data = source
        checked = validate(data, load_layout(data.layout))
    else:
        from gaixl.validation.files import check_file

        report = check_file(source)
        data, checked = report.data, report.findings
    if isinstance(layout, str):
        layout = load_layout(layout)
    if layout is not None:
        if not isinstance(layout, Layout):
            raise UsageError(f"layout must be a Layout or a layout id, not {type(layout).__name__}",
                             zh="layout参数必须是报告格式对象或格式编号")
        if layout.id != data.layout:
            raise UsageError(f"the data are in the {data.layout} format, not {layout.id}",
                             where=None if isinstance(source, ReportData) else str(source),
                             zh=f"数据为{data.layout}年版格式，与指定的{layout.id}年版格式不符")
    errors = [f for f in checked if f.severity == "error"]
    if errors and not draft:
        raise ReportRejected(
            f"not written: the data have {len(errors)} error(s); correct them (gaixl check lists them), "
            "or write a draft with --draft", findings=errors,
            where=None if isinstance(source, ReportData) else str(source),
            zh=f"未生成报告：数据有{len(errors)}项错误，请先改正（gaixl check 可列出全部问题），"
               "或使用 --draft 生成草稿")
    findings = [f for f in checked if f.severity in ("error", "warning")]
    doc = build_document(data, layout)
    if draft:
        doc.draft = DRAFT_MARK if errors else "草稿"
    # The document's own notes (a section left empty) unless the check said the same already.
    said = {(f.code, f.row) for f in findings}
    findings += [w for w in doc.warnings if (w.code, w.row) not in said]
    if fmt == "docx":
        from gaixl.document.docx import render_docx as write
    elif fmt == "pdf":
        from gaixl.document.pdf import render_pdf as write
    elif fmt == "markdown":
        from gaixl.document.markdown import render_markdown as write
    else:
        from gaixl.document.html import render_html as write
    try:
        write(doc, out)
    except OSError as e:                     # a folder in the way, no permission, a full disk …
        raise OutputError(f"cannot write the report: {e.strerror or e}", where=str(out),
                         zh=f"无法写入报告：{os_reason_zh(e)}") from e
    return out, findings


__all__ = ["render", "output_format", "FORMATS"]

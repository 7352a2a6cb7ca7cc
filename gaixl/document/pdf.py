"""The report as PDF: the Word document (gaixl.document.docx) converted by LibreOffice headless.

    render_pdf(doc, out) -> Path

The .docx is written to a private temporary folder, converted there with gaixl.workbook.engine.convert
(a throw-away LibreOffice profile per call), and the PDF is moved into place atomically. Without
LibreOffice this raises EngineError (a GaixlError) with a one-line message in both languages.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from gaixl.atomic import atomic_path
from gaixl.document.docx import render_docx
from gaixl.document.model import Document
from gaixl.errors import GaixlError
from gaixl.workbook import engine


def render_pdf(doc: Document, out: str | Path, *, timeout: float = 180) -> Path:
    """Write `doc` as PDF at `out` (needs LibreOffice; see gaixl.workbook.engine)."""
    out = Path(out)
    if engine.find_soffice() is None:
        raise engine.EngineError(
            "PDF output needs LibreOffice (soffice), which is not installed; write .docx instead, or install it "
            "(Debian: apt-get install libreoffice-writer-nogui)", where=str(out),
            zh="生成PDF需要LibreOffice（soffice），本机未安装；可改为输出.docx文件，或先安装LibreOffice"
               "（Debian系统：apt-get install libreoffice-writer-nogui）")
    with tempfile.TemporaryDirectory(prefix="gaixl-pdf-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            src = render_docx(doc, tmp / "report.docx")
            pdf = engine.convert(src, "pdf", tmp / "out", timeout=timeout)
        except GaixlError as e:
            # After a long conversion the error names the output asked for, not the scratch copy.
            if e.where is None or e.where.startswith(tmp_name):
                e.where = str(out)
            raise
        with atomic_path(out) as part:
            shutil.copyfile(pdf, part)
    return out

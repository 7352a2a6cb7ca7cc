"""Importing published reports (text, HTML, Word, PDF) into checked report data.

`import_report(path, year=None, unit=None, layout=None)` → ImportResult(data, findings,
not_placed, format): readers (text, html, docx, pdf, spaced) turn the file into lines of cells,
the mapper (mapper.py) places every number by its row and column labels, and the result is
checked like a data file (totals as published). Usable without the CLI (`gaixl import`).
"""
from gaixl.importers.api import ImportResult, import_report, import_source

__all__ = ["ImportResult", "import_report", "import_source"]

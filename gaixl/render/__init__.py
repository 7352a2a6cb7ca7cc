"""Renderers of the narrative report: Word (.docx), Markdown, HTML, PDF (see document.py)."""

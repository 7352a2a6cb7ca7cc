"""What `import` reads at most, so that every input is answered — read, or refused with the
limit named — within seconds and a few hundred MB.

A published annual report is 5–30 pages, 300–2,000 lines, six tables of under 60 rows; the
limits below are ten times that and more. Beyond them a file is not a report (or is built to
stall the reader: a 27 KB PDF with a million text operators, a Word table of 30,000 rows), and
is refused before the expensive part — layout analysis, grid building, mapping — begins.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from gaixl.bounds import bounded
from gaixl.bounds import paused as bounds_paused
from gaixl.errors import InputError

MAX_PAGES = 200                  # PDF pages
MAX_PAGE_OPERATORS = 10_000      # text-showing operators (Tj TJ ' ") on one PDF page, forms included
MAX_PAGE_CONTENT = 4 << 20       # decoded content-stream bytes of one PDF page
MAX_LINES = 8_000                # lines of a text file, paragraphs + table rows of any document
MAX_TABLE_ROWS = 1_000           # rows of one table (HTML, Word)
MAX_CELLS = 30_000               # table cells in one document
MAX_CHARS = 2_000_000            # characters of a text or HTML document
SECONDS = 8.0                    # importing one document, all of it (reading, layout, mapping)


def too_many(where: str, what_en: str, what_zh: str, found: int, limit: int) -> InputError:
    return InputError(f"refused: {found:,} {what_en} (at most {limit:,}; not a published report?)", where=where,
                      zh=f"拒绝读取：{what_zh}达{found:,}个（上限{limit:,}个），不像是已发布的年度报告")


def check(where: str, what_en: str, what_zh: str, found: int, limit: int) -> None:
    if found > limit:
        raise too_many(where, what_en, what_zh, found, limit)


class Budget:
    """A reader's time budget: `tick()` between pages/tables raises InputError past SECONDS."""

    def __init__(self, where: str, seconds: float = SECONDS):
        self.where, self.seconds = where, seconds
        self.start = time.monotonic()

    def tick(self, done: str = "") -> None:
        if time.monotonic() - self.start > self.seconds:
            raise InputError(f"refused: reading takes longer than {self.seconds:.0f} s{' (' + done + ')' if done else ''}"
                             "; the document is too large or too complex", where=self.where,
                             zh=f"拒绝读取：读取时间超过{self.seconds:.0f}秒{'（' + done + '）' if done else ''}，"
                                "文件过大或结构过于复杂")


@contextmanager
def time_limit(where: str, seconds: float = SECONDS):
    """Answer within `seconds` and gaixl.bounds.MEMORY: past either, the work is interrupted
    wherever it is (pdfminer's operator loop, the layout analysis, the mapper) and InputError
    names the limit (gaixl.bounds, shared with `check`)."""
    with bounded(where, seconds):
        yield


paused = bounds_paused      # lift the bounds for a block with its own timeout (LibreOffice)

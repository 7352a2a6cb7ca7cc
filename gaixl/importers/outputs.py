"""What an import becomes: the unit's code looked up in a roster, a data file or a filled
workbook, a unit-year in the history database. `import_file` does the whole of `gaixl import`.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import unicodedata
from pathlib import Path

from gaixl.errors import UsageError
from gaixl.i18n import both, t
from gaixl.importers.api import ImportResult, import_report
from gaixl.spec.model import Layout

OUTPUT_SUFFIXES = (".json", ".xlsx")


def _name_key(s: str) -> str:
    """A unit's name as compared: spaces and full-/half-width differences do not count."""
    return "".join(unicodedata.normalize("NFKC", s or "").split())


def code_from_roster(res: ImportResult, roster: str | Path) -> str:
    """The unit's code from the roster, by its name (as imported or given): sets it on the data
    and returns it. UsageError when no unit or several units of the roster have that name."""
    from gaixl.report.roster import read_roster

    name = res.data.unit.get("name") or ""
    codes = [u["code"] for u in read_roster(roster) if _name_key(u["name"]) == _name_key(name)] if name else []
    if not codes:
        raise UsageError(f"no unit named {name!r} in the roster", where=str(roster),
                         zh=t("import.no_match", "zh", roster=roster, name=name))
    if len(set(codes)) > 1:
        raise UsageError(f"several units named {name!r} in the roster: {', '.join(codes)}", where=str(roster),
                         zh=t("import.many_match", "zh", roster=roster, name=name, codes="、".join(codes)))
    res.data.unit["code"] = codes[0]
    return codes[0]


def check_output(out: str | Path) -> Path:
    """The output of an import must be a data file (.json) or a workbook (.xlsx)."""
    out = Path(out)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"the output must be .json or .xlsx: {out}", zh=t("import.bad_out", "zh", out=out))
    return out


def write_import(res: ImportResult, out: str | Path) -> Path:
    """The imported data as a data file (.json) or as a filled workbook (.xlsx: the unit's
    template generated and filled; its totals are formulas again) → the path."""
    from gaixl.atomic import write_text
    from gaixl.report.data import dump_data

    out = check_output(out)
    if out.suffix.lower() == ".json":
        return write_text(out, dump_data(res.data))
    from gaixl.spec.load import load_layout
    from gaixl.workbook.fill import fill_workbook
    from gaixl.workbook.template import generate_workbook

    data = res.data
    if not data.unit.get("name"):
        raise UsageError("a workbook needs the unit's name (--unit)", zh=t("import.need_unit", "zh"))
    layout = load_layout(data.layout)
    with tempfile.TemporaryDirectory(prefix="gaixl-import-") as tmp:
        template = Path(tmp) / "template.xlsx"
        # A report published in a format not meant for its year is kept as published: the
        # workbook's own 校验 shows the mismatch (and import said it: import-format-year).
        generate_workbook(layout, data.year, data.unit.get("code") or "", data.unit["name"], template,
                          allow_layout_mismatch=True)
        return fill_workbook(template, data, out)


def store_import(res: ImportResult, history: str | Path, source: str | Path) -> None:
    """Store the imported unit-year in the history database (created when missing), with where
    it came from."""
    from gaixl.validation.history import HistoryStore

    prov = {"stored_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "source": str(source),
            "file": str(source), "kind": "import", "format": res.format, "reader": res.source_format,
            "not_placed": len(res.not_placed)}
    with HistoryStore(history) as store:
        store.store(res.data, prov)


def import_file(path: str | Path, *, year: int | None = None, unit: str | None = None, code: str = "",
                roster: str | Path | None = None, layout: Layout | str | None = None,
                simplified_text: bool = False, out: str | Path | None = None,
                history: str | Path | None = None) -> ImportResult:
    """A published report → ImportResult, and what it should become: the unit's code from
    `roster` (by its name, when `code` is not given), the data file or filled workbook `out`,
    the unit-year stored in the `history` database. Wrong requests fail before the file is read."""
    code = (code or "").strip()
    if out is not None:
        check_output(out)
    if history is not None and not code and roster is None:
        raise UsageError(**both("import.need_code"))
    res = import_report(path, year=year, unit=unit, layout=layout, code=code, simplified_text=simplified_text)
    if roster is not None and not code:
        code_from_roster(res, roster)
    if out is not None:
        write_import(res, out)
    if history is not None:
        store_import(res, history, path)
    return res


__all__ = ["import_file", "code_from_roster", "write_import", "store_import", "check_output"]

"""`gaixl check`'s work, without the command-line framework: run_check() and the plain forms of
its command line (plain_check_args).

Why apart from core.py: a check of many files is one process start-up per run, and typer
(0.2x) builds its parameter types with pydantic on every run: ~0.25 s of CPU before the
first file is opened, as long as reading 150 files. gaixl.cli.main hands the plain forms of
`gaixl check` (files, --json, --lang zh|en, --year, --code, --history, --layouts) straight to
run_check; anything else — help, an unknown option, a value typer must judge — goes through
typer, which says it in the reader's language. Both ways run the same code below, so a
command line means the same and prints the same either way. Nothing here imports typer, and
rich only for the human output.
"""
from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path

from gaixl.errors import GaixlError
from gaixl.i18n import t
from gaixl.spec.load import use_layouts


def run_check(files: list[Path], *, year: int | None = None, code: str | None = None,
              history_db: Path | None = None, json_out: bool = False, layouts_dir: Path | None = None,
              lang: str = "zh") -> int:
    """Read and check the files, print the reports (JSON or lines for people); the exit code:
    0 ok, 1 findings with errors, 2 a file unreadable (or the history database, --layouts)."""
    try:
        use_layouts(layouts_dir)
    except GaixlError as e:
        return _fail(e, lang)
    if json_out and history_db is None and len(files) > 1:
        from gaixl.validation.files import check_many

        # Many files for a machine: read in one process per CPU, each report's JSON made where
        # its file was read, one report a line, written as it comes.
        errors = unreadable = 0
        write = sys.stdout.write
        write("[")
        for i, (text, bad, lost) in enumerate(check_many(files, year=year, unit_code=code,
                                                         each=partial(_json_line, lang=lang))):
            write(("\n" if i == 0 else ",\n") + text)
            errors += bad
            unreadable += lost
        write("\n]\n")
        return 2 if unreadable else 1 if errors else 0
    from gaixl.api import check_files
    from gaixl.cli._output import _emit_json, _print_report, _progress, err, out

    try:
        with _progress(t("check.progress", lang), len(files), json_out) as prog:
            task = prog.add_task("", total=len(files))
            reports = check_files(files, year=year, unit_code=code, history=history_db,
                                  progress=lambda i, n: prog.update(task, completed=i))
    except GaixlError as e:             # the history database (the files' own errors are reports)
        return _fail(e, lang)
    unreadable = sum(1 for r in reports if r.kind == "unreadable")
    if not json_out:
        for r in reports:
            if r.error is not None:
                err.print(f"{t('error', lang)}{r.error.text(lang)}", markup=False)
    if json_out:
        payload = [r.to_json(lang) for r in reports]
        _emit_json(payload[0] if len(payload) == 1 else payload)
    else:
        for r in reports:
            if r.data is not None:
                _print_report(r, lang)
        if len(reports) > 1:
            bad = sum(1 for r in reports if r.data is not None and r.errors)
            out.print(t("check.summary", lang, n=len(reports), ok=len(reports) - bad - unreadable, bad=bad,
                        unreadable=unreadable))
    if unreadable:
        return 2
    return 1 if any(r.errors for r in reports) else 0


def _fail(e: GaixlError, lang: str) -> int:
    from gaixl.cli._output import err

    err.print(f"{t('error', lang)}{e.text(lang)}", markup=False)
    return 2


def _json_line(report, error, lang: str) -> tuple[str, bool, bool]:
    """One report of `check --json` over many files: (its JSON on one line, has errors?, unreadable?)."""
    return json.dumps(report.to_json(lang, copy=False), ensure_ascii=False), bool(report.errors), error is not None


# Options of `gaixl check` taken here, and whether each takes a value.
_OPTIONS = {"--json": False, "--lang": True, "--year": True, "--code": True, "--history": True, "--layouts": True}


def plain_check_args(args: list[str]) -> dict | None:
    """The arguments after `check` as run_check's keywords, when they are in a plain form whose
    meaning is beyond doubt: known options (each at most once, a value that does not begin with
    '-', --year in plain digits, --lang zh or en) and at least one file. None for anything else
    (typer parses those, and says what is wrong)."""
    files: list[Path] = []
    given: dict[str, str | bool] = {}
    it = iter(args)
    for a in it:
        if a == "--":
            files.extend(Path(f) for f in it)
            break
        if not a.startswith("-") :
            files.append(Path(a))
            continue
        name, eq, value = a.partition("=")
        takes = _OPTIONS.get(name)
        if takes is None or name in given or (eq and not takes):
            return None
        if takes and not eq:
            value = next(it, "")
        if takes and (not value or value.startswith("-")):
            return None
        given[name] = value if takes else True
    year = given.get("--year")
    if not files or given.get("--lang", "zh") not in ("zh", "en") or \
            (year is not None and not (str(year).isascii() and str(year).isdigit() and len(str(year)) < 10)):
        return None
    return {"files": files, "year": int(str(year)) if year is not None else None,
            "code": given.get("--code"), "json_out": bool(given.get("--json")),
            "history_db": Path(str(given["--history"])) if "--history" in given else None,
            "layouts_dir": Path(str(given["--layouts"])) if "--layouts" in given else None,
            "lang": given.get("--lang", "zh")}

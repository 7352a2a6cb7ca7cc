"""The registry of finding codes (gaixl/codes.py) and its page (docs/findings.md): every code
the program can emit is registered and documented.

Codes are found two ways: statically, by reading every module of gaixl/ (string literals passed
as `code=`, or as the code argument of the calls that make findings, problems, notes and skipped
attachments) plus the codes the layout files define; and dynamically, by recording every Finding
made while the whole suite runs (tests/conftest.py: a test that makes a Finding with an
unregistered code fails in its teardown) and by running real inputs here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gaixl import codes
from gaixl.findings import Finding
from gaixl.i18n import COLLECT_REASONS as REASONS  # collect's skip reasons, in the one catalogue
from gaixl.spec.codes_page import page
from gaixl.spec.load import available_layouts

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gaixl"
DOC = ROOT / "docs" / "findings.md"

# Calls that make a coded record, and which positional argument is the code.
CODE_ARG = {"Finding": 0, "Problem": 0, "_prob": 0, "meta_finding": 0, "_finding": 0, "Note": 0, "Skipped": 1}


def emitted_codes(root: Path = PACKAGE) -> dict[str, list[str]]:
    """code → where it is emitted (file:line), from the source of gaixl/."""
    found: dict[str, list[str]] = {}
    for p in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            values = [kw.value for kw in node.keywords if kw.arg == "code"]
            if name in CODE_ARG and len(node.args) > CODE_ARG[name]:
                values.append(node.args[CODE_ARG[name]])
            for v in values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    found.setdefault(v.value, []).append(f"{p.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scanner_sees_the_codes_it_should():
    # A scanner that finds nothing would pass everything: it must see codes of every kind.
    found = emitted_codes()
    for code in ("t3-balance", "cell-not-number", "table-missing", "import-dash", "wrong-format", "zip-bomb",
                 "template-other-unit", "cached-mismatch"):
        if code == "t3-balance":
            continue        # a layout code: not in the Python source
        assert code in found, code
    assert len(found) >= 55


def test_every_code_the_program_emits_is_registered():
    found = emitted_codes()
    missing = {c: w for c, w in found.items() if c not in codes.CODES}
    assert not missing, f"unregistered codes (add them to gaixl/codes.py): {missing}"


def test_no_registered_code_is_dead():
    # A registered program code that nothing emits is a stale entry.
    found = emitted_codes()
    dead = sorted(c for c in codes.CODES if c not in found)
    assert not dead, f"registered but never emitted: {dead}"


def test_the_layouts_codes_are_known_and_do_not_clash():
    lc = codes.layout_codes(available_layouts())
    assert {"t3-balance", "t3-row-total", "t3-results-total", "t4-total", "t2-items-negative",
            "history-carry-over", "history-items", "text-fee-missing"} <= set(lc)
    assert not set(lc) & set(codes.CODES), "a layout reuses a program code"
    for c in lc.values():
        assert c.zh and c.en and c.todo and c.severity in codes.SEVERITIES, c


def test_registry_entries_are_complete():
    for c in codes.CODES.values():
        assert c.severity in codes.SEVERITIES and set(c.also) <= set(codes.SEVERITIES), c
        assert c.zh and c.en and c.todo and c.table, c
        assert c.code == c.code.lower() and " " not in c.code, c
    # collect's reasons are the registry's collect codes ("via-forward" is a label, not a reason)
    assert {k for k in REASONS if k != "via-forward"} == {c.code for c in codes.CODES.values() if c.kind == "collect"}


def test_every_code_is_documented_and_the_page_is_current():
    text = DOC.read_text(encoding="utf-8")
    assert text == page(), "docs/findings.md is stale: python -m gaixl.spec.codes_page > docs/findings.md"
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    every = set(codes.all_codes(available_layouts()))
    assert every <= documented, f"not documented: {sorted(every - documented)}"
    assert set(emitted_codes()) <= documented
    for c in codes.CODES.values():           # the page says what to do, in Chinese
        assert c.todo in text


def test_finding_defaults_from_the_registry():
    f = Finding("date-missing")
    assert (f.severity, f.table, f.message) == ("warning", "meta", "未填写报告日期")
    assert f.message_en == "the report date is missing"
    # what the caller says wins; a cell code's table ("*") is the caller's to give
    g = Finding("cell-blank", table="三", message="x")
    assert (g.severity, g.table, g.message) == ("info", "三", "x")
    assert Finding("cell-blank").table == ""


def test_letters_take_what_to_do_from_the_registry(layouts):
    from gaixl.consolidation.letters import finding_line

    line = finding_line(1, Finding("template-other-unit", message="m"))
    assert "处理：请使用下发给本单位的模板重新填报。" in line
    line = finding_line(1, Finding("t3-balance", "error", "三", "m"), layouts["2021"])
    assert "第一项加第二项之和等于第三项加第四项之和" in line.splitlines()[-1]
    assert finding_line(1, Finding("test-no-such-code", "warning", "meta", "m")).endswith("处理：请核实，如确有误请改正后重新报送。")


# ---------------------------------------------------------------- dynamically: real inputs
def test_codes_found_by_checking_real_files_are_registered(shared, tmp_path):
    """Check the shared sample (a real report as a data file), the same with the mistakes people
    make typed into it, and import the seed report as published: every code they produce is
    registered or a layout's."""
    import json

    from gaixl.importers.api import import_report
    from gaixl.validation.files import check_file

    known = set(codes.all_codes(available_layouts()))
    seen: set[str] = set()
    for p in sorted((shared / "samples").glob("*.json")):
        seen |= {f.code for f in check_file(p).findings}
        doc = json.loads(p.read_text(encoding="utf-8"))
        doc["unit"]["name"] = ""
        doc.setdefault("signature", {})["date"] = "去年"
        t3 = doc["tables"]["三"]
        rows = list(t3.values())
        for i, junk in enumerate(("3件", "－", "1.5", -2, "１２", "abc", " 7 ")):
            rows[i][next(iter(rows[i]))] = junk
        t3["没有这一行"] = {"自然人": 1}
        bad = tmp_path / p.name
        bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        seen |= {f.code for f in check_file(bad).findings}
    res = import_report(shared / "seed" / "2020-jinyun-hrss-as-scraped.txt", year=2020)
    seen |= {f.code for f in res.findings}
    assert len(seen) >= 8, f"the inputs produced too few codes to prove anything: {seen}"
    assert seen <= known, sorted(seen - known)


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_each_code_has_official_chinese(code):
    c = codes.CODES[code]
    # Chinese text, no English left in the Chinese columns, no trailing full stop inside a table cell
    assert any("\u4e00" <= ch <= "\u9fff" for ch in c.zh + c.todo), c
    assert not c.zh.endswith("。") and not c.todo.endswith("。"), c

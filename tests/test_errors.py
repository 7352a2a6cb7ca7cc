"""Every error gaixl raises speaks both languages: English in str(e) (tests, logs), Chinese in
e.text("zh") for the user; the CLI prints the one the user asked for."""
from __future__ import annotations

import ast
import io
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gaixl
from gaixl import errors
from gaixl.cli import app
from gaixl.errors import DataFileError, GaixlError, InputError, RosterError, UsageError
from gaixl.report.roster import read_roster
from gaixl.spec.load import load_layout
from gaixl.validation.files import check_file, unreadable_report

CJK = re.compile(r"[\u4e00-\u9fff]")
# Names of formats and products that a Chinese message may spell in Latin letters.
LATIN_OK = {"HTML", "XML", "CSV", "Excel", "xlsx", "xls", "JSON", "UTF", "GBK", "MB", "docx"}


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>" * 200)
        z.writestr("xl/workbook.xml", "<workbook/>" * 200)
    return buf.getvalue()


def _bad_inputs(tmp: Path):
    """(name, what it is, a call that must raise the error)."""
    empty = tmp / "空文件.xlsx"
    empty.write_bytes(b"")
    html = tmp / "网页.xlsx"
    html.write_text("<html><body><table><tr><td>自然人</td></tr></table></body></html>", encoding="utf-8")
    csv = tmp / "表格.xlsx"
    csv.write_text("单位代码,单位名称\n001,某局\n", encoding="utf-8")
    cut = tmp / "cut.xlsx"
    cut.write_bytes(_zip_bytes()[:200])
    no_year = tmp / "data.json"
    no_year.write_text('{"layout": "2021", "unit": {"code": "1", "name": "某局"}}', encoding="utf-8")
    roster = tmp / "roster.csv"
    roster.write_text("code,email\n001,a@b.cn\n", encoding="utf-8")
    return [
        ("empty", InputError, lambda: check_file(empty), empty),
        ("html", InputError, lambda: check_file(html), html),
        ("csv", InputError, lambda: check_file(csv), csv),
        ("truncated-zip", InputError, lambda: check_file(cut), cut),
        ("json-without-year", DataFileError, lambda: check_file(no_year), no_year),
        ("roster-without-name", RosterError, lambda: read_roster(roster), roster),
        ("unknown-layout", UsageError, lambda: load_layout("1999"), None),
    ]


def _latin_words(zh: str, where: str | None) -> list[str]:
    """Latin words of a Chinese message, leaving out the place, quoted values and format names."""
    if where and zh.startswith(where + ": "):
        zh = zh[len(where) + 2:]
    zh = re.sub(r"“[^”]*”", "", zh)
    return [w for w in re.findall(r"[A-Za-z]{2,}", zh) if w not in LATIN_OK]


@pytest.mark.parametrize("case", ["empty", "html", "csv", "truncated-zip", "json-without-year",
                                  "roster-without-name", "unknown-layout"])
def test_errors_of_bad_inputs_are_in_chinese(tmp_path, case):
    _name, kind, call, path = next(c for c in _bad_inputs(tmp_path) if c[0] == case)
    with pytest.raises(kind) as ei:
        call()
    e = ei.value
    assert isinstance(e, GaixlError)
    assert e.message_zh and CJK.search(e.message_zh), e.message_zh
    assert not _latin_words(e.message_zh, None), e.message_zh
    zh = e.text("zh")
    assert not _latin_words(zh, e.where), zh
    if path is not None:
        assert str(path) in zh and str(path) in e.text("en")
    # str(e) stays English; the English message holds no Chinese (the roster's names the
    # accepted Chinese column headers, which are values, not a translation).
    assert str(e) == e.text("en") and e.message_zh not in str(e)
    if case != "roster-without-name":
        assert not CJK.search(e.message), e.message


def test_text_and_backward_compatible_constructor():
    e = InputError("broken", where="a.xlsx")          # old style: no zh
    assert str(e) == "a.xlsx: broken" and e.text("zh") == "a.xlsx: broken" and e.message_zh is None
    e = InputError("broken", where="a.xlsx", zh="已损坏")
    assert str(e) == "a.xlsx: broken"
    assert e.text() == e.text("zh") == "a.xlsx: 已损坏" and e.text("en") == "a.xlsx: broken"
    assert UsageError("bad", zh="有误").text() == "有误"
    assert isinstance(e, ValueError)


def test_unreadable_report_is_bilingual():
    f = unreadable_report("x.xlsx", InputError("the file is empty (0 bytes)", where="x.xlsx", zh="文件为空（0字节）"))
    finding = f.findings[0]
    assert finding.message == "无法读取：文件为空（0字节）"
    assert finding.message_en == "cannot read: the file is empty (0 bytes)"


# ---------------------------------------------------------------- the CLI
runner = CliRunner()


@pytest.mark.parametrize("content, zh, en", [
    ("<html><body>not a workbook</body></html>", "不是Excel工作簿", "not a workbook"),
    ("", "文件为空（0字节）", "the file is empty (0 bytes)"),
])
def test_cli_check_prints_the_language_asked_for(tmp_path, content, zh, en):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text(content, encoding="utf-8")
    r = runner.invoke(app, ["check", str(bad)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert f"错误：{bad}: {zh}" in r.output, r.output
    assert en not in r.output
    r = runner.invoke(app, ["check", str(bad), "--lang", "en"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"Error: {bad}: {en}" in r.output, r.output
    assert not CJK.search(r.output.replace(str(bad), "")), r.output


def test_cli_fail_prints_the_language_asked_for(tmp_path):
    r = runner.invoke(app, ["generate", "--year", "2015", "--unit", "某局", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "错误：没有适用于2015年度报告的规定格式" in r.output, r.output
    r = runner.invoke(app, ["generate", "--year", "2015", "--unit", "某局", "--out", str(tmp_path), "--lang", "en"])
    assert r.exit_code == 2 and "Error: no official format covers report year 2015" in r.output, r.output


# ---------------------------------------------------------------- every raise site is bilingual
def _error_classes() -> set[str]:
    """gaixl's own error classes: GaixlError and every subclass defined in the package."""
    names = {"GaixlError"}
    pkg = Path(gaixl.__file__).parent
    trees = [ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(pkg.rglob("*.py"))]
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        isinstance(b, ast.Name) and b.id in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


@pytest.mark.slow
def test_every_raise_of_a_gaixl_error_has_a_chinese_message():
    classes = _error_classes()
    assert {"InputError", "LayoutError", "RuleError", "UsageError", "EngineError"} <= classes
    pkg = Path(gaixl.__file__).parent
    missing, seen = [], 0
    for p in sorted(pkg.rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"), str(p))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            # `raise XError(...)` of gaixl's classes, and layout.py's `raise ctx.fail(...)` helper
            if name in classes or name == "fail":
                seen += 1
                # zh= given, or both languages from the catalogue: XError(**both("key"))
                if not any(k.arg == "zh" or (k.arg is None and isinstance(k.value, ast.Call)
                                             and getattr(k.value.func, "id", None) == "both")
                           for k in node.exc.keywords):
                    missing.append(f"{p.name}:{node.lineno}")
    assert seen > 50
    assert not missing, "raise sites without zh=: " + ", ".join(missing)


def test_os_reason_zh():
    assert errors.os_reason_zh(FileNotFoundError(2, "No such file or directory")) == "文件或文件夹不存在"
    assert CJK.search(errors.os_reason_zh(OSError(99999, "odd")))


def test_mail_and_engine_errors_live_in_errors_and_speak_both_languages():
    from gaixl import errors
    from gaixl.mail import smtp
    from gaixl.workbook import engine

    assert smtp.MailError is errors.MailError and engine.EngineError is errors.EngineError
    assert issubclass(smtp.SendRefused, errors.MailError)
    for cls in (errors.MailError, errors.EngineError):
        assert issubclass(cls, errors.GaixlError)
        e = cls("cannot connect", where="smtp.example.cn:465", zh="无法连接")
        assert e.text("zh") == "smtp.example.cn:465: 无法连接"
        assert e.text("en") == "smtp.example.cn:465: cannot connect"
    try:
        smtp.parse_smtp_url("http://x", False)
    except errors.MailError as e:
        assert e.message_zh and "SMTP" in e.text("zh")
    else:
        raise AssertionError("a bad SMTP URL must raise MailError")

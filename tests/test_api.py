"""The front door without the CLI: every capability is one call on `gaixl`, typed and listed in
`__all__`, and `import gaixl` stays light."""
from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import consistent_data

import gaixl
from gaixl.report.data import dump_data
from gaixl.spec.load import load_layout
from gaixl.spec.rules import CellRef

L19, L21 = load_layout("2019"), load_layout("2021")
CARRIED_IN = "二、上年结转政府信息公开申请数量"
ROOT = Path(__file__).resolve().parents[1]


def prov(file="a.xlsx"):
    return {"file": file, "source": "inbox/" + file, "stored_at": "2021-02-01T09:00:00+08:00"}


@pytest.fixture
def db(tmp_path):
    """A history holding unit A1's 2020 report."""
    path = tmp_path / "h.sqlite"
    with gaixl.HistoryStore(path) as s:
        s.store(consistent_data(L19, 2020, 7, code="A1", name="甲局"), prov())
    return path


# ---------------------------------------------------------------- the door itself
def test_every_name_in_all_is_there_typed_and_documented():
    for name in gaixl.__all__:
        obj = getattr(gaixl, name)
        if callable(obj) and not isinstance(obj, type) and name != "__version__":
            assert obj.__doc__, name
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
            for p in sig.parameters.values():
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                    assert p.annotation is not inspect.Parameter.empty, f"{name}({p.name}) has no type"
    for name in ("generate_templates", "fill", "export", "check", "check_files", "render", "import_report",
                 "consolidate", "collect", "distribute", "feedback", "HistoryStore", "OutputError", "MailError",
                 "EngineError"):
        assert name in gaixl.__all__, name
    with pytest.raises(AttributeError):
        gaixl.no_such_thing  # noqa: B018


def test_import_gaixl_stays_light():
    """The front door loads the later stages (workbooks, mail, documents, the CLI) on first use only."""
    code = ("import sys, gaixl; heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('openpyxl', 'xlsxwriter', 'docx', 'typer', 'rich', 'pandas', 'pyarrow') or m in "
            "('gaixl.api', 'gaixl.workbook', 'gaixl.mail', 'gaixl.document', 'gaixl.importers', 'gaixl.cli', "
            "'gaixl.consolidation')]; print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert r.stdout.strip() == "[]"


def test_the_cli_keeps_no_capability_of_its_own():
    """The CLI modules hold no history lookups, roster matching, workbook writing or message tables."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "gaixl" / "cli").glob("*.py"))
    for gone in ("carry_over", "previous_year_findings", "history_findings", "generate_workbook", "fill_workbook",
                 "read_roster", "check_rules", "unicodedata", "write_text", "_MSG", "MESSAGES"):
        assert not re.search(rf"\b{gone}\b", text), gone       # (LC_MESSAGES is a locale variable)


# ---------------------------------------------------------------- generate
def test_generate_templates_for_a_roster_with_history_and_progress(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email\nA1,甲局,a@example.cn\nB2,乙局,b@example.cn\n", encoding="utf-8")
    calls = []
    made = gaixl.generate_templates(2021, tmp_path / "out", roster, history=db,
                                    progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 2), (2, 2)]
    assert made.layout.id == "2021" and made.year == 2021
    assert [(g.code, g.name, g.file.name) for g in made.templates] == [("A1", "甲局", "A1-甲局-2021.xlsx"),
                                                                       ("B2", "乙局", "B2-乙局-2021.xlsx")]
    assert made.templates[0].prefilled == 6 and made.templates[1].prefilled == 0
    assert all(g.file.is_file() for g in made.templates)
    # the prefilled cell holds last year's 结转下年度 and is locked
    previous = consistent_data(L19, 2020, 7, code="A1", name="甲局")
    expected = previous.value(L19, CellRef("t3", "carried_out", "natural"))
    got = gaixl.read_workbook(made.templates[0].file).data
    assert got.value(L21, CellRef("t3", "carried_in", "natural")) == expected
    j = made.to_json()
    assert j["templates"][0] == {"code": "A1", "name": "甲局", "file": str(made.templates[0].file), "prefilled": 6}


def test_generate_templates_from_a_list_without_history(tmp_path):
    made = gaixl.generate_templates(2020, tmp_path, [{"code": "X", "name": "某局"}], layout="2019")
    assert made.layout.id == "2019" and made.templates[0].prefilled is None
    assert "prefilled" not in made.to_json()["templates"][0]
    with pytest.raises(gaixl.UsageError):
        gaixl.generate_templates(2021, tmp_path, [{"code": "X", "name": ""}])
    with pytest.raises(gaixl.InputError):                  # a history must exist: no empty one behind a typo
        gaixl.generate_templates(2021, tmp_path, [{"code": "X", "name": "某局"}], history=tmp_path / "none.sqlite")
    assert not (tmp_path / "none.sqlite").exists()


# ---------------------------------------------------------------- fill, export, check
@pytest.fixture
def template(tmp_path):
    return gaixl.generate_templates(2020, tmp_path / "t", [{"code": "X-1", "name": "某县审计局"}]).templates[0].file


def test_fill_returns_the_lost_totals(template, tmp_path):
    data = consistent_data(L19, 2020, seed=4, code="X-1", name="某县审计局").to_json()
    data["tables"]["二"]["行政许可"]["本年增/减"] = "减2"
    data["tables"]["三"]["三、（七）总计"]["自然人"] += 1          # a published wrong sum
    p = tmp_path / "published.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    filled = gaixl.fill(template, p, tmp_path / "f.xlsx")
    assert filled.out == tmp_path / "f.xlsx" and filled.out.is_file()
    assert {"t3-results-total", "t3-row-total"} <= {f.code for f in filled.lost_totals}
    assert set(filled.lost_totals) <= set(filled.notes)
    # from a ReportData: nothing lost
    clean = gaixl.fill(template, consistent_data(L19, 2020, 4, code="X-1", name="某县审计局"), tmp_path / "g.xlsx")
    assert clean.notes == [] and clean.lost_totals == []


def test_export_and_check_with_history(db, tmp_path):
    made = gaixl.generate_templates(2021, tmp_path / "t", [{"code": "A1", "name": "甲局"}])
    data = consistent_data(L21, 2021, 3, code="A1", name="甲局")
    previous = consistent_data(L19, 2020, 7, code="A1", name="甲局")
    for col in L21.tables["t3"].data_columns:                  # as last year carried out, but one
        if not col.computed:
            given = previous.value(L19, CellRef("t3", "carried_out", col.key))
            data.set_value(L21, CellRef("t3", "carried_in", col.key), given + (col.key == "natural"))
    wb = gaixl.fill(made.templates[0].file, data, tmp_path / "f.xlsx").out

    ex = gaixl.export(wb, tmp_path / "out" / "d.json")
    assert ex.out == tmp_path / "out" / "d.json"
    assert json.loads(ex.out.read_text(encoding="utf-8")) == json.loads(ex.text)
    assert ex.report.data.unit["code"] == "A1"
    assert gaixl.export(wb).out is None

    plain = gaixl.check(wb)
    assert not [f for f in plain.findings if f.code.startswith("history-")]
    with_history = gaixl.check(wb, history=db)
    hist = [f for f in with_history.findings if f.code == "history-carry-over"]
    assert len(hist) == 1 and (hist[0].column, hist[0].sheet, hist[0].cell) == ("自然人", "三、申请情况", "D7")
    with gaixl.HistoryStore(db, create=False) as store:                  # an open store works too
        assert [f.code for f in gaixl.check(wb, history=store).findings if f.code.startswith("history-")] \
            == ["history-carry-over"]


def test_check_files_reports_unreadable_ones_and_goes_on(tmp_path):
    good = tmp_path / "d.json"
    good.write_text(dump_data(consistent_data(L21, 2021, 1)), encoding="utf-8")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    seen = []
    reports = gaixl.check_files([bad, good], progress=lambda i, n: seen.append((i, n)))
    assert seen == [(1, 2), (2, 2)]
    assert [r.kind for r in reports] == ["unreadable", "datafile"]
    assert isinstance(reports[0].error, gaixl.InputError) and reports[0].errors == 1
    assert reports[1].error is None and reports[1].ok


# ---------------------------------------------------------------- render, import
def test_render_to_markdown(tmp_path):
    path, findings = gaixl.render(consistent_data(L21, 2021, 2), tmp_path / "r.md")
    assert path.read_text(encoding="utf-8").startswith("#") and isinstance(findings, list)



def _published(tmp_path) -> Path:
    """A published report as portal text: the Markdown rendering of consistent data."""
    data = consistent_data(L21, 2021, 6, code="", name="缙云县审计局")
    path, _ = gaixl.render(data, tmp_path / "published.md")
    txt = tmp_path / "published.txt"
    txt.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return txt


def test_import_report_with_roster_output_and_history(tmp_path):
    src = _published(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email\n331122-07,缙云县 审计局,x@example.cn\n", encoding="utf-8")
    db = tmp_path / "h.sqlite"
    res = gaixl.import_report(src, year=2021, unit="缙云县审计局", roster=roster, out=tmp_path / "out.xlsx",
                              history=db)
    assert res.data.unit["code"] == "331122-07"                    # found by name, spaces not counting
    assert gaixl.check(tmp_path / "out.xlsx").data.unit["code"] == "331122-07"
    with gaixl.HistoryStore(db, create=False) as store:
        assert store.get("331122-07", 2021) is not None
        assert store.provenance("331122-07", 2021)["kind"] == "import"
    res = gaixl.import_report(src, year=2021, unit="缙云县审计局", out=tmp_path / "d.json")
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["year"] == 2021
    # wrong requests fail before the file is read
    with pytest.raises(gaixl.UsageError, match="must be .json or .xlsx"):
        gaixl.import_report(tmp_path / "missing.txt", out=tmp_path / "x.csv")
    with pytest.raises(gaixl.UsageError, match="needs the unit's code"):
        gaixl.import_report(tmp_path / "missing.txt", history=db)
    with pytest.raises(gaixl.UsageError, match="no unit named"):
        gaixl.import_report(src, year=2021, unit="别的局", roster=roster)


def test_a_workbook_that_cannot_be_written_is_an_output_error(template, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(gaixl.OutputError) as ei:
        gaixl.fill(template, consistent_data(L19, 2020, 4, code="X-1", name="某县审计局"), blocker / "f.xlsx")
    assert ei.value.where == str(blocker / "f.xlsx") and "无法写入输出文件" in ei.value.text("zh")
    with pytest.raises(gaixl.OutputError):
        gaixl.generate_templates(2021, blocker / "sub", [{"code": "X", "name": "某局"}])
    with pytest.raises(gaixl.OutputError):
        gaixl.export(template, blocker / "d.json")
    with pytest.raises(gaixl.OutputError):
        gaixl.render(consistent_data(L21, 2021, 2), blocker / "r.html")


def test_mail_and_collect_are_library_calls(tmp_path):
    """collect, distribute and feedback take their options as objects, not as command lines."""
    from gaixl.mail.collect import CollectResult

    (tmp_path / "mail").mkdir()
    res = gaixl.collect(gaixl.CollectSource("eml", str(tmp_path / "mail")), tmp_path / "inbox")
    assert isinstance(res, CollectResult) and res.saved == 0
    made = gaixl.generate_templates(2021, tmp_path / "t", [{"code": "A1", "name": "甲局"}])
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,email\nA1,甲局,a@example.cn\n", encoding="utf-8")
    from gaixl.mail.smtp import sender

    opts = gaixl.MailOptions(sender=sender("gk@example.cn", "--from"))
    out = gaixl.distribute(made.out, roster, opts, out=tmp_path / "drafts")
    assert out.counts()["drafted"] == 1 and list((tmp_path / "drafts").glob("*.eml"))


def test_consolidate_and_feedback_are_library_calls(tmp_path):
    """An inbox and a roster → a Consolidation with its outputs; then the replies as drafts."""
    import shutil

    from gaixl.mail.smtp import sender

    shutil.copytree(ROOT / "workbook" / "returned", tmp_path / "returned")
    c = gaixl.consolidate(tmp_path / "returned", ROOT / "workbook" / "roster.csv", None, tmp_path / "out",
                          history=tmp_path / "h.sqlite")
    assert c.year == 2020 and c.accepted and (tmp_path / "out" / "manifest.json").is_file()
    with gaixl.HistoryStore(tmp_path / "h.sqlite", create=False) as store:
        assert {u["code"] for u in store.units(2020)} == set(c.accepted)
    res = gaixl.feedback(tmp_path / "out", gaixl.MailOptions(sender=sender("gk@example.cn", "--from")),
                         inbox=tmp_path / "returned", out=tmp_path / "mail")
    assert res.counts()["drafted"] >= len(c.accepted) and list((tmp_path / "mail").glob("*.eml"))


def test_generate_one_template_and_validate(tmp_path):
    path = gaixl.generate(L21, 2021, "Z9", "某乡人民政府", tmp_path / "z.xlsx")
    assert path == tmp_path / "z.xlsx"
    assert gaixl.read_workbook(path).data.unit == {"code": "Z9", "name": "某乡人民政府"}
    data = consistent_data(L21, 2021, 1)
    assert gaixl.validate(data, L21) == []
    data.set_value(L21, CellRef("t3", "carried_out", "natural"), 999)          # 勾稽 broken
    assert "error" in {f.severity for f in gaixl.validate(data, L21)}

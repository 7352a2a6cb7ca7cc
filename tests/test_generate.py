"""The locked template: generated for both formats, inspected with openpyxl.

Expected labels and positions are written out here from spec/report-formats.md, not taken
from the layout, so a layout or geometry mistake shows up as a failing test.
"""
from __future__ import annotations

import html
import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from gaixl.errors import UsageError
from gaixl.spec.load import load_layout
from gaixl.workbook import names
from gaixl.workbook.template import _created, generate_all, generate_workbook, legacy_password_hash, make_meta, render

GA = "2026-01-05T08:00:00Z"
CODE, NAME = "331122-01", "缙云县人力资源和社会保障局"
YEAR = {"2019": 2020, "2021": 2025}
S3 = "三、申请情况"

T3_ROWS_2019 = [
    ("A6", "一、本年新收政府信息公开申请数量"), ("A7", "二、上年结转政府信息公开申请数量"), ("A8", "三、本年度办理结果"),
    ("B8", "（一）予以公开"), ("B9", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), ("B10", "（三）不予公开"),
    ("C10", "1.属于国家秘密"), ("C11", "2.其他法律行政法规禁止公开"), ("C12", "3.危及\u201c三安全一稳定\u201d"),
    ("C13", "4.保护第三方合法权益"), ("C14", "5.属于三类内部事务信息"), ("C15", "6.属于四类过程性信息"),
    ("C16", "7.属于行政执法案卷"), ("C17", "8.属于行政查询事项"), ("B18", "（四）无法提供"),
    ("C18", "1.本机关不掌握相关政府信息"), ("C19", "2.没有现成信息需要另行制作"), ("C20", "3.补正后申请内容仍不明确"),
    ("B21", "（五）不予处理"), ("C21", "1.信访举报投诉类申请"), ("C22", "2.重复申请"), ("C23", "3.要求提供公开出版物"),
    ("C24", "4.无正当理由大量反复申请"), ("C25", "5.要求行政机关确认或重新出具已获取信息"),
]
T3_TAIL_2019 = [("B26", "（六）其他处理"), ("B27", "（七）总计"), ("A28", "四、结转下年度继续办理"), ("A29", "勾稽关系校验")]
T3_TAIL_2021 = [("B26", "（六）其他处理"), ("C26", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                ("C27", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"), ("C28", "3.其他"),
                ("B29", "（七）总计"), ("A30", "四、结转下年度继续办理"), ("A31", "勾稽关系校验")]
T3_HEAD = [("A3", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), ("D3", "申请人情况"),
           ("D4", "自然人"), ("E4", "法人或其他组织"), ("J4", "总计"), ("E5", "商业企业"), ("F5", "科研机构"),
           ("G5", "社会公益组织"), ("H5", "法律服务机构"), ("I5", "其他")]
T4_HEAD = [("A3", "行政复议"), ("F3", "行政诉讼"), ("F4", "未经复议直接起诉"), ("K4", "复议后起诉")] + [
    (f"{c}{r}", lab) for cols, r in (("ABCDE", 4), ("FGHIJ", 5), ("KLMNO", 5))
    for c, lab in zip(cols, ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """{layout id: (layout, path, openpyxl workbook)} for both formats."""
    d = tmp_path_factory.mktemp("tpl")
    out = {}
    for lid in ("2019", "2021"):
        layout = load_layout(lid)
        p = generate_workbook(layout, YEAR[lid], CODE, NAME, d / f"{lid}.xlsx", generated_at=GA,
                              deadline="2026-01-20", send_to="gk@example.cn")
        out[lid] = (layout, p, openpyxl.load_workbook(p))
    return out


def cells_of(ref: str):
    """'sheet'!$A$1:$B$2 -> (sheet, [(row, col), …]); several areas joined by commas."""
    sheet, cells = None, []
    for area in ref.split(","):
        m = re.fullmatch(r"'((?:[^']|'')+)'!(\S+)", area.strip())
        sheet = m.group(1).replace("''", "'")
        c1, r1, c2, r2 = range_boundaries(m.group(2).replace("$", ""))
        cells += [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return sheet, cells


def name_ref(wb, name: str) -> str:
    return wb.defined_names[name].attr_text


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_sheet_order_and_meta_sheet_very_hidden(books, lid):
    layout, _p, wb = books[lid]
    expected = [names.GUIDE_SHEET, names.INFO_SHEET] + [s.sheet for s in layout.sections] + [names.CHECK_SHEET, names.META_SHEET]
    assert wb.sheetnames == expected
    assert wb[names.META_SHEET].sheet_state == "veryHidden"
    assert all(wb[s].sheet_state == "visible" for s in expected[:-1])


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_meta_block(books, lid):
    layout, _p, wb = books[lid]
    ws = wb[names.META_SHEET]
    meta = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, len(names.META_KEYS) + 1)}
    assert list(meta) == names.META_KEYS
    assert all(isinstance(v, str) for v in meta.values())
    assert meta["generator"] == "gaixl" and meta["layout"] == lid and meta["layout_digest"] == layout.digest
    assert (meta["unit_code"], meta["unit_name"], meta["year"], meta["generated_at"]) == (CODE, NAME, str(YEAR[lid]), GA)
    assert meta["fingerprint"] == names.fingerprint(meta)
    assert meta == make_meta(layout, YEAR[lid], CODE, NAME, GA)
    assert re.fullmatch(r"[0-9a-f]{16}", meta["template_id"])


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_defined_names_resolve_to_the_right_sheet_and_size(books, lid):
    layout, _p, wb = books[lid]
    sheet_of = {k: s.sheet for s in layout.sections for k in s.tables}
    for t in layout.tables.values():
        for r in t.data_rows:
            sheet, cells = cells_of(name_ref(wb, names.row_name(t.key, r.key)))
            assert sheet == sheet_of[t.key]
            assert len(cells) == sum(c.span for c in t.data_columns) and len({r for r, _ in cells}) == 1
        sheet, cells = cells_of(name_ref(wb, names.table_name(t.key)))
        rows = (1 if t.caption else 0) + t.header_depth + len(t.data_rows)
        assert sheet == sheet_of[t.key] and len(cells) == rows * (t.label_columns + t.grid)
    for s in layout.text_sections:
        sheet, cells = cells_of(name_ref(wb, names.text_name(s.key)))
        assert sheet == s.sheet and len(cells) == s.paragraphs and {c for _, c in cells} == {2}
    for key, _label, _locked in names.INFO_FIELDS:
        sheet, cells = cells_of(name_ref(wb, names.info_name(key)))
        assert sheet == names.INFO_SHEET and len(cells) == 1
    info = lambda k: wb[names.INFO_SHEET].cell(*cells_of(name_ref(wb, names.info_name(k)))[1][0]).value  # noqa: E731
    assert (info("unit"), info("code"), info("year")) == (NAME, CODE, str(YEAR[lid]))
    sheet, cells = cells_of(name_ref(wb, names.ERROR_COUNT))
    assert sheet == names.CHECK_SHEET and len(cells) == 1
    sheet, cells = cells_of(name_ref(wb, names.CHECKS))
    from gaixl.spec.rules import expand_checks
    from gaixl.workbook.grid import plan_for

    # every rule instance, then the sheet checks (numbers per table, narrative, format/year, date)
    n_rows = len(expand_checks(layout)) + len(layout.tables) + len(layout.text_sections) + 2
    assert len(plan_for(layout).rows) == n_rows
    assert sheet == names.CHECK_SHEET and len(cells) == n_rows * len(names.CHECK_COLUMNS)
    sheet, cells = cells_of(name_ref(wb, names.META))
    assert sheet == names.META_SHEET and len(cells) == len(names.META_KEYS) * 2
    sheet, cells = cells_of(name_ref(wb, names.check_name("t3")))
    assert sheet == S3 and len(cells) == 7 and len({r for r, _ in cells}) == 1


def test_row_name_of_spanned_column_covers_its_span(books):
    _l, _p, wb = books["2021"]
    assert name_ref(wb, names.row_name("art20_5", "licensing")) == "'二、主动公开'!$B$11:$D$11"
    _l, _p, wb = books["2019"]
    assert name_ref(wb, names.row_name("art20_8", "fees")).endswith("$B$23:$C$23")   # 2 of 3 grid columns


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_every_sheet_protected_and_structure_locked(books, lid):
    _l, _p, wb = books[lid]
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert ws.protection.password == legacy_password_hash(names.DEFAULT_PASSWORD), ws.title
        assert ws.protection.formatCells  # True means "not allowed" in the OOXML attribute
    assert wb.security.lockStructure
    assert wb.security.workbookPassword == legacy_password_hash(names.DEFAULT_PASSWORD)


def input_cells(wb, layout):
    """Every cell a user may fill, by the defined names: table inputs, text, open info fields."""
    out = set()
    for t in layout.tables.values():
        for r in t.data_rows:
            sheet, cells = cells_of(name_ref(wb, names.row_name(t.key, r.key)))
            out |= {(sheet, rc) for rc in cells if not str(wb[sheet].cell(*rc).value or "").startswith("=")}
    for s in layout.text_sections:
        sheet, cells = cells_of(name_ref(wb, names.text_name(s.key)))
        out |= {(sheet, rc) for rc in cells}
    for key, _label, locked in names.INFO_FIELDS:
        if not locked:
            sheet, cells = cells_of(name_ref(wb, names.info_name(key)))
            out |= {(sheet, rc) for rc in cells}
    return out


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_only_input_cells_are_unlocked(books, lid):
    layout, _p, wb = books[lid]
    unlocked = {(ws.title, (c.row, c.column)) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.has_style and not c.protection.locked}
    assert unlocked == input_cells(wb, layout)
    ws = wb[S3]
    assert ws["D6"].protection.locked is False
    for cell in ("A6", "D3", "J6", "D27" if lid == "2019" else "D29"):
        assert ws[cell].protection.locked is True, cell
    assert ws["J6"].value.startswith("=") and wb[names.INFO_SHEET]["B3"].protection.locked


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_data_validation_on_every_input(books, lid):
    layout, _p, wb = books[lid]
    kinds = {"count": ("whole", "greaterThanOrEqual"), "signed": ("whole", "between"),
             "amount": ("decimal", "greaterThanOrEqual"), "money": ("decimal", "greaterThanOrEqual")}
    for t in layout.tables.values():
        for r in t.data_rows:
            sheet, cells = cells_of(name_ref(wb, names.row_name(t.key, r.key)))
            ws = wb[sheet]
            starts = iter(cells)
            for col in t.data_columns:
                rc = next(starts)
                for _ in range(col.span - 1):
                    next(starts)
                if str(ws.cell(*rc).value or "").startswith("="):
                    continue
                coord = ws.cell(*rc).coordinate
                dvs = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
                assert len(dvs) == 1, (sheet, coord)
                assert (dvs[0].type, dvs[0].operator or "between") == kinds[col.kind], (sheet, coord)
                assert dvs[0].prompt and dvs[0].error and dvs[0].showErrorMessage
    info = wb[names.INFO_SHEET]
    date_cell = info.cell(*cells_of(name_ref(wb, names.info_name("date")))[1][0])
    assert [dv.type for dv in info.data_validations.dataValidation if date_cell.coordinate in dv.sqref] == ["date"]
    assert date_cell.number_format == "yyyy-mm-dd"
    for s in layout.text_sections:
        ws = wb[s.sheet]
        assert [(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation if "B4" in dv.sqref] == [("textLength", "32767")]


def test_number_formats_by_kind(books):
    layout, _p, wb = books["2019"]
    ws = wb["二、主动公开"]
    assert ws["C11"].number_format == '"增"0;"减"0;0'           # 2019 (五) 本年增/减
    assert ws["C28"].number_format == "#,##0.00"                # 2019 (九) 采购总金额
    assert wb["二、主动公开"]["B5"].number_format == "0"
    _l, _p, wb = books["2021"]
    assert wb["二、主动公开"]["B22"].number_format == "0.00"      # 2021 (八) 万元


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_table_three_labels_and_merges(books, lid):
    _l, _p, wb = books[lid]
    ws = wb[S3]
    for cell, text in T3_HEAD + T3_ROWS_2019 + (T3_TAIL_2019 if lid == "2019" else T3_TAIL_2021):
        assert ws[cell].value == text, cell
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A3:C5", "D3:J3", "D4:D5", "E4:I4", "J4:J5", "A6:C6", "A7:C7", "B8:C8", "B9:C9",
            "B10:B17", "B18:B20", "B21:B25"} <= merged
    if lid == "2019":
        assert {"A8:A27", "B26:C26", "B27:C27", "A28:C28"} <= merged     # rowspan 20
    else:
        assert {"A8:A29", "B26:B28", "B29:C29", "A30:C30"} <= merged     # rowspan 22
    assert "\u201c三安全一稳定\u201d" in ws["C12"].value


def test_table_four_headers_and_merges(books):
    for lid in ("2019", "2021"):
        ws = books[lid][2]["四、复议诉讼"]
        for cell, text in T4_HEAD:
            assert ws[cell].value == text, (lid, cell)
        merged = {str(m) for m in ws.merged_cells.ranges}
        assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5", "E4:E5"} <= merged
        assert ws["E6"].value == "=SUM(A6,B6,C6,D6)" and ws["O6"].value == "=SUM(K6,L6,M6,N6)"


def test_section_two_tables(books):
    ws = books["2021"][2]["二、主动公开"]
    expected = {"A3": "第二十条第（一）项", "A4": "信息内容", "B4": "本年制发件数", "C4": "本年废止件数", "D4": "现行有效件数",
                "A5": "规章", "A6": "行政规范性文件", "A7": "校验：数字栏只能填写数字",
                "A9": "第二十条第（五）项", "B10": "本年处理决定数量", "A11": "行政许可",
                "A14": "第二十条第（六）项", "A16": "行政处罚", "A17": "行政强制", "A20": "第二十条第（八）项",
                "B21": "本年收费金额（单位：万元）", "A22": "行政事业性收费", "A23": "校验：数字栏只能填写数字"}
    for cell, text in expected.items():
        assert ws[cell].value == text, cell
    assert {"A3:D3", "B10:D10", "B11:D11", "B21:D21", "B22:D22", "C7:D7"} <= {str(m) for m in ws.merged_cells.ranges}
    assert ws["B7"].value.text.startswith("=IFERROR(IF((SUM(IF(ISNUMBER($B$5:$D$6),")   # an array formula
    ws = books["2019"][2]["二、主动公开"]
    assert [ws[c].value for c in ("A3", "B4", "C4", "D4", "A6")] == ["第二十条第（一）项", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规范性文件"]
    assert [ws[c].value for c in ("A26", "A27", "B27", "C27", "A28")] == ["第二十条第（九）项", "信息内容", "采购项目数量", "采购总金额", "政府集中采购"]
    # 2019 row-wise warning beside (五)(六)(八): a ✓/✗ column E
    assert ws["E10"].value == "校验" and ws["E11"].value.startswith('=IFERROR(IF(') and ws["E11"].value.endswith(',"✓","✗"),"✗")')
    assert name_ref(books["2019"][2], names.check_name("art20_5")) == "'二、主动公开'!$E$11:$E$12"


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_formulas_in_totals_and_checks(books, lid):
    _l, _p, wb = books[lid]
    ws = wb[S3]
    total_row, out_row, check_row = (27, 28, 29) if lid == "2019" else (29, 30, 31)
    # every cell read through SUM(): text counts 0 in every spreadsheet program alike
    assert ws["J6"].value == "=SUM(D6,E6,F6,G6,H6,I6)"
    assert ws[f"D{total_row}"].value == "=SUM(" + ",".join(f"D{r}" for r in range(8, total_row)) + ")"
    assert ws[f"D{check_row}"].value == \
        f'=IFERROR(IF(ROUND((SUM(D6)+SUM(D7))-(SUM(D{total_row})+SUM(D{out_row})),4)=0,"✓","✗"),"✗")'
    chk = wb[names.CHECK_SHEET]
    sheet, cells = cells_of(name_ref(wb, names.ERROR_COUNT))
    first, last = cells_of(name_ref(wb, names.CHECKS))[1][0][0], cells_of(name_ref(wb, names.CHECKS))[1][-1][0]
    assert chk.cell(*cells[0]).value == f"=SUM(G{first}:G{last})"
    assert [c.value for c in chk[first - 1]] == names.CHECK_COLUMNS
    row = [c.value for c in chk[first]]
    assert row[0] == 1 and row[2] == "错误" and row[5].startswith("=IFERROR(IF(") and row[6] == f'=IF(AND(F{first}="✗",C{first}="错误"),1,0)'
    assert "'三、申请情况'!" in row[5]
    # never “校验通过”: what the workbook cannot check is named instead
    assert any(str(c.value).startswith('=IF(B2=0,"表内校验未发现错误。报送后还将核对') for c in chk[3])
    assert not any("校验通过" in str(c.value) for row in chk.iter_rows() for c in row)


def test_checks_turn_red(books):
    ws = books["2021"][2][S3]
    rules = {str(cf.sqref): [(r.type, r.formula) for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules["D31"] == [("cellIs", ['"✗"'])]
    assert rules["D29 D30"] == [("expression", ['$D$31="✗"'])]      # (七)总计 and 四 of the failing column


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_text_sheets(books, lid):
    layout, _p, wb = books[lid]
    for s in layout.text_sections:
        ws = wb[s.sheet]
        assert ws["A1"].value == s.heading and ws["A2"].value == s.prompt
        assert ws["A4"].value == "第1段" and ws.row_dimensions[4].height == 90 and ws.column_dimensions["B"].width > 90
        assert ws["B4"].alignment.wrap_text
    if lid == "2021":
        assert "信息处理费" in wb["六、其他事项"]["A2"].value


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_print_setup_and_font(books, lid):
    layout, _p, wb = books[lid]
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == "9" and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight in (0, "0") and ws.page_setup.fitToWidth in (None, 1, "1")
    for sheet in (S3, "四、复议诉讼"):
        assert wb[sheet].page_setup.orientation == "landscape" and wb[sheet].print_title_rows
    assert wb[S3]["D6"].font.name == "宋体" and wb[S3]["D3"].font.b


def test_guide_sheet(books):
    ws = books["2021"][2][names.GUIDE_SHEET]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    for needle in ("2026-01-20", "gk@example.cn", NAME, "✓", "✗", names.ERROR_COUNT, "文件名", "锁定"):
        assert needle in text


def test_output_is_byte_stable_and_differs_per_unit(tmp_path):
    layout = load_layout("2021")
    a = generate_workbook(layout, 2025, CODE, NAME, tmp_path / "a.xlsx", generated_at=GA).read_bytes()
    b = generate_workbook(layout, 2025, CODE, NAME, tmp_path / "b.xlsx", generated_at=GA).read_bytes()
    assert a == b
    c = generate_workbook(layout, 2025, "331122-02", "缙云县财政局", tmp_path / "c.xlsx", generated_at=GA)
    meta = openpyxl.load_workbook(c)[names.META_SHEET]
    assert meta["B6"].value == "331122-02" and meta["B9"].value != make_meta(layout, 2025, CODE, NAME, GA)["template_id"]
    assert list(tmp_path.iterdir()) and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp files left


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_stamped_template_equals_full_render(tmp_path, lid):
    """The fast path (master + placeholders) writes exactly the XML of the full xlsxwriter path."""
    layout = load_layout(lid)
    name = "A&B<局> \u201c测试\u201d"
    stamped = generate_workbook(layout, YEAR[lid], "X-1", name, tmp_path / "s.xlsx", generated_at=GA).read_bytes()
    full = render(layout, YEAR[lid], make_meta(layout, YEAR[lid], "X-1", name, GA), password=names.DEFAULT_PASSWORD,
                  deadline=None, send_to=None, filled={}, created=_created(GA))
    za, zb = zipfile.ZipFile(io.BytesIO(stamped)), zipfile.ZipFile(io.BytesIO(full))
    assert za.testzip() is None and za.namelist() == zb.namelist()
    for part in za.namelist():
        assert za.read(part) == zb.read(part), part
    assert openpyxl.load_workbook(io.BytesIO(stamped))[names.INFO_SHEET]["B3"].value == name


def test_prefill_writes_locked_values_with_comment(tmp_path):
    layout = load_layout("2021")
    prefill = {"tables": {"二": {"规章": {"现行有效件数": 12}},
                          "三": {"二、上年结转政府信息公开申请数量": {"自然人": 3, "总计": 99}}}}
    p = generate_workbook(layout, 2025, CODE, NAME, tmp_path / "p.xlsx", generated_at=GA, prefill=prefill)
    wb = openpyxl.load_workbook(p)
    ws = wb["二、主动公开"]
    assert ws["D5"].value == 12 and ws["D5"].protection.locked and ws["D5"].comment.text == "据上年报告预填"
    s3 = wb[S3]
    assert s3["D7"].value == 3 and s3["D7"].protection.locked and s3["J7"].value.startswith("=")   # totals stay formulas
    assert not any("D7" in dv.sqref for dv in s3.data_validations.dataValidation)
    # cached values follow the prefill: the 勾稽 check of 自然人 fails (3 carried in, nothing out)
    cached = openpyxl.load_workbook(p, data_only=True)
    assert cached[S3]["J7"].value == 3 and cached[S3]["D31"].value == "✗"
    # 自然人 and 总计 columns, and the two required narrative sections (still empty)
    assert cached[names.CHECK_SHEET]["B2"].value == 4
    with pytest.raises(UsageError, match="规章"):
        generate_workbook(layout, 2025, CODE, NAME, tmp_path / "q.xlsx", prefill={"tables": {"二": {"规章": {"不存在": 1}}}})


def test_generate_all_sanitizes_names_and_rejects_duplicates(tmp_path):
    layout = load_layout("2021")
    units = [{"code": "001", "name": "甲局/乙:丙*丁?", "email": "a@x.cn", "parent": ""},
             {"code": "002", "name": "CON", "email": "", "parent": "001"}]
    paths = generate_all(layout, 2025, units, tmp_path / "out", generated_at=GA)
    assert [p.name for p in paths] == [names.template_filename(u["code"], u["name"], 2025) for u in units]
    for p in paths:
        assert p.exists() and not re.search(r'[<>:"/\\|?*]', p.name)
    assert openpyxl.load_workbook(paths[0])[names.INFO_SHEET]["B3"].value == "甲局/乙:丙*丁?"
    with pytest.raises(UsageError, match="duplicate unit code '001'"):
        generate_all(layout, 2025, units + [{"code": "001", "name": "别的局"}], tmp_path / "dup")
    with pytest.raises(UsageError, match="both be written"):
        generate_all(layout, 2025, [{"code": "a/b", "name": "甲"}, {"code": "a:b", "name": "甲"}], tmp_path / "clash")


def test_bad_arguments(tmp_path):
    layout = load_layout("2021")
    with pytest.raises(UsageError):
        generate_workbook(layout, 2025, CODE, "  ", tmp_path / "x.xlsx")
    with pytest.raises(UsageError):
        generate_workbook(layout, 2025, CODE, NAME, tmp_path / "x.xlsx", generated_at="yesterday")
    with pytest.raises(UsageError):
        generate_workbook(layout, 2025, CODE, "局\x07", tmp_path / "x.xlsx")


def test_any_unit_name_stamps_like_a_full_render(tmp_path_factory):
    """Property: whatever the code and name (XML specials, quotes, emoji, inner spaces, equal to
    each other or to a label), the template has exactly the XML of a full xlsxwriter render."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    layout = load_layout("2021")
    d = tmp_path_factory.mktemp("prop")
    text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"), min_size=1, max_size=30)

    @settings(max_examples=15, deadline=None)
    @given(code=text.map(str.strip).filter(bool), name=text.map(str.strip).filter(bool))
    @example(code="0", name="0").via("shared with each other")
    @example(code="1", name="校验").via("shared with a label")
    def check(code, name):
        if re.search(r"_x[0-9a-fA-F]{4}_", code + name):
            return
        stamped = generate_workbook(layout, 2025, code, name, d / "s.xlsx", generated_at=GA).read_bytes()
        full = render(layout, 2025, make_meta(layout, 2025, code, name, GA), password=names.DEFAULT_PASSWORD,
                      deadline=None, send_to=None, filled={}, created=_created(GA))
        za, zb = zipfile.ZipFile(io.BytesIO(stamped)), zipfile.ZipFile(io.BytesIO(full))
        assert {p: za.read(p) for p in za.namelist()} == {p: zb.read(p) for p in zb.namelist()}

    check()


# Functions of Excel 2010 that WPS, LibreOffice and Gnumeric all have (and evaluate alike for
# numbers; text is kept away from arithmetic by SUM(), see gaixl.spec.rules.to_excel).
PORTABLE = {"SUM", "IF", "IFERROR", "ROUND", "AND", "OR", "NOT", "ABS", "MIN", "MAX", "ISNUMBER", "ISBLANK",
            "INT", "LEN", "TRIM", "SUBSTITUTE", "CHAR", "VALUE", "LEFT", "COUNTIFS"}


@pytest.mark.parametrize("lid", ["2019", "2021"])
def test_formulas_use_only_portable_functions(books, lid):
    _l, path, _wb = books[lid]
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    formulas = re.findall(r"<f[^>]*>([^<]*)</f>", xml)
    assert len(formulas) > 100
    used = {m for f in formulas for m in re.findall(r"([A-Z][A-Z0-9.]*)\(", html.unescape(f))}
    assert used <= PORTABLE, used - PORTABLE
    # the sheet checks over ranges are array formulas (Gnumeric evaluates IF/SUM over a range only in one)
    assert len(re.findall(r'<f t="array"', xml)) == len(_l.tables) * 2 + len(_l.text_sections) * 2

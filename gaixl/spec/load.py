"""Loading layouts: one declarative YAML file per official format (templates/<id>.yaml).

A Layout is the single source for generation, reading, validation and rendering. Loading
checks the file strictly — unknown keys, dangling references, rules naming cells that do not
exist — and every message points at `file:line:column` of the mistake.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gaixl.errors import LayoutError, UsageError, os_reason_zh
from gaixl.spec.model import KINDS, SEVERITIES, Column, Layout, Mention, Row, RuleSpec, Section, Table
from gaixl.spec.rules import expand_checks


# ---------------------------------------------------------------- YAML with line numbers
class _Map(dict):
    """A mapping that remembers where it and each of its keys stood in the file."""

    mark: tuple[int, int] = (0, 0)
    key_marks: dict[str, tuple[int, int]]


class _Seq(list):
    mark: tuple[int, int] = (0, 0)


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    m.key_marks = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=True)
        if key in m:
            raise LayoutError(f"duplicate key {key!r}", where=f"{loader.name}:{k_node.start_mark.line + 1}:{k_node.start_mark.column + 1}",
                              zh=f"键{key!r}重复")
        m[key] = loader.construct_object(v_node, deep=True)
        m.key_marks[key] = (k_node.start_mark.line + 1, k_node.start_mark.column + 1)
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    s = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    s.mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    return s


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# The parts of a layout file, in Chinese, for the zh messages of LayoutError.
_WHAT_ZH = {"column": "列", "row": "行", "table": "表格", "rule": "规则", "section": "部分", "mention": "提及项",
            "layout": "格式文件", "years": "适用年度（years）", "tables": "表格集（tables）"}


def _what_zh(what: str) -> str:
    """'table t3' → '表格t3'."""
    head, _, rest = what.partition(" ")
    return _WHAT_ZH.get(head, head) + rest


class _Ctx:
    """Formats locations for messages about one layout file."""

    def __init__(self, path: str):
        self.path = path

    def where(self, obj: Any, key: str | None = None) -> str:
        if isinstance(obj, _Map) and key is not None and key in obj.key_marks:
            line, col = obj.key_marks[key]
        else:
            line, col = getattr(obj, "mark", (0, 0))
        return f"{self.path}:{line}:{col}"

    def fail(self, obj: Any, msg: str, key: str | None = None, *, zh: str | None = None) -> LayoutError:
        return LayoutError(msg, where=self.where(obj, key), zh=zh)

    def mapping(self, obj: Any, allowed: set[str], required: set[str], what: str) -> _Map:
        if not isinstance(obj, dict):
            raise self.fail(obj, f"{what} must be a mapping", zh=f"{_what_zh(what)}必须是映射（键值对）")
        for k in obj:
            if k not in allowed:
                raise self.fail(obj, f"unknown key {k!r} in {what} (allowed: {', '.join(sorted(allowed))})", k,
                                zh=f"{_what_zh(what)}中有未知的键{k!r}（允许的键：{', '.join(sorted(allowed))}）")
        for k in sorted(required):
            if k not in obj:
                raise self.fail(obj, f"{what} lacks required key {k!r}", zh=f"{_what_zh(what)}缺少必需的键{k!r}")
        return obj  # type: ignore[return-value]

    def text(self, obj: _Map, key: str, what: str, default: str | None = None) -> str | None:
        v = obj.get(key, default)
        if v is None:
            return None
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            raise self.fail(obj, f"{what}.{key} must be text", key, zh=f"{_what_zh(what)}的{key!r}必须是文本")
        return str(v)


# ---------------------------------------------------------------- parsing
def _parse_column(ctx: _Ctx, obj: Any, keys: set[str]) -> Column:
    m = ctx.mapping(obj, {"key", "label", "name", "kind", "computed", "rule", "cell", "span", "children"}, {"label"}, "column")
    children = [_parse_column(ctx, c, keys) for c in m.get("children") or []]
    key = ctx.text(m, "key", "column")
    kind = ctx.text(m, "kind", "column", "count")
    if kind not in KINDS:
        raise ctx.fail(m, f"unknown cell kind {kind!r} (one of {', '.join(sorted(KINDS))})", "kind",
                       zh=f"未知的单元格类型{kind!r}（可选：{', '.join(sorted(KINDS))}）")
    if not children and not key:
        raise ctx.fail(m, f"data column {m['label']!r} needs a key", zh=f"数据列{m['label']!r}须设置键（key）")
    if children and ("computed" in m or "key" in m):
        raise ctx.fail(m, "a column group cannot have a key or a formula",
                       zh="列组不能设置键（key）或公式（computed）")
    if key:
        if key in keys:
            raise ctx.fail(m, f"column key {key!r} used twice in this table", "key", zh=f"列键{key!r}在本表中重复使用")
        keys.add(key)
    cell = m.get("cell")
    if cell is not None and (not isinstance(cell, list) or len(cell) != 2):
        raise ctx.fail(m, "cell must be [data-row-key, data-column-key]", "cell", zh="cell须为[数据行键, 数据列键]")
    rule = m.get("rule")
    if m.get("computed") and not isinstance(rule, dict):
        raise ctx.fail(m, "a computed column needs a rule: {id, message, message_en}", "computed",
                       zh="计算列须设置规则（rule）：{id, message, message_en}")
    if rule is not None:
        ctx.mapping(rule, {"id", "message", "message_en"}, {"id", "message"}, "rule")
    return Column(key=key, label=str(m["label"]), name=ctx.text(m, "name", "column"), kind=kind,
                  computed=ctx.text(m, "computed", "column"), rule=dict(rule) if rule else None,
                  cell=(str(cell[0]), str(cell[1])) if cell else None, span=int(m.get("span", 1)),
                  children=children, where=ctx.where(m))


def _parse_row(ctx: _Ctx, obj: Any, keys: set[str]) -> Row:
    m = ctx.mapping(obj, {"key", "label", "name", "computed", "rule", "children"}, set(), "row")
    children = [_parse_row(ctx, c, keys) for c in m.get("children") or []]
    key = ctx.text(m, "key", "row")
    if not children and not key:
        raise ctx.fail(m, f"data row {m.get('label')!r} needs a key", zh=f"数据行{m.get('label')!r}须设置键（key）")
    if children and not m.get("label"):
        raise ctx.fail(m, "a row group needs a label", zh="行组须设置标签（label）")
    if key:
        if key in keys:
            raise ctx.fail(m, f"row key {key!r} used twice in this table", "key", zh=f"行键{key!r}在本表中重复使用")
        keys.add(key)
    rule = m.get("rule")
    if m.get("computed") and not isinstance(rule, dict):
        raise ctx.fail(m, "a computed row needs a rule: {id, message, message_en}", "computed",
                       zh="计算行须设置规则（rule）：{id, message, message_en}")
    if rule is not None:
        ctx.mapping(rule, {"id", "message", "message_en"}, {"id", "message"}, "rule")
    return Row(key=key, label=ctx.text(m, "label", "row"), name=ctx.text(m, "name", "row"),
               computed=ctx.text(m, "computed", "row"), rule=dict(rule) if rule else None,
               children=children, where=ctx.where(m))


def _parse_table(ctx: _Ctx, key: str, obj: Any) -> Table:
    m = ctx.mapping(obj, {"group", "caption", "corner", "label_columns", "grid", "columns", "rows"},
                    {"group", "columns", "rows"}, f"table {key}")
    ckeys: set[str] = set()
    rkeys: set[str] = set()
    columns = [_parse_column(ctx, c, ckeys) for c in m["columns"]]
    rows = [_parse_row(ctx, r, rkeys) for r in m["rows"]]
    if ckeys & rkeys:
        raise ctx.fail(m, f"keys used both as row and column in table {key}: {sorted(ckeys & rkeys)}",
                       zh=f"表格{key}中以下键同时用作行键和列键：{sorted(ckeys & rkeys)}")
    label_columns = int(m.get("label_columns", 1 if any(r.label for r in rows) else 0))
    leaves = [l for c in columns for l in c.leaves()]
    grid = int(m.get("grid", sum(l.span for l in leaves)))
    if sum(l.span for l in leaves) > grid:
        raise ctx.fail(m, f"table {key}: columns span {sum(l.span for l in leaves)} but grid is {grid}", "grid",
                       zh=f"表格{key}：各列共占{sum(l.span for l in leaves)}列宽，但网格（grid）只有{grid}列")
    t = Table(key=key, group=str(m["group"]), caption=ctx.text(m, "caption", "table"),
              corner=ctx.text(m, "corner", "table"), label_columns=label_columns, grid=grid,
              columns=columns, rows=rows, where=ctx.where(m))
    if label_columns and t.label_depth > label_columns:
        raise ctx.fail(m, f"table {key}: row labels nest {t.label_depth} deep but label_columns is {label_columns}",
                       zh=f"表格{key}：行标签嵌套{t.label_depth}层，但标签列数（label_columns）只有{label_columns}")
    return t


def _parse_section(ctx: _Ctx, obj: Any, tables: dict) -> Section:
    m = ctx.mapping(obj, {"key", "heading", "kind", "sheet", "tables", "paragraphs", "prompt", "required", "mentions"},
                    {"key", "heading", "kind", "sheet"}, "section")
    kind = m["kind"]
    if kind not in ("text", "tables"):
        raise ctx.fail(m, f"section kind must be text or tables, not {kind!r}", "kind",
                       zh=f"部分的类型（kind）须为text或tables，不能是{kind!r}")
    for t in m.get("tables") or []:
        if t not in tables:
            raise ctx.fail(m, f"section {m['key']} names unknown table {t!r}", "tables",
                           zh=f"部分{m['key']}引用了不存在的表格{t!r}")
    if kind == "tables" and not m.get("tables"):
        raise ctx.fail(m, "a tables section needs tables", "kind", zh="表格类部分须列出所含表格（tables）")
    if len(str(m["sheet"])) > 31 or any(ch in str(m["sheet"]) for ch in "[]:*?/\\"):
        raise ctx.fail(m, f"sheet name {m['sheet']!r} is not allowed by Excel", "sheet",
                       zh=f"工作表名称{m['sheet']!r}不符合Excel的命名规则")
    required = m.get("required", "error")
    if required not in SEVERITIES:
        raise ctx.fail(m, f"required must be one of {sorted(SEVERITIES)}", "required",
                       zh=f"required须为以下取值之一：{sorted(SEVERITIES)}")
    mentions = []
    for mo in m.get("mentions") or []:
        mm = ctx.mapping(mo, {"text", "severity", "code", "message", "message_en"}, {"text", "code", "message"}, "mention")
        mentions.append(Mention(text=str(mm["text"]), severity=mm.get("severity", "warning"), code=str(mm["code"]),
                                message=str(mm["message"]), message_en=str(mm.get("message_en", mm["message"]))))
    return Section(key=str(m["key"]), heading=str(m["heading"]), kind=kind, sheet=str(m["sheet"]),
                   tables=[str(t) for t in m.get("tables") or []], paragraphs=int(m.get("paragraphs", 0)),
                   prompt=str(m.get("prompt", "")), required=required, mentions=mentions)


def _parse_rule(ctx: _Ctx, obj: Any, tables: dict) -> RuleSpec:
    m = ctx.mapping(obj, {"id", "severity", "table", "for_each", "only", "check", "at", "hint", "message", "message_en"},
                    {"id", "severity", "table", "check", "message"}, "rule")
    if m["severity"] not in SEVERITIES:
        raise ctx.fail(m, f"severity must be one of {sorted(SEVERITIES)}", "severity",
                       zh=f"severity须为以下取值之一：{sorted(SEVERITIES)}")
    tnames = m["table"] if isinstance(m["table"], list) else [m["table"]]
    for t in tnames:
        if t not in tables:
            raise ctx.fail(m, f"rule {m['id']} names unknown table {t!r}", "table",
                           zh=f"规则{m['id']}引用了不存在的表格{t!r}")
    fe = m.get("for_each")
    if fe not in (None, "row", "column"):
        raise ctx.fail(m, "for_each must be row or column", "for_each", zh="for_each须为row或column")
    return RuleSpec(id=str(m["id"]), severity=m["severity"], tables=tuple(str(t) for t in tnames), for_each=fe,
                    check=str(m["check"]), at=ctx.text(m, "at", "rule"), hint=str(m.get("hint", m["message"])),
                    message=str(m["message"]), message_en=str(m.get("message_en", m["message"])),
                    where=ctx.where(m), only=tuple(m.get("only") or ()))


def parse_layout(text: str, source: str) -> Layout:
    """Parse and check a layout from its YAML text. `source` names the file in messages."""
    ctx = _Ctx(source)
    try:
        loader = _Loader(text)
        loader.name = source
        try:
            doc = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise LayoutError(f"not valid YAML: {getattr(e, 'problem', e)}", where=where,
                          zh=f"不是有效的YAML格式（{getattr(e, 'problem', e)}）") from e
    top = ctx.mapping(doc, {"id", "version", "name", "notice", "notice_title", "years", "sections", "tables", "rules"},
                      {"id", "version", "name", "notice", "years", "sections", "tables"}, "layout")
    years = ctx.mapping(top["years"], {"from", "to"}, {"from"}, "years")
    tables_obj = ctx.mapping(top["tables"], set(top["tables"].keys()), set(), "tables")
    tables = {str(k): _parse_table(ctx, str(k), v) for k, v in tables_obj.items()}
    sections = [_parse_section(ctx, s, tables) for s in top["sections"]]
    rules = [_parse_rule(ctx, r, tables) for r in top.get("rules") or []]
    layout = Layout(id=str(top["id"]), version=int(top["version"]), name=str(top["name"]), notice=str(top["notice"]),
                    notice_title=str(top.get("notice_title", "")),
                    year_from=int(years["from"]), year_to=int(years["to"]) if years.get("to") else None,
                    sections=sections, tables=tables, rules=rules, source=source,
                    digest=hashlib.sha256(text.encode("utf-8")).hexdigest())
    # Compile every rule once now, so that a rule naming a missing cell fails at load time.
    expand_checks(layout)
    return layout


# ---------------------------------------------------------------- finding layouts
def templates_dir() -> Path:
    """The folder of the built-in layout files: gaixl/templates, which is the repository's
    templates/ (a link to it in a checkout, a copy in an installed wheel)."""
    return Path(__file__).resolve().parents[1] / "templates"


@lru_cache(maxsize=None)
def _load_path(path: str) -> Layout:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise LayoutError(f"cannot read layout: {e.strerror}", where=str(p),
                          zh=f"无法读取格式文件：{os_reason_zh(e)}") from e
    try:
        shown = str(p.relative_to(templates_dir().parent))
    except ValueError:
        shown = str(p)
    return parse_layout(text, shown)


def available_layouts() -> list[Layout]:
    return sorted((_load_path(str(p)) for p in templates_dir().glob("*.yaml")), key=lambda l: l.year_from)


def load_layout(name_or_path: str | Path) -> Layout:
    """A layout by id ("2021") or by the path of a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return _load_path(str(p.resolve()))
    for layout in available_layouts():
        if layout.id == str(name_or_path):
            return layout
    ids = ", ".join(l.id for l in available_layouts())
    raise UsageError(f"unknown layout {name_or_path!r} (available: {ids})",
                     zh=f"未知的报告格式“{name_or_path}”（可用格式：{ids.replace(', ', '、')}）")


def layout_for_year(year: int) -> Layout:
    """The official format in force for a report year."""
    for layout in available_layouts():
        if layout.applies_to(year):
            return layout
    raise UsageError(f"no official format covers report year {year} (the first format applies from 2019)",
                     zh=f"没有适用于{year}年度报告的规定格式（最早的格式自2019年度起适用）")

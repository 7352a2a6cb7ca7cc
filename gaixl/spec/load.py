"""Loading layouts: one declarative YAML file per official format (templates/<id>.yaml).

A Layout is the single source for generation, reading, validation and rendering. Loading
checks the file strictly — unknown keys, dangling references, rules naming cells that do not
exist — and every message points at `file:line:column` of the mistake.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gaixl.errors import LayoutError, UsageError, os_reason_zh
from gaixl.spec.model import KINDS, SEVERITIES, CarryLink, Column, Layout, Mention, Row, RuleSpec, Section, Table
from gaixl.spec.rules import expand_checks


# ---------------------------------------------------------------- YAML with line numbers
class _Map(dict):
    """A mapping that remembers where it and each of its keys stood in the file."""

    mark: tuple[int, int] = (0, 0)
    key_marks: dict[str, tuple[int, int]]
    value_marks: dict[str, tuple[int, int]]


class _Seq(list):
    mark: tuple[int, int] = (0, 0)


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    m.key_marks = {}
    m.value_marks = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=True)
        if key in m:
            raise LayoutError(f"duplicate key {key!r}", where=f"{loader.name}:{k_node.start_mark.line + 1}:{k_node.start_mark.column + 1}",
                              zh=f"键{key!r}重复")
        m[key] = loader.construct_object(v_node, deep=True)
        m.key_marks[key] = (k_node.start_mark.line + 1, k_node.start_mark.column + 1)
        m.value_marks[key] = (v_node.start_mark.line + 1, v_node.start_mark.column + 1)
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    s = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    s.mark = (node.start_mark.line + 1, node.start_mark.column + 1)
    return s


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# The parts of a layout file, in Chinese, for the zh messages of LayoutError.
_WHAT_ZH = {"column": "列", "row": "行", "table": "表格", "rule": "规则", "section": "部分", "mention": "提及项",
            "layout": "格式文件", "carry_over": "结转关系（carry_over）", "years": "适用年度（years）", "tables": "表格集（tables）"}


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

    def value_where(self, obj: Any, key: str) -> str:
        """Where the value of `key` starts (a rule expression: its errors point at it)."""
        if isinstance(obj, _Map) and key in obj.value_marks:
            line, col = obj.value_marks[key]
            return f"{self.path}:{line}:{col}"
        return self.where(obj, key)

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
    m = ctx.mapping(obj, {"key", "label", "name", "kind", "computed", "rule", "cell", "span", "children", "guide"},
                    {"label"}, "column")
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
                  cell=tuple(str(x) for x in cell) if cell else None, span=int(m.get("span", 1)),
                  children=children, where=ctx.where(m), guide=ctx.text(m, "guide", "column"),
                  formula_where=ctx.value_where(m, "computed") if "computed" in m else "")


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
               children=children, where=ctx.where(m),
               formula_where=ctx.value_where(m, "computed") if "computed" in m else "")


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
    m = ctx.mapping(obj, {"key", "heading", "kind", "sheet", "tables", "paragraphs", "prompt", "required", "mentions",
                          "heading_words", "heading_variants"},
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
    words = {}
    for k in ("heading_words", "heading_variants"):
        v = m.get(k) or []
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise ctx.fail(m, f"{k} must be a list of texts", k, zh=f"{k}须为文本列表")
        words[k] = [str(x) for x in v]
    return Section(heading_words=words["heading_words"], heading_variants=words["heading_variants"],
                   key=str(m["key"]), heading=str(m["heading"]), kind=kind, sheet=str(m["sheet"]),
                   tables=[str(t) for t in m.get("tables") or []], paragraphs=int(m.get("paragraphs", 0)),
                   prompt=str(m.get("prompt", "")), required=required, mentions=mentions)


def _parse_rule(ctx: _Ctx, obj: Any, tables: dict) -> RuleSpec:
    m = ctx.mapping(obj, {"id", "severity", "table", "for_each", "only", "check", "at", "hint", "message", "message_en",
                          "todo"},
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
                    where=ctx.where(m), only=tuple(m.get("only") or ()), check_where=ctx.value_where(m, "check"),
                    todo=str(m.get("todo", "")))


def _parse_link(ctx: _Ctx, obj: Any, tables: dict) -> CarryLink:
    m = ctx.mapping(obj, {"code", "table", "for_each", "to", "from", "message", "message_en"},
                    {"code", "table", "for_each", "to", "from"}, "carry_over")
    tnames = m["table"] if isinstance(m["table"], list) else [m["table"]]
    fe = m["for_each"]
    if fe not in ("row", "column"):
        raise ctx.fail(m, "for_each must be row or column", "for_each", zh="for_each须为row或column")
    sources = m["from"] if isinstance(m["from"], list) else [m["from"]]
    for t in tnames:
        if t not in tables:
            raise ctx.fail(m, f"carry_over {m['code']} names unknown table {t!r}", "table",
                           zh=f"结转关系{m['code']}引用了不存在的表格{t!r}")
        keys = {r.key for r in tables[t].data_rows} if fe == "column" else {c.key for c in tables[t].data_columns}
        for k, key in [("to", m["to"])] + [("from", x) for x in sources]:
            if str(key) not in keys:
                what = "row" if fe == "column" else "column"
                raise ctx.fail(m, f"carry_over {m['code']}: {key!r} is not a data {what} of table {t}", k,
                               zh=f"结转关系{m['code']}：{key!r}不是表格{t}的数据{'行' if what == 'row' else '列'}")
    return CarryLink(code=str(m["code"]), tables=tuple(str(t) for t in tnames), for_each=fe, to=str(m["to"]),
                     sources=tuple(str(x) for x in sources), message=str(m.get("message", "")),
                     message_en=str(m.get("message_en", "")), where=ctx.where(m))


# Keys that tell the other stages about the format (how published reports word the headings,
# last year → this year, what to do about a finding) without changing the workbook a template
# is: editing them must not make every template in circulation "changed" (template-layout-changed).
NOT_IN_FORM = frozenset({"heading_words", "heading_variants", "carry_over", "todo"})


def form_digest(doc: Any) -> str:
    """sha256 of the layout as a form: its parsed content, canonical, without NOT_IN_FORM keys
    (comments and formatting of the file do not count either). Stamped into every template."""
    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {str(k): strip(v) for k, v in x.items() if k not in NOT_IN_FORM}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    canon = json.dumps(strip(doc), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


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
    top = ctx.mapping(doc, {"id", "version", "name", "notice", "notice_title", "years", "sections", "tables", "rules",
                            "carry_over"},
                      {"id", "version", "name", "notice", "years", "sections", "tables"}, "layout")
    years = ctx.mapping(top["years"], {"from", "to"}, {"from"}, "years")
    tables_obj = ctx.mapping(top["tables"], set(top["tables"].keys()), set(), "tables")
    tables = {str(k): _parse_table(ctx, str(k), v) for k, v in tables_obj.items()}
    sections = [_parse_section(ctx, s, tables) for s in top["sections"]]
    rules = [_parse_rule(ctx, r, tables) for r in top.get("rules") or []]
    links = [_parse_link(ctx, c, tables) for c in top.get("carry_over") or []]
    layout = Layout(id=str(top["id"]), version=int(top["version"]), name=str(top["name"]), notice=str(top["notice"]),
                    notice_title=str(top.get("notice_title", "")),
                    year_from=int(years["from"]), year_to=int(years["to"]) if years.get("to") else None,
                    sections=sections, tables=tables, rules=rules, source=source, carry_over=links,
                    digest=form_digest(doc))
    # Compile every rule once now, so that a rule naming a missing cell fails at load time.
    expand_checks(layout)
    return layout


# ---------------------------------------------------------------- finding layouts
# A new official format is a new file: layout files in the folder(s) named by GAIXL_LAYOUTS
# (several joined by os.pathsep) or by use_layouts() (the CLI's --layouts) join the built-in ones.
LAYOUTS_ENV = "GAIXL_LAYOUTS"
_extra_dirs: list[Path] = []


def templates_dir() -> Path:
    """The folder of the built-in layout files: gaixl/templates, which is the repository's
    templates/ (a link to it in a checkout, a copy in an installed wheel)."""
    return Path(__file__).resolve().parents[1] / "templates"


def use_layouts(folder: str | Path | None) -> None:
    """Add a folder of extra layout files for this process (the CLI's `--layouts DIR`).
    None does nothing; a folder that does not exist is a UsageError."""
    if folder is None:
        return
    p = Path(folder)
    if not p.is_dir():
        raise UsageError(f"layouts folder {str(p)!r} does not exist or is not a folder",
                         zh=f"格式文件夹“{p}”不存在或不是文件夹")
    if p.resolve() not in _extra_dirs:
        _extra_dirs.append(p.resolve())


@lru_cache(maxsize=16)
def _dirs(env: str, extra: tuple[Path, ...]) -> tuple[Path, ...]:
    dirs = [templates_dir()]
    for part in env.split(os.pathsep):
        if part.strip():
            p = Path(part.strip())
            if not p.is_dir():
                raise UsageError(f"{LAYOUTS_ENV}={part!r}: no such folder",
                                 zh=f"环境变量{LAYOUTS_ENV}指定的格式文件夹“{part}”不存在")
            dirs.append(p.resolve())
    dirs.extend(extra)
    return tuple(dict.fromkeys(dirs))


def layout_dirs() -> list[Path]:
    """Where layout files are looked for: templates/, then GAIXL_LAYOUTS, then use_layouts()."""
    return list(_dirs(os.environ.get(LAYOUTS_ENV, ""), tuple(_extra_dirs)))


@lru_cache(maxsize=16)
def _files_in(dirs: tuple[Path, ...], _stamps: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    out = []
    for d in dirs:
        for p in sorted(d.glob("*.yaml")):
            try:
                out.append((str(p), p.stat().st_mtime_ns))
            except OSError:
                out.append((str(p), 0))
    return tuple(out)


def _layout_files() -> tuple[tuple[str, int], ...]:
    """(path, mtime) of every layout file, in folder order: the key of the catalogue cache.
    Looked up again when a folder changes (a file added, removed or replaced: callers ask often,
    e.g. per line of an imported report, so the files are not stat'ed on every call)."""
    dirs = _dirs(os.environ.get(LAYOUTS_ENV, ""), tuple(_extra_dirs))
    stamps = []
    for d in dirs:
        try:
            stamps.append(d.stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return _files_in(dirs, tuple(stamps))


def _load_path(path: str) -> Layout:
    """A layout file by path, read again when it changes (its mtime is part of the cache key)."""
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError:
        mtime = 0                   # _load_text reports the file as unreadable
    return _load_text(path, mtime)


@lru_cache(maxsize=None)
def _load_text(path: str, _mtime: int) -> Layout:
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


@lru_cache(maxsize=8)
def _catalogue(files: tuple[tuple[str, int], ...]) -> tuple[Layout, ...]:
    """Every layout, checked as a set: ids unique, no two starting in the same year."""
    layouts = [_load_text(path, mtime) for path, mtime in files]
    for i, a in enumerate(layouts):
        for b in layouts[:i]:
            if a.id == b.id:
                raise LayoutError(f"two layout files have the id {a.id!r}: {b.source} and {a.source}",
                                  where=a.source, zh=f"两个格式文件的标识（id）都是“{a.id}”：{b.source} 和 {a.source}")
            if a.year_from == b.year_from:
                raise LayoutError(
                    f"two layouts both start in {a.year_from}: {b.source} (id {b.id}) and {a.source} (id {a.id}); "
                    f"which format applies to {a.year_from} is ambiguous — give one of them a different years.from",
                    where=a.source,
                    zh=f"两个格式文件的适用年度都自{a.year_from}年起：{b.source}（{b.id}）和 {a.source}（{a.id}），"
                       f"无法确定{a.year_from}年度适用哪一个格式，请修改其中一个的years.from")
    return tuple(sorted(layouts, key=lambda l: l.year_from))


def available_layouts() -> list[Layout]:
    """Every layout (built-in and from GAIXL_LAYOUTS / use_layouts), oldest format first."""
    return list(_catalogue(_layout_files()))


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
    """The official format in force for a report year: of the layouts whose years cover it, the
    one whose range starts latest (a 2027.yaml from 2027 on takes 2027; 2026 keeps 2021)."""
    covering = [l for l in available_layouts() if l.applies_to(year)]
    if covering:
        return max(covering, key=lambda l: l.year_from)
    first = min((l.year_from for l in available_layouts()), default=2019)
    raise UsageError(f"no official format covers report year {year} (the first format applies from {first})",
                     zh=f"没有适用于{year}年度报告的规定格式（最早的格式自{first}年度起适用）")

"""The one message catalogue (gaixl.i18n): every key in both languages with the same
placeholders, every key the code asks for present, and no second catalogue beside it."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import gaixl
from gaixl.i18n import MESSAGES, both, t

PKG = Path(gaixl.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_chinese_and_english_with_the_same_placeholders(key):
    pair = MESSAGES[key]
    assert isinstance(pair, tuple) and len(pair) == 2, key
    zh, en = pair
    assert zh.strip() and en.strip(), key
    assert CJK.search(zh), f"{key}: the Chinese text has no Chinese: {zh!r}"
    assert not CJK.search(en), f"{key}: the English text has Chinese: {en!r}"
    # The Chinese may name a placeholder the English does not need (and the other way round)
    # only where the caller fills both: a `what` / `what_en` pair.
    if key not in ("import.code_from", "history.empty"):
        assert _fields(zh) == _fields(en), f"{key}: {_fields(zh)} vs {_fields(en)}"


def test_t_picks_the_language_and_fills_the_placeholders():
    assert t("fill.done", "zh", out="a.xlsx") == "已写入 a.xlsx"
    assert t("fill.done", "en", out="a.xlsx") == "Wrote a.xlsx"
    assert t("fill.done", out="a.xlsx") == "已写入 a.xlsx"                 # Chinese by default
    assert both("generate.need_unit") == {"message": "Give --roster or --unit", "zh": "请指定 --roster 或 --unit"}
    with pytest.raises(KeyError):
        t("no.such.key", "zh")


def _used_keys() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(literal keys, key patterns) the code passes to t() / both() (file:line for each).
    A key built from an f-string or `"prefix." + x` becomes a pattern; a name bound by a loop
    over a tuple of strings gives each string."""
    literal, patterns = [], []
    for p in sorted(PKG.rglob("*.py")):
        if p.name == "i18n.py":                  # t() and both() themselves
            continue
        tree = ast.parse(p.read_text(encoding="utf-8"), str(p))
        loops: dict[str, list[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name) \
                    and isinstance(node.iter, (ast.Tuple, ast.List)) \
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts):
                loops.setdefault(node.target.id, []).extend(e.value for e in node.iter.elts)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("t", "both") and node.args):
                continue
            arg, where = node.args[0], f"{p.relative_to(PKG)}:{node.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                literal.append((arg.value, where))
            elif isinstance(arg, ast.JoinedStr):
                rx = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in arg.values)
                patterns.append((rx, where))
            elif isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
                right = arg.right
                if isinstance(right, ast.Name) and right.id in loops:
                    literal.extend((arg.left.value + v, where) for v in loops[right.id])
                else:
                    patterns.append((re.escape(arg.left.value) + ".+", where))
            elif isinstance(arg, ast.Name) and arg.id in loops:
                literal.extend((v, where) for v in loops[arg.id])
            elif isinstance(arg, ast.IfExp) and all(isinstance(v, ast.Constant) for v in (arg.body, arg.orelse)):
                literal += [(arg.body.value, where), (arg.orelse.value, where)]      # "a" if … else "b"
            else:
                raise AssertionError(f"{where}: a message key the test cannot follow: {ast.unparse(arg)}")
    return literal, patterns


def test_every_key_used_in_the_code_exists():
    literal, patterns = _used_keys()
    assert len(literal) > 60
    missing = [f"{k} ({w})" for k, w in literal if k not in MESSAGES]
    missing += [f"/{rx}/ ({w})" for rx, w in patterns if not any(re.fullmatch(rx, k) for k in MESSAGES)]
    assert not missing, "message keys not in gaixl.i18n: " + ", ".join(missing)


def test_the_skip_reasons_of_collect_are_in_the_catalogue():
    from gaixl.mail.collect.text import reason

    assert reason("too-large", "zh", "60 MB") == "附件过大（60 MB），未保存；可用 --max-size 调整上限"
    assert reason("too-large", "en", "60 MB") == "attachment too large (60 MB), not saved; see --max-size"
    assert reason("not-workbook", "zh", ".pdf").startswith("不是报告工作簿（.pdf 文件；只收取")
    assert reason("empty", "en", "x") == "empty attachment (x)"
    assert reason("a-new-code", "zh") == "a-new-code"


def test_there_is_one_catalogue():
    """No module keeps its own (zh, en) table or lookup beside gaixl.i18n."""
    own = []
    for p in sorted(PKG.rglob("*.py")):
        if p.name == "i18n.py":
            continue
        text = p.read_text(encoding="utf-8")
        if re.search(r"zh, en = \w+", text) or re.search(r'^\s*"[A-Za-z0-9_.-]+": \("[^"]*[\u4e00-\u9fff]', text, re.M):
            own.append(str(p.relative_to(PKG)))
    assert not own, "message tables outside gaixl.i18n: " + ", ".join(own)


def test_every_skip_code_of_collect_has_its_words():
    codes = set()
    for p in sorted((PKG / "mail" / "collect").glob("*.py")):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Skipped" and len(node.args) > 1 \
                    and isinstance(node.args[1], ast.Constant):
                codes.add(node.args[1].value)
    assert len(codes) >= 10
    assert not [c for c in codes if f"collect.reason.{c}" not in MESSAGES]

"""Help and usage errors in Chinese (English with `--lang en` or LANG=en…), readable at 80 columns.

Every command's and option's help text is written once, bilingual: "中文 / English". At help time
the half of the reader's language is shown. The framework's own words (typer/click: "Usage:",
"Options", "Commands", "Show this message and exit.", "[required]", type tags such as <int>, and
the usage errors "No such option …") are put into the same language here, in one place:

- LocalizedGroup / LocalizedCommand (the `cls` of the app and of every command) choose the
  language from the command line (`--lang en`) or the environment (LANG, LC_ALL, LANGUAGE
  starting with "en"), and localise the help texts, the usage line and the help option;
- `localise_framework(lang)` sets typer's panel titles and default/required words, and makes
  long Chinese lines wrap instead of ending in "…" (rich cuts a run of text without spaces —
  all of Chinese — at the column edge unless told to fold it);
- usage errors raised while parsing are translated (USAGE_ERRORS).
"""
from __future__ import annotations

import os
import re

import typer
import typer.core
from typer import rich_utils

from gaixl.i18n import FRAMEWORK

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_SPLIT = re.compile(r"\s+/\s+(?=[A-Za-z$\"'(<`-])")

ENV_VARS = ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG")
_STATE = {"lang": None}

HELP_OPTION = ("显示本帮助并退出。", "Show this message and exit.")
USAGE = ("用法：", "Usage: ")
OPTIONS_METAVAR = ("[选项]", "[OPTIONS]")
SUBCOMMAND_METAVAR = ("命令 [参数]...", "COMMAND [ARGS]...")
TYPE_TAGS = {"int": "整数", "float": "数字", "str": "文字", "path": "路径", "file": "文件", "directory": "文件夹",
             "text": "文字", "integer": "整数"}
# English usage errors of click/typer → Chinese (a pattern and its replacement, tried in order).
USAGE_ERRORS = [
    (r"No such option: (\S+)(?: \(Possible options: (.+)\))?", lambda m: f"没有选项 {m[1]}" + (f"（您是否要用：{m[2]}）"
                                                                                           if m[2] else "")),
    (r"No such command '(.+?)'\.?", lambda m: f"没有命令“{m[1]}”"),
    (r"Missing option '(.+?)'\.?(.*)", lambda m: f"缺少必填选项 {m[1]}"),
    (r"Missing argument '(.+?)'\.?(.*)", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing parameter: (.+)", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing command\.?", lambda m: "缺少命令"),
    (r"Option '(.+?)' requires an argument\.?", lambda m: f"选项 {m[1]} 后面需要一个值"),
    (r"Option '(.+?)' does not take a value\.?", lambda m: f"选项 {m[1]} 不带值"),
    (r"Got unexpected extra arguments? \((.+)\)", lambda m: f"多余的参数：{m[1]}"),
    (r"Invalid value for (.+?): (.+)", lambda m: f"{m[1]} 的值无效：{translate_error(m[2])}"),
    (r"'(.+?)' is not a valid integer( range)?\.?", lambda m: f"“{m[1]}”不是整数"),
    (r"Input should be a valid integer.*", lambda m: "应为整数"),
    (r"Input should be a valid (?:number|float).*", lambda m: "应为数字"),
    (r"Input should be a valid boolean.*", lambda m: "应为是/否值"),
    (r"'(.+?)' is not a valid float( range)?\.?", lambda m: f"“{m[1]}”不是数字"),
    (r"'(.+?)' is not a valid boolean.*", lambda m: f"“{m[1]}”不是是/否值"),
    (r"(?:Path|File|Directory) '(.+?)' does not exist\.?", lambda m: f"路径“{m[1]}”不存在"),
    (r"(?:Path|File) '(.+?)' is a directory\.?", lambda m: f"“{m[1]}”是文件夹，不是文件"),
    (r"(?:Path|Directory) '(.+?)' is a file\.?", lambda m: f"“{m[1]}”是文件，不是文件夹"),
    (r"'(.+?)' is not one of (.+)\.?", lambda m: f"“{m[1]}”不是可选值之一：{m[2]}"),
    (r"--lang must be zh or en", lambda m: "--lang 只能是 zh 或 en"),
]


def lang_from(args=(), environ=None) -> str:
    """"en" when the arguments say `--lang en` (or `--lang=en`) or the environment's locale is
    English (LANG=en_US.UTF-8 …); else "zh"."""
    args = list(args or ())
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1].lower().startswith("en") else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1].lower().startswith("en") else "zh"
    env = os.environ if environ is None else environ
    for var in ENV_VARS:
        value = (env.get(var) or "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def current_lang() -> str:
    return _STATE["lang"] or lang_from()


def pick(text: str | None, lang: str) -> str | None:
    """The reader's half of a bilingual "中文 / English" text (one line: the help shows it wrapped);
    a text in one language only is returned as it is."""
    if not text:
        return text
    flat = " ".join(text.split())
    parts = _SPLIT.split(flat, maxsplit=1)
    if len(parts) == 2 and _CJK.search(parts[0]):
        return parts[1] if lang == "en" else parts[0]
    return flat


def translate_error(message: str) -> str:
    for pattern, repl in USAGE_ERRORS:
        m = re.fullmatch(pattern, message.strip(), flags=re.S)
        if m:
            return repl(m)
    return message


def _folding(make):
    def make_rich_text(*args, **kw):
        out = make(*args, **kw)
        if hasattr(out, "overflow"):
            out.overflow = "fold"           # Chinese has no spaces: wrap anywhere, never cut with "…"
        return out
    make_rich_text.__wrapped__ = make
    return make_rich_text


def localise_framework(lang: str) -> None:
    """typer's own words in `lang`; long lines wrap (see the module docstring)."""
    for name, (zh, en) in FRAMEWORK.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, zh if lang != "en" else en)
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is not None and not hasattr(make, "__wrapped__"):
        rich_utils._make_rich_text = _folding(make)


def _type_tag(param, lang: str):
    """A parameter's type tag in the reader's language; none for on/off switches (--json)."""
    original = type(param).display_type_rich if hasattr(type(param), "display_type_rich") else None

    def display(ctx):
        if getattr(param, "is_flag", False) or getattr(param, "is_bool_flag", False):
            return None
        tag = original(param, ctx) if original is not None else None
        if tag and lang != "en":
            inner = tag.strip("<>")
            many = inner.lower().startswith("list[") and inner.endswith("]")     # FILE... arguments
            if many:
                inner = inner[5:-1]
            tag = "<" + TYPE_TAGS.get(inner.lower(), inner) + ("，可多个" if many else "") + ">"
        return tag
    return display


class _Localized:
    """Mixed into typer's command and group classes (see the module docstring)."""

    fresh = False            # the group decides anew for each run; a command only follows its --lang

    def parse_args(self, ctx, args):
        given = any(a == "--lang" or a.startswith("--lang=") for a in args)
        lang = lang_from(args) if given or self.fresh or _STATE["lang"] is None else _STATE["lang"]
        _STATE["lang"] = lang
        localise_framework(lang)
        try:
            return super().parse_args(ctx, args)
        except Exception as e:  # a usage error of the framework: said in the reader's language
            _translated(e, lang)
            raise

    def _localise(self, ctx) -> None:
        lang = current_lang()
        localise_framework(lang)
        if not getattr(self, "_gaixl_source", None):
            self._gaixl_source = (self.help, getattr(self, "short_help", None),
                                  {id(p): getattr(p, "help", None) for p in self.params})
        help_, short, params = self._gaixl_source
        self.help = pick(help_, lang)
        if short:
            self.short_help = pick(short, lang)
        for p in self.params:
            if hasattr(p, "help") and id(p) in params:
                p.help = pick(params[id(p)], lang)
            if hasattr(p, "display_type_rich"):
                p.display_type_rich = _type_tag(p, lang)
        self.options_metavar = OPTIONS_METAVAR[lang == "en"]
        if hasattr(self, "subcommand_metavar"):
            self.subcommand_metavar = SUBCOMMAND_METAVAR[lang == "en"]
        for sub in (getattr(self, "commands", None) or {}).values():
            if isinstance(sub, _Localized):
                sub._localise(ctx)

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = HELP_OPTION[current_lang() == "en"]
            if hasattr(opt, "display_type_rich"):
                opt.display_type_rich = lambda ctx: None     # a switch: no type tag
        return opt

    def format_usage(self, ctx, formatter):
        # typer 0.29 prints an argument as {files}, which reads like an unfilled placeholder: FILES.
        # and an optional one as [inbox]: both as the usual upper-case names (FILES..., [INBOX]).
        pieces = [re.sub(r"\{(\w+)\}|\[([a-z_]+)\]",
                         lambda m: m.group(1).upper() if m.group(1) else f"[{m.group(2).upper()}]", p)
                  for p in self.collect_usage_pieces(ctx)]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE[current_lang() == "en"])

    def get_usage(self, ctx):
        self._localise(ctx)
        return super().get_usage(ctx)

    def format_help(self, ctx, formatter):
        self._localise(ctx)
        return super().format_help(ctx, formatter)


def _translated(e: Exception, lang: str) -> Exception:
    if lang == "en" or not hasattr(e, "format_message"):
        return e
    english = e.format_message()
    zh = translate_error(english)
    if zh != english:
        e.format_message = lambda: zh          # what typer/click print in the error panel
    return e


class LocalizedCommand(_Localized, typer.core.TyperCommand):
    pass


class LocalizedGroup(_Localized, typer.core.TyperGroup):
    fresh = True


__all__ = ["LocalizedCommand", "LocalizedGroup", "lang_from", "pick", "translate_error", "localise_framework"]

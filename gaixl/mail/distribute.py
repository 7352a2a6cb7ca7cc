"""distribute: mail every roster unit its own template (or write the messages as .eml drafts).

    scan_templates(folder) -> (list[Template], list[dict] not-templates)
    plan(templates, roster, year=None) -> Plan          which template goes to which unit
    compose(unit, template, options, n=0) -> (EmailMessage, bytes)
    distribute(folder, roster, options, *, mailer=None, out=None, ...) -> Result

A template is matched to its unit by the metadata inside the workbook (unit code, year, layout,
guarded by its fingerprint), never by its file name, which anyone may have changed. Listed, not
sent: a template of a unit not on the roster, two templates for one unit, a template whose
metadata was altered, a roster unit without a template, a unit without a usable address.

With a Mailer the messages are sent and each is recorded in `<folder>/.gaixl-sent.json` as
soon as the server accepted it; a unit found there is not mailed again (unless named in
`resend`). Without one, the messages are written as `<code>-<name>.eml` drafts to review.

Message-ID is a digest of the unit, the attachment, the body, the recipients and how many times
the unit was mailed before (gaixl.mail.smtp.message_id): a draft and the message later sent from the
same inputs carry the same ID, so the sent log, the draft and the recipient's copy can be matched,
and a duplicate delivery is recognisable as one; a deliberate --resend gets a new ID (servers such
as Gmail drop a second message with an ID already seen). The Date header is the true time of
writing or sending — a fixed date would mislead the recipients' clients — so drafts are
byte-stable for the same `when` (the library takes it; the MIME boundary is derived from the ID).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Callable

from gaixl.atomic import write_bytes
from gaixl.consolidation.outputs import unit_stem
from gaixl.errors import GaixlError, InputError, UsageError
from gaixl.mail import smtp as M
from gaixl.report.roster import read_roster
from gaixl.spec.load import layout_for_year
from gaixl.workbook.names import CHECK_SHEET, GUIDE_SHEET, META, META_KEYS, META_SHEET, fingerprint

SENT_LOG = ".gaixl-sent.json"
DRAFTS = "drafts"


@dataclass
class Template:
    path: Path
    code: str
    name: str
    year: int | None
    layout: str
    sheets: list[str]          # the sheets a unit fills, in order
    sha256: str
    intact: bool               # the metadata's fingerprint holds


@dataclass
class Options:
    sender: Address
    reply_to: Address | None = None
    deadline: dt.date | None = None          # None: 15 January of the year after the report year
    contact: str = ""
    signature: str = ""                      # who signs; default: the From name, else the roster's parent


@dataclass
class Item:
    """One roster unit's outcome (or one file's, for templates matching no unit)."""
    code: str
    name: str
    status: str                # drafted | sent | already-sent | no-address | no-template | conflict | failed
    to: list[str] = field(default_factory=list)
    file: str = ""             # the template
    draft: str = ""            # the .eml written
    message_id: str = ""
    sha256: str = ""
    reason: str = ""           # Chinese
    reason_en: str = ""
    sent_at: str = ""
    refused: dict = field(default_factory=dict)
    kind: str = ""             # feedback: accepted | rejected | reminder

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


STATUSES = ("drafted", "sent", "already-sent", "no-address", "no-template", "conflict", "failed")


@dataclass
class Result:
    mode: str                  # "drafts" or "send"
    year: int | None
    out: str                   # drafts folder ("" when sending)
    log: str                   # sent log
    items: list[Item]
    unmatched: list[dict]      # files not sent to anyone, each with the reason
    statuses: tuple = STATUSES
    notes: list[dict] = field(default_factory=list)     # {"zh", "en"}: things to know about the run

    def counts(self) -> dict:
        c = Counter(i.status for i in self.items)
        return {"units": len(self.items), **{k: c.get(k, 0) for k in self.statuses}, "unmatched": len(self.unmatched)}

    @property
    def failed(self) -> bool:
        return any(i.status in ("failed", "conflict") or i.refused for i in self.items)

    def to_json(self) -> dict:
        return {"mode": self.mode, "year": self.year, "out": self.out, "log": self.log, "summary": self.counts(),
                "units": [i.to_json() for i in self.items], "unmatched": self.unmatched,
                "notes": self.notes}


# ---------------------------------------------------------------- templates
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_template(path: Path) -> Template:
    """A generated template's identity from its hidden metadata sheet (the fast raw reader)."""
    from gaixl.report.values import text_of
    from gaixl.workbook.xlsx import open_book

    with open_book(path) as book:
        ref = book.resolve(META)
        if ref is not None:
            sheet, rows = ref
        else:
            sheet, rows = META_SHEET, [[f"A{i}", f"B{i}"] for i in range(1, len(META_KEYS) + 1)]
        if book.sheet_info(sheet) is None:
            raise InputError("not a gaixl template (no metadata sheet)", where=str(path),
                             zh="不是本系统生成的模板（没有元数据工作表）")
        cells = book.sheet(sheet).cells
        meta = {}
        for row in rows:
            if len(row) >= 2 and cells.get(row[0]) is not None and cells[row[0]].value is not None:
                v = cells.get(row[1])
                meta[text_of(cells[row[0]].value)] = text_of(v.value) if v is not None else ""
        sheets = [s.name for s in book.sheets
                  if s.state == "visible" and s.name not in (GUIDE_SHEET, CHECK_SHEET, META_SHEET)]
    if not meta.get("unit_code") and not meta.get("unit_name"):
        raise InputError("not a gaixl template (no unit in its metadata)", where=str(path),
                         zh="不是本系统生成的模板（元数据中没有单位信息）")
    try:
        year = int(str(meta.get("year", "")).strip())
    except ValueError:
        year = None
    return Template(path=path, code=meta.get("unit_code", ""), name=meta.get("unit_name", ""), year=year,
                    layout=meta.get("layout", ""), sheets=sheets, sha256=_sha256(path.read_bytes()),
                    intact=meta.get("fingerprint") == fingerprint(meta))


def scan_templates(folder: Path) -> tuple[list[Template], list[dict]]:
    """The templates directly in `folder` (*.xlsx; Excel's ~$ lock files and dot files skipped),
    and the .xlsx files that are not readable templates, each with the reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("the templates folder does not exist", where=str(folder), zh="模板文件夹不存在")
    templates, bad = [], []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.suffix.lower() != ".xlsx" or p.name.startswith((".", "~$")):
            continue
        try:
            templates.append(read_template(p))
        except GaixlError as e:
            bad.append({"file": p.name, "reason": e.text("zh"), "reason_en": e.text("en")})
    return templates, bad


@dataclass
class Plan:
    year: int | None
    pairs: list[tuple[dict, Template | None, list[Template]]]     # unit, its template, its conflicting ones
    unmatched: list[dict]


def plan(templates: list[Template], units: list[dict], year: int | None = None,
         bad: list[dict] | None = None, layout: str | None = None) -> Plan:
    """Pair roster units with templates. `layout`: the format expected (default: the year's
    official one); a template of another format would be rejected when it comes back."""
    unmatched = list(bad or [])
    if year is None:
        years = Counter(t.year for t in templates if t.year is not None)
        if len(years) > 1:
            raise UsageError(f"the folder holds templates of several years ({', '.join(map(str, sorted(years)))}): "
                             "say which with --year", zh=f"文件夹中有多个年度的模板（{'、'.join(map(str, sorted(years)))}），"
                                                      "请用 --year 指定年度")
        year = next(iter(years), None)
    if layout is None and year is not None:
        try:
            layout = layout_for_year(year).id
        except GaixlError:
            layout = None                         # no official format for that year: take what the templates say
    by_code: dict[str, list[Template]] = {}
    codes = {u["code"] for u in units}
    for t in templates:
        if t.year != year:
            unmatched.append({"file": t.path.name, "code": t.code, "name": t.name,
                              "reason": f"其他年度的模板（{t.year}年度）", "reason_en": f"a template of another year ({t.year})"})
        elif layout is not None and t.layout != layout:
            unmatched.append({"file": t.path.name, "code": t.code, "name": t.name,
                              "reason": f"模板为{t.layout}年版格式，{year}年度应使用{layout}年版格式，未发送",
                              "reason_en": f"a template of the {t.layout} format; {year} uses the {layout} format: not sent"})
        elif not t.intact:
            unmatched.append({"file": t.path.name, "code": t.code, "name": t.name,
                              "reason": "模板的元数据已被改动，无法确认属于哪个单位，未发送",
                              "reason_en": "the template's metadata was altered: whose it is cannot be told; not sent"})
        elif t.code not in codes:
            unmatched.append({"file": t.path.name, "code": t.code, "name": t.name,
                              "reason": f"单位代码“{t.code}”不在名单中", "reason_en": f"unit code {t.code} is not on the roster"})
        else:
            by_code.setdefault(t.code, []).append(t)
    pairs = []
    for u in units:
        found = by_code.get(u["code"], [])
        pairs.append((u, found[0] if len(found) == 1 else None, found if len(found) > 1 else []))
    return Plan(year=year, pairs=pairs, unmatched=unmatched)


# ---------------------------------------------------------------- the message
def default_deadline(year: int) -> dt.date:
    return dt.date(year + 1, 1, 15)


def zh_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def parse_deadline(text: str | None, where: str = "--deadline") -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"not a date: {text!r} (expected YYYY-MM-DD)", where=where,
                         zh=f"日期格式有误：“{text}”（应为YYYY-MM-DD，如2026-01-15）") from None


def signature(opts: Options, units: list[dict]) -> str:
    if opts.signature:
        return opts.signature
    if opts.sender.display_name:
        return opts.sender.display_name
    parents = Counter(u.get("parent", "") for u in units if u.get("parent"))
    top = parents.most_common(1)[0][0] if parents else ""
    return f"{top}政府信息公开工作主管部门" if top else "政府信息公开工作主管部门"


def body(unit: dict, t: Template, year: int, opts: Options, sign: str, today: dt.date) -> str:
    deadline = opts.deadline or default_deadline(year)
    back = (opts.reply_to or opts.sender).addr_spec
    # No 顿号 between quoted items (GB/T 15834): “基本信息”“一、总体情况”…
    sheets = "".join(f"“{s}”" for s in t.sheets) or "各"
    parts = [
        f"{unit['name']}：",
        "",
        f"根据《中华人民共和国政府信息公开条例》规定，现将{year}年度政府信息公开工作年度报告填报模板发送给你单位，"
        "请认真组织填报，按时报送。有关事项通知如下：",
        "",
        f"一、填报内容。附件“{t.path.name}”是为你单位（单位代码：{unit['code']}）专门生成的填报模板"
        f"（{t.layout}年版格式）。请依次填写{sheets}工作表。合计数由模板自动计算，无需填写；"
        "“校验”工作表显示自动校验结果，报送前请确认没有错误。",
        f"二、报送时间。请于{zh_date(deadline)}前报送。",
        f"三、报送方式。填报完成后，请将该文件作为邮件附件发送至{back}（可直接回复本邮件）。",
        "四、注意事项。请直接在附件模板中填写并保存后原样发回，不要另行制表或重新录入，"
        "不要转换为其他格式（如.xls、.et、.wps、.pdf或图片），不要增删、改动工作表和行列；文件名可以修改。"
        "本模板为你单位专用，请勿转发其他单位使用。",
    ]
    if opts.contact:
        parts.append(f"五、联系方式。{opts.contact}")
    parts += ["", sign, zh_date(today), ""]
    return "\n".join(parts)


def subject(unit: dict, year: int) -> str:
    return f"【请填报】{year}年度政府信息公开工作年度报告填报模板（{unit['name']}）"


def compose(unit: dict, t: Template, year: int, opts: Options, *, sign: str, n: int = 0,
            when: dt.datetime | None = None) -> tuple[EmailMessage, bytes]:
    """One unit's message and its bytes; `n` is how many times the unit was mailed before."""
    when = when or dt.datetime.now(dt.timezone.utc)
    data = t.path.read_bytes()
    to = [M.address(unit["name"], a) for a in M.addresses(unit.get("email", ""))]
    text = body(unit, t, year, opts, sign, when.astimezone().date())
    mid = M.message_id("distribute", f"{year}|{unit['code']}", data + text.encode("utf-8") +
                       "\x1f".join(a.addr_spec for a in to).encode("utf-8"), opts.sender.domain, n)
    m = M.new_message(subject=subject(unit, year), sender_addr=opts.sender, to=to, msg_id=mid, when=when,
                      reply_to=opts.reply_to)
    M.set_body(m, text)
    M.attach(m, M.attachment_part(data, t.path.name, M.XLSX_MIME))
    return m, M.finish(m)


# ---------------------------------------------------------------- the run
def distribute(folder: str | Path, roster: str | Path | list[dict], opts: Options, *, mailer: M.Mailer | None = None,
               out: str | Path | None = None, year: int | None = None, layout: str | None = None,
               resend: tuple[str, ...] | list[str] = (), progress: Callable[[int, int], None] | None = None,
               when: dt.datetime | None = None) -> Result:
    """Draft (mailer None) or send one message per roster unit. `roster` is a path or the
    units as read_roster returns them."""
    folder = Path(folder)
    units = read_roster(roster) if isinstance(roster, (str, Path)) else list(roster)
    templates, bad = scan_templates(folder)
    p = plan(templates, units, year, bad, layout)
    if p.year is None:
        raise UsageError("no templates found in the folder (gaixl generate writes them)", where=str(folder),
                         zh="文件夹中没有找到模板（模板由 gaixl generate 生成）")
    sign = signature(opts, units)
    drafts = Path(out) if out else folder / DRAFTS
    resend = set(resend)
    items: list[Item] = []
    total = len(p.pairs)
    with M.send_lock(folder / SENT_LOG, mailer is not None):
        log = M.SentLog(folder / SENT_LOG, "distribute")
        for i, (u, t, clash) in enumerate(p.pairs):
            item = Item(code=u["code"], name=u["name"], status="", to=M.addresses(u.get("email", "")))
            items.append(item)
            try:
                _one(item, u, t, clash, p.year, opts, sign, log, mailer, drafts, resend, when)
            finally:
                if progress:
                    progress(i + 1, total)
    mode = "send" if mailer is not None else "drafts"
    notes = []
    due = opts.deadline or default_deadline(p.year)
    today = (when or dt.datetime.now(dt.timezone.utc)).astimezone().date()
    if due < today:
        notes.append({"zh": f"报送截止日期{zh_date(due)}已过，请用 --deadline 指定新的截止日期",
                      "en": f"the deadline {due.isoformat()} has passed: give a new one with --deadline"})
    return Result(mode=mode, year=p.year, out="" if mailer is not None else str(drafts), log=str(log.path), notes=notes,
                  items=items, unmatched=p.unmatched)


def _one(item: Item, u: dict, t: Template | None, clash: list[Template], year: int, opts: Options, sign: str,
         log: M.SentLog, mailer: M.Mailer | None, drafts: Path, resend: set, when) -> None:
    if clash:
        item.status = "conflict"
        item.file = "、".join(c.path.name for c in clash)
        item.reason = f"文件夹中有{len(clash)}个该单位的模板（{item.file}），无法确定发送哪一个，请只保留一个"
        item.reason_en = f"{len(clash)} templates of this unit in the folder ({', '.join(c.path.name for c in clash)}): keep one"
        return
    if t is None:
        item.status = "no-template"
        item.reason, item.reason_en = "文件夹中没有该单位的模板", "no template of this unit in the folder"
        return
    item.file, item.sha256 = t.path.name, t.sha256
    bad = [a for a in item.to if not M.valid_address(a)]
    if not item.to or bad:
        item.status = "no-address"
        item.reason = f"名单中的电子邮箱无效：{'、'.join(bad)}" if bad else "名单中没有该单位的电子邮箱"
        item.reason_en = f"invalid address in the roster: {', '.join(bad)}" if bad else "no email address in the roster"
        return
    key = f"{year}|{u['code']}"
    done = log.get(key)
    if done is not None and u["code"] not in resend:
        item.status = "already-sent"
        item.message_id, item.sent_at = done.get("message_id", ""), done.get("sent_at", "")
        changed = done.get("sha256") != t.sha256
        item.reason = f"已于{done.get('sent_at', '')}发送至{'、'.join(done.get('to', []))}" + \
            ("（此后模板已重新生成；如需重发请用 --resend）" if changed else "")
        item.reason_en = f"sent on {done.get('sent_at', '')} to {', '.join(done.get('to', []))}" + \
            (" (the template changed since; use --resend to send it again)" if changed else "")
        return
    n = log.count(key)
    msg, raw = compose(u, t, year, opts, sign=sign, n=n, when=when)
    deliver(item, msg, raw, key=key, log=log, mailer=mailer, draft=drafts / f"{unit_stem(u['code'], u['name'])}.eml",
            envelope_from=opts.sender.addr_spec,
            record={"code": u["code"], "name": u["name"], "file": t.path.name, "sha256": t.sha256, "year": year})


def deliver(item: Item, msg: EmailMessage, raw: bytes, *, key: str, log: M.SentLog, mailer: M.Mailer | None,
            draft: Path, envelope_from: str, record: dict) -> None:
    """Write the draft (no mailer) or send it and record it in the sent log at once."""
    item.message_id = str(msg["Message-ID"])
    if mailer is None:
        write_bytes(draft, raw)
        item.status, item.draft = "drafted", str(draft)
        return
    to = M.envelope_recipients(msg)
    try:
        refused = mailer.send(raw, envelope_from, to)
    except M.MailError as e:
        item.status, item.reason, item.reason_en = "failed", e.text("zh"), e.text("en")
        return
    item.status, item.sent_at, item.refused = "sent", M.utc_now(), refused
    if refused:
        item.reason = "部分收件人被拒收：" + "；".join(f"{a}（{r}）" for a, r in refused.items())
        item.reason_en = "some recipients refused: " + "; ".join(f"{a} ({r})" for a, r in refused.items())
    log.record(key, {**record, "to": [a for a in to if a not in refused], "refused": sorted(refused),
                     "message_id": item.message_id, "sent_at": item.sent_at})

__all__ = ["Template", "Options", "Item", "Result", "Plan", "read_template", "scan_templates", "plan", "compose",
           "distribute", "deliver", "default_deadline", "parse_deadline", "SENT_LOG"]

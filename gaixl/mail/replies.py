"""feedback: from a consolidation's output folder, one reply per roster unit that submitted.

    read_output(folder) -> Output                      manifest.json, checked
    feedback_messages(folder, opts, ...) -> list[Reply] the messages, built but not sent
    feedback(folder, opts, *, mailer=None, out=None, ...) -> Result

A unit whose file was accepted gets an acknowledgement with the main totals as received (and
the points to verify, when there are warnings); a unit whose file was rejected gets what to
fix: the feedback letter (gaixl.consolidation.letters) in the body and attached as .txt, with the deadline
to resubmit when one is given. The reply goes to the address the file came from (collect's
sidecar), else to the roster's email; it answers the original message (In-Reply-To,
References, “回复：<original subject>”) when known. With remind_missing, units that sent
nothing get a reminder at the roster's address.

Sending records each message in `<folder>/.gaixl-sent.json` keyed by unit + the sha256 of the
file replied to: a re-run mails nobody twice about the same submission, and a resubmission
(a new file, a new consolidation) gets its own reply.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Callable

from gaixl import jsonsafe, timefmt
from gaixl.consolidation.outputs import FEEDBACK_DIR, unit_stem
from gaixl.errors import InputError
from gaixl.mail import smtp as M
from gaixl.mail.distribute import Item, Options, Result, deliver, zh_date
from gaixl.spec.load import layout_for_year, load_layout
from gaixl.workbook.names import template_filename
from gaixl.workbook.template import generate_workbook

SENT_LOG = ".gaixl-sent.json"
MAIL = "mail"
SIDECAR = ".gaixl.json"
STATUSES = ("drafted", "sent", "already-sent", "no-address", "failed")


@dataclass
class Output:
    folder: Path
    manifest: dict

    @property
    def year(self) -> int:
        return int(self.manifest.get("year") or 0)

    @property
    def county(self) -> str:
        return str(self.manifest.get("county") or "")

    def file_entry(self, rel: str) -> dict | None:
        return next((f for f in self.manifest.get("files", []) if f.get("file") == rel), None)

    def feedback_file(self, code: str, name: str) -> Path | None:
        p = self.folder / FEEDBACK_DIR / f"{unit_stem(code, name)}.txt"
        return p if p.is_file() else None

    def data(self, code: str, name: str) -> dict | None:
        p = self.folder / "data" / f"{unit_stem(code, name)}.json"
        try:
            return jsonsafe.loads(p.read_bytes())
        except (OSError, ValueError):
            return None


def read_output(folder) -> Output:
    folder = Path(folder)
    p = folder / "manifest.json"
    if not p.is_file():
        raise InputError("not a consolidation output folder (no manifest.json; gaixl consolidate writes it)",
                         where=str(folder), zh="不是汇总输出文件夹（没有manifest.json，应先运行 gaixl consolidate）")
    try:
        m = jsonsafe.loads(p.read_bytes())
    except (OSError, ValueError) as e:
        raise InputError(f"manifest.json cannot be read ({e})", where=str(p), zh="manifest.json无法读取或已损坏") from None
    if not isinstance(m, dict) or not isinstance(m.get("units"), list) or not isinstance(m.get("files"), list) \
            or not m.get("year"):
        raise InputError("manifest.json lacks units, files or year", where=str(p),
                         zh="manifest.json缺少单位（units）、文件（files）或年度（year）信息")
    return Output(folder=folder, manifest=m)


# ---------------------------------------------------------------- provenance
def inbox_folder(out: Output, inbox=None) -> Path | None:
    """Where the consolidated inbox is: as given, else the manifest's path as it was given to
    consolidate (relative to the current folder, or to the output folder's parent)."""
    if inbox is not None:
        return Path(inbox)
    given = str(out.manifest.get("inbox") or "")
    if not given:
        return None
    p = Path(given)
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, out.folder.parent / p]):
        if cand.is_dir():
            return cand
    return None


def sidecar(inbox: Path | None, rel: str) -> dict:
    """collect's provenance of one inbox file ({} when none): `<file>.gaixl.json` beside it, or
    any sidecar there naming it in its "file" key."""
    if inbox is None or not rel:
        return {}
    target = inbox / rel
    cands = [target.parent / (target.name + SIDECAR)]
    if target.parent.is_dir():
        cands += sorted(p for p in target.parent.glob("*" + SIDECAR) if p != cands[0])
    for c in cands:
        try:
            meta = jsonsafe.loads(c.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and (c == cands[0] or str(meta.get("file") or "") == target.name):
            return meta
    return {}


# ---------------------------------------------------------------- texts
def _when(iso: str, tz=None) -> str:
    """Beijing time (or the consolidation's --tz), the Chinese way: 2026年1月15日 09:12."""
    return timefmt.zh_time(iso, tz)


def _cell(data: dict, table: str, row_start: str, col: str = "总计"):
    rows = (data.get("tables") or {}).get(table) or {}
    for name, cols in rows.items():
        if name.startswith(row_start) and isinstance(cols, dict) and col in cols:
            return cols[col]
    return None


def _n(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "—" if v is None else str(v)


def totals_lines(data: dict | None) -> list[str]:
    """The main totals as received: applications, results, reviews and suits."""
    if not data:
        return []
    lines = []
    for label, row in (("本年新收政府信息公开申请", "一、"), ("上年结转政府信息公开申请", "二、"),
                       ("办理结果总计", "三、（七）"), ("结转下年度继续办理", "四、")):
        v = _cell(data, "三", row)
        if v is not None:
            lines.append(f"　　{label}：{_n(v)}件")
    review = _cell(data, "四", "行政复议")
    if review is not None:
        lines.append(f"　　行政复议：{_n(review)}件")
    direct, after = _cell(data, "四", "未经复议直接起诉"), _cell(data, "四", "复议后起诉")
    if direct is not None or after is not None:
        total = (direct or 0) + (after or 0)
        lines.append(f"　　行政诉讼：{_n(total)}件（未经复议直接起诉{_n(direct)}件，复议后起诉{_n(after)}件）")
    return lines


def letter_core(text: str) -> str:
    """The findings part of a gaixl.consolidation.letters letter: without its greeting (first line) and its
    closing (from “如有疑问”), which the reply writes itself. An unexpected shape: all of it."""
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 3 and lines[0].endswith("：") and not lines[1].strip():
        lines = lines[2:]
    for i, line in enumerate(lines):
        if line.startswith("如有疑问"):
            lines = lines[:i]
            break
    return "\n".join(lines).strip("\n")


def unit_template(out: Output, code: str, name: str) -> tuple[str, bytes]:
    """The unit's correct template of the consolidated year (file name, bytes), made afresh —
    for a unit that sent another year's or another format's file, or not a workbook at all.
    Dated by the consolidation, so the same reply is the same bytes."""
    layout = load_layout(str(out.manifest.get("layout"))) if out.manifest.get("layout") else layout_for_year(out.year)
    fname = template_filename(code, name, out.year)
    with tempfile.TemporaryDirectory() as tmp:
        p = generate_workbook(layout, out.year, code, name, Path(tmp) / fname,
                              generated_at=str(out.manifest.get("generated_at") or "") or None)
        return fname, p.read_bytes()


@dataclass
class Reply:
    code: str
    name: str
    kind: str                         # accepted | rejected | reminder
    to: list[str]
    key: str                          # the sent log's key
    file: str = ""                    # the inbox file replied to
    sha256: str = ""
    feedback: str = ""                # the feedback .txt attached
    message: EmailMessage | None = None
    raw: bytes = b""
    reason: str = ""                  # why it cannot be sent (no address)
    reason_en: str = ""
    extra: dict = field(default_factory=dict)


_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|aw|fw|fwd|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
TAGS = {"accepted": "已采用", "rejected": "未通过校验，请修改后重新报送"}
# Our own verdicts, as an earlier reply put them at the end of the subject (the unit replied to it).
_OLD_TAGS = re.compile(r"(?:[（(](?:" + "|".join(re.escape(t) for t in TAGS.values())
                       + r"|请使用附上的新模板重新报送|修改后的文件已采用|修改后的文件仍未通过校验，请再次修改后报送)[）)]\s*)+$")


def _subject(kind: str, year: int, unit: str, original: str, *, resubmitted: bool = False,
             template: bool = False) -> str:
    """The reply's subject: “回复：<the unit's subject>（verdict）”. A resubmission answering our
    earlier reply carries that reply's verdict in its subject: it is removed, so the subject speaks
    of this file only (never “（未通过校验…）（已采用）”)."""
    tag = TAGS.get(kind, "")
    if kind == "rejected" and template:
        tag = "请使用附上的新模板重新报送"
    if kind == "reminder":
        return f"【催报】{year}年度政府信息公开工作年度报告尚未报送（{unit}）"
    original = " ".join(original.split())
    original = _OLD_TAGS.sub("", _REPLY_PREFIX.sub("", original)).strip()   # "Re: 回复：…（已采用）" → the unit's words
    if original:
        if resubmitted:
            tag = {"accepted": "修改后的文件已采用", "rejected": "修改后的文件仍未通过校验，请再次修改后报送"}.get(kind, tag)
        return f"回复：{original}（{tag}）"
    return f"{year}年度政府信息公开工作年度报告{tag}（{unit}）"


def _body(kind: str, unit: str, year: int, *, file: str, submitted: str, core: str, totals: list[str],
          reason: str, attached: str, deadline: dt.date | None, back: str, contact: str, sign: str,
          today: dt.date, late: str = "", template: str = "") -> str:
    when = f"（{submitted}收到）" if submitted else ""
    lines = [f"{unit}：", ""]
    if kind == "reminder":
        lines.append(f"您好！截至{zh_date(today)}，我们尚未收到贵单位{year}年度政府信息公开工作年度报告。"
                     f"请{'于' + zh_date(deadline) + '前' if deadline else '尽快'}将填好的模板作为邮件附件发送至{back}。"
                     "请直接使用下发的模板填写并原样发回，不要另行制表或转换格式。如已报送，请忽略本邮件。")
    elif core:
        lines.append(core)
    elif kind == "accepted":
        lines.append(f"您好！贵单位报送的{year}年度政府信息公开工作年度报告文件“{file}”{when}已收到，"
                     "经系统校验未发现问题，已予采用。")
    else:
        lines.append(f"您好！我们已收到贵单位报送的文件“{file}”{when}，该文件未能采用，原因：{reason.rstrip('。')}。"
                     "请在下发的模板中填报后重新发送。")
    if late and "逾期报送" not in core:
        lines += ["", f"另：本文件在报送截止日期（{late}）之后收到，已按逾期报送登记，请今后注意按时报送。"]
    if template:
        lines += ["", f"随本函附上贵单位{year}年度的填报模板“{template}”，请在其中填报后发回。"]
    if kind == "accepted" and totals:
        lines += ["", "本次采用的主要数据如下，请核对：", *totals,
                  "如与实际情况不符，请在原文件中修改后重新发送。" if core else
                  "如与实际情况不符，请在原文件中修改后重新发送，我们将以最新报送的文件为准。"]
    if kind == "rejected":
        lines += ["", f"请于{zh_date(deadline)}前将修改后的文件回复至{back}。" if deadline
                  else f"请尽快将修改后的文件回复至{back}。"]
    if attached:
        lines.append(f"以上校验意见另见附件“{attached}”。")
    if contact:
        lines.append(f"联系方式：{contact}")
    lines += ["如有疑问，请与我们联系。谢谢！", "", sign, zh_date(today), ""]
    return "\n".join(lines)


def _recipients(email_from: str, roster_email: str, unreadable: str = "") -> tuple[list[str], str]:
    """The submitter's address when usable, else the roster's: (addresses, where from). A
    sender collect recorded as unreadable (a From header decoding to control characters, e.g.
    CR LF + "Bcc: …") is never answered: the roster's address is, and the letter says why."""
    addr = parseaddr(email_from or "")[1]
    if unreadable:
        roster = [a for a in M.addresses(roster_email) if M.valid_address(a)]
        return roster, "roster-sender-unreadable" if roster else ""
    if M.valid_address(addr):
        return [addr], "sender"
    roster = [a for a in M.addresses(roster_email) if M.valid_address(a)]
    return roster, "roster" if roster else ""


def feedback_messages(folder, opts: Options, *, inbox=None, deadline: dt.date | None = None,
                      remind_missing: bool = False, log: M.SentLog | None = None,
                      when: dt.datetime | None = None) -> tuple[list[Reply], list[dict]]:
    """Every reply the consolidation calls for, built (no address: `to` empty, `reason` set),
    and the files no reply is about (unknown units), each with the reason."""
    out = read_output(folder)
    zone = timefmt.zone(str(out.manifest.get("tz") or "") or None)
    when = when or dt.datetime.now(dt.timezone.utc)
    today = when.astimezone(zone).date()
    box = inbox_folder(out, inbox)
    year = out.year
    # Who signs: --signature; else the office the clerk named for the consolidation (its --signature,
    # gaixl.toml); else the sender's display name (--from "青田县政务公开办 <…>"); else the office
    # derived from the roster's parent — never a file name.
    office = str(out.manifest.get("office") or "")
    named = office if out.manifest.get("office_given") else ""
    sign = opts.signature or named or opts.sender.display_name or office or "政府信息公开工作主管部门"
    late_day = str(out.manifest.get("deadline") or "")
    late_zh = timefmt.zh_date(dt.date.fromisoformat(late_day)) if late_day else ""
    earlier: dict = {}                             # unit code → its files before the one replied to
    for f in out.manifest.get("files", []):
        if f.get("state") == "superseded" and f.get("unit_code"):
            earlier.setdefault(f["unit_code"], []).append(f)
    back = (opts.reply_to or opts.sender).addr_spec
    replies: list[Reply] = []
    for u in out.manifest["units"]:
        code, name, status = str(u.get("code", "")), str(u.get("name", "")), u.get("status")
        if status in ("accepted", "rejected") and u.get("file"):
            e = out.file_entry(u["file"]) or {}
            side = sidecar(box, u["file"])
            to, source = _recipients(str(e.get("email_from") or side.get("from") or ""), str(u.get("email", "")),
                                     str(side.get("from_unreadable") or e.get("from_unreadable") or ""))
            fb = out.feedback_file(code, name)
            core = letter_core(fb.read_text(encoding="utf-8")) if fb else ""
            r = Reply(code=code, name=name, kind=status, to=to, key=f"{code}|{e.get('sha256', '')}", file=u["file"],
                      sha256=str(e.get("sha256", "")), feedback=str(fb) if fb else "", extra={"to_from": source})
            template = None
            if status == "rejected" and e.get("needs_template"):
                template = unit_template(out, code, name)
            text = _body(status, name, year, file=Path(u["file"]).name,
                         submitted=_when(e.get("submitted_at") or "", zone),
                         core=core, totals=totals_lines(out.data(code, name)) if status == "accepted" else [],
                         reason=str(e.get("reason") or ""), attached=fb.name if fb else "",
                         deadline=deadline, back=back, contact=opts.contact, sign=sign, today=today,
                         late=late_zh if e.get("late") else "", template=template[0] if template else "")
            if source == "roster-sender-unreadable":
                text += ("\n注：报送邮件的发件人信息无法识别（含有异常字符），本回复已发送至名单中登记的邮箱。\n"
                         "Note: the sender of the submitting message could not be read (it holds control "
                         "characters); this reply goes to the address on the roster.\n")
            mid_in = M.bare_message_id(str(e.get("message_id") or side.get("message_id") or ""))
            subject = _subject(status, year, name, str(side.get("subject") or ""), resubmitted=code in earlier,
                               template=bool(template))
            attachment = fb.read_bytes() if fb else b""
            if template:
                r.extra["template"] = template[0]
        elif status == "missing" and remind_missing:
            to = [a for a in M.addresses(str(u.get("email", ""))) if M.valid_address(a)]
            r = Reply(code=code, name=name, kind="reminder", to=to,
                      key=f"{code}|reminder|{deadline.isoformat() if deadline else ''}", extra={"to_from": "roster"})
            text = _body("reminder", name, year, file="", submitted="", core="", totals=[], reason="", attached="",
                         deadline=deadline, back=back, contact=opts.contact, sign=sign, today=today)
            mid_in, subject, attachment, template = "", _subject("reminder", year, name, ""), b"", None
        else:
            continue
        replies.append(r)
        if not r.to:
            r.reason, r.reason_en = "既没有报送人的邮箱，名单中也没有有效的电子邮箱", \
                "no sender address and no valid address in the roster"
            continue
        n = log.count(r.key) if log is not None else 0
        to_addrs = [M.address(name, a) for a in r.to]
        mid = M.message_id("feedback", r.key, attachment + text.encode("utf-8") +
                           "\x1f".join(r.to).encode("utf-8"), opts.sender.domain, n)
        m = M.new_message(subject=subject, sender_addr=opts.sender, to=to_addrs, msg_id=mid, when=when,
                          reply_to=opts.reply_to, in_reply_to=mid_in)
        M.set_body(m, text)
        if r.feedback:
            M.attach(m, M.attachment_part(attachment, Path(r.feedback).name, "text/plain", charset="utf-8"))
        if template:
            M.attach(m, M.attachment_part(template[1], template[0], M.XLSX_MIME))
        r.message, r.raw = m, M.finish(m)
    unmatched = [{"file": f.get("file", ""), "reason": "单位不在名单中，未回复", "reason_en": "unit not on the roster: no reply",
                  "email_from": f.get("email_from", "")}
                 for f in out.manifest["files"] if f.get("state") == "unknown-unit"]
    return replies, unmatched


def feedback(folder: str | Path, opts: Options, *, mailer: M.Mailer | None = None, out: str | Path | None = None,
             inbox: str | Path | None = None, deadline: dt.date | None = None, remind_missing: bool = False,
             resend: tuple[str, ...] | list[str] = (),
             progress: Callable[[int, int], None] | None = None, when: dt.datetime | None = None) -> Result:
    """Draft (mailer None) or send the replies of a consolidation output folder."""
    folder = Path(folder)
    with M.send_lock(folder / SENT_LOG, mailer is not None):
        log = M.SentLog(folder / SENT_LOG, "feedback")
        return _run(folder, opts, log, mailer=mailer, out=out, inbox=inbox, deadline=deadline,
                    remind_missing=remind_missing, resend=resend, progress=progress, when=when)


def _run(folder: Path, opts: Options, log: M.SentLog, *, mailer, out, inbox, deadline, remind_missing, resend,
         progress, when) -> Result:
    replies, unmatched = feedback_messages(folder, opts, inbox=inbox, deadline=deadline,
                                           remind_missing=remind_missing, log=log, when=when)
    drafts = Path(out) if out else folder / MAIL
    resend = set(resend)
    items: list[Item] = []
    for i, r in enumerate(replies):
        item = Item(code=r.code, name=r.name, status="", to=list(r.to), file=r.file, sha256=r.sha256,
                    reason=r.reason, reason_en=r.reason_en)
        item.kind = r.kind
        items.append(item)
        done = log.get(r.key)
        if not r.to:
            item.status = "no-address"
        elif done is not None and r.code not in resend:
            item.status, item.message_id, item.sent_at = "already-sent", done.get("message_id", ""), done.get("sent_at", "")
            when_to = (timefmt.zh_time(done.get("sent_at", "")) or done.get("sent_at", ""),
                       "、".join(done.get("to", [])), ", ".join(done.get("to", [])))
            if r.kind == "reminder":
                item.reason = f"已于{when_to[0]}向{when_to[1]}发送催报（如需再次催报请用 --resend）"
                item.reason_en = f"reminded on {when_to[0]} at {when_to[2]} (use --resend to remind again)"
            else:
                item.reason = f"已于{when_to[0]}发送至{when_to[1]}（针对同一报送文件，不再重复发送）"
                item.reason_en = f"sent on {when_to[0]} to {when_to[2]} (same submission: not sent again)"
        else:
            assert r.message is not None                  # every reply with an address has its message
            stem = unit_stem(r.code, r.name) + ("-催报" if r.kind == "reminder" else "")
            deliver(item, r.message, r.raw, key=r.key, log=log, mailer=mailer, draft=drafts / f"{stem}.eml",
                    envelope_from=opts.sender.addr_spec,
                    record={"code": r.code, "name": r.name, "kind": r.kind, "file": r.file, "sha256": r.sha256,
                            "in_reply_to": str(r.message["In-Reply-To"] or "")})
        if progress:
            progress(i + 1, len(replies))
    return Result(mode="send" if mailer is not None else "drafts", year=read_output(folder).year,
                  out="" if mailer is not None else str(drafts), log=str(log.path), items=items, unmatched=unmatched,
                  statuses=STATUSES)


__all__ = ["Output", "Reply", "read_output", "feedback_messages", "feedback", "totals_lines", "letter_core",
           "sidecar", "SENT_LOG"]

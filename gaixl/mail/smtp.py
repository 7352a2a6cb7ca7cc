"""Sending mail: the SMTP URL, one verified connection, MIME building blocks and the sent log.

    parse_smtp_url(url, insecure=False) -> SmtpUrl
    smtp_password(url, env=os.environ, interactive=None) -> str | None
    Mailer(url, password, cafile=None).send(msg) / as a context manager
    SentLog(path): .get(key), .record(key, entry) — written after every message sent
    attachment_part(data, filename, mime) / new_message() / message_id(...) / address(...)

URL forms: `smtps://user@host[:465]` (implicit TLS), `smtp://user@host[:587]` (STARTTLS, refused
when the server does not offer it), `smtp://…` with insecure=True: no encryption at all, meant
for a local relay. The user may be an address (`smtps://report@example.gov.cn@smtp.example.gov.cn`
or with `%40`). A password in the URL is refused: it would end up in shell history and logs; it
comes from $GAIXL_SMTP_PASSWORD or a hidden prompt. Certificates are always verified (a private
CA with `cafile`). Nothing here prints; nothing here ever puts the password in a message.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import smtplib
import socket
import ssl
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gaixl.atomic import ensure_dir, output_error, write_text
from gaixl.errors import MailError

PASSWORD_ENV = "GAIXL_SMTP_PASSWORD"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 60.0
# An address we are willing to put on an envelope: ASCII (no SMTPUTF8 needed), one @, a dot in
# the domain or an IP literal. Anything else in a roster is listed, not guessed at.
_ADDR = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|\[[0-9.:A-Fa-f]+\])$")


class SendRefused(MailError):
    """The server refused one message (a recipient, the sender or the data): that unit fails,
    the others go on."""


# ---------------------------------------------------------------- policy
class _Policy(EmailPolicy):
    """The SMTP policy (CRLF, 78-column folding), except that a header stored with
    `Message.set_raw` is written exactly as given. The attachment's Content-Type needs that: its
    `name="=?utf-8?b?…?="` (RFC 2047, for old clients) would otherwise be re-encoded as RFC 2231,
    which is what those clients cannot read."""

    def fold(self, name, value):
        if not hasattr(value, "name"):          # a raw str from set_raw (header objects have .name)
            return name + ": " + self.linesep.join(value.splitlines()) + self.linesep
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if not hasattr(value, "name"):
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n")


# ---------------------------------------------------------------- URL and password
@dataclass(frozen=True)
class SmtpUrl:
    url: str            # as given (never holds a password: refused in the URL)
    security: str       # "tls" (implicit), "starttls" or "plain"
    host: str
    port: int
    user: str           # "" = no AUTH

    @property
    def where(self) -> str:
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


def parse_smtp_url(url: str, insecure: bool = False) -> SmtpUrl:
    try:
        s = urlsplit(url.strip())
        port = s.port
    except ValueError as e:
        raise MailError(f"not a valid SMTP URL ({e})", where=url, zh="SMTP地址格式有误（端口无效）") from None
    scheme = s.scheme.lower()
    if scheme not in ("smtp", "smtps") or not s.hostname:
        raise MailError("not an SMTP URL: expected smtps://user@host[:465] or smtp://user@host[:587]", where=url,
                        zh="不是有效的SMTP地址，应为 smtps://用户名@服务器[:465] 或 smtp://用户名@服务器[:587]")
    if s.password is not None:
        raise MailError(f"do not put the password in the URL (it would be kept in shell history and logs); "
                        f"set the environment variable {PASSWORD_ENV}", where=s.hostname,
                        zh=f"请勿在SMTP地址中写入密码（会留在命令历史和日志中），请通过环境变量 {PASSWORD_ENV} 提供")
    if s.path not in ("", "/") or s.query or s.fragment:
        raise MailError("an SMTP URL has no path or query", where=url, zh="SMTP地址不应包含路径或查询参数")
    if scheme == "smtps":
        security, default = "tls", 465
    else:
        security, default = ("plain", 25) if insecure else ("starttls", 587)
    user = unquote(s.username or "")
    return SmtpUrl(url=url, security=security, host=s.hostname, port=port or default, user=user)


def smtp_password(url: SmtpUrl, env=None, interactive: bool | None = None) -> str | None:
    """The password for url.user: $GAIXL_SMTP_PASSWORD, else a hidden prompt when stdin is a
    terminal; None when the URL has no user (no AUTH)."""
    if not url.user:
        return None
    env = os.environ if env is None else env
    pw = env.get(PASSWORD_ENV)
    if pw:
        return pw
    if interactive is None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        import getpass
        pw = getpass.getpass(f"SMTP password for {url.user} ({url.host}): ")
        if pw:
            return pw
    raise MailError(f"no password for {url.user}: set the environment variable {PASSWORD_ENV}", where=url.where,
                    zh=f"未提供用户{url.user}的密码：请设置环境变量 {PASSWORD_ENV}")


# ---------------------------------------------------------------- addresses
def addresses(text: str) -> list[str]:
    """A roster cell → its addresses ("a@x; b@y", full-width separators too); empty → []."""
    parts = re.split(r"[;,；，、\s]+", (text or "").strip())
    return [parseaddr(p)[1] or p for p in parts if p]


def valid_address(addr: str) -> bool:
    return bool(_ADDR.match(addr or ""))


def sender(text: str, where: str = "--from") -> Address:
    """'报表组 <a@b.cn>' or 'a@b.cn' → Address; a bad address is a MailError."""
    name, addr = parseaddr(text or "")
    if not valid_address(addr):
        raise MailError(f"not a usable sender address: {text!r}", where=where,
                        zh=f"发件人地址无效：“{text}”")
    user, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=user, domain=domain)


def address(name: str, addr: str) -> Address:
    user, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=user, domain=domain)


def bare_message_id(value: str) -> str:
    """'<x@y>' from 'x@y', '<x@y>' or ' <x@y> '; '' when empty."""
    v = (value or "").strip()
    if not v:
        return ""
    return v if v.startswith("<") and v.endswith(">") else f"<{v.strip('<>')}>"


# ---------------------------------------------------------------- building messages
def message_id(kind: str, key: str, content: bytes, domain: str, n: int = 0) -> str:
    """A Message-ID that is a function of what is sent: kind, unit, the attachment and body,
    and how many times that unit was mailed before (n). The same draft is the same message; a
    deliberate re-send (n+1) is a new one, so no server drops it as a duplicate."""
    h = hashlib.sha256("\x1f".join([kind, key, str(n)]).encode("utf-8") + b"\x1f" + content).hexdigest()
    # Short enough to stay on the header's own line for usual domains (96 bits of the digest).
    return f"<gaixl.{kind[:1]}.{h[:24]}@{domain or 'gaixl.invalid'}>"


def new_message(*, subject: str, sender_addr: Address, to: list[Address], msg_id: str, when: dt.datetime,
                reply_to: Address | None = None, in_reply_to: str = "") -> EmailMessage:
    m = EmailMessage(policy=POLICY)
    m["Subject"] = subject
    m["From"] = sender_addr
    m["To"] = to
    if reply_to is not None and reply_to.addr_spec != sender_addr.addr_spec:
        m["Reply-To"] = reply_to
    m["Date"] = format_datetime(when.astimezone())       # the sender's local time, with its offset
    m["Message-ID"] = msg_id
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = in_reply_to
    m["X-Mailer"] = "gaixl"
    return m


def set_body(m: EmailMessage, text: str) -> None:
    # base64: Chinese text is shorter than in quoted-printable, and the message stays 7-bit
    # (no 8BITMIME needed), so it goes through any relay unchanged.
    m.set_content(text, charset="utf-8", cte="base64")


def _encoded_words(name: str) -> list[str]:
    """RFC 2047 encoded words for `name`, each ≤ 75 characters, split between characters."""
    words, chunk = [], b""
    for ch in name:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > 45:
            words.append(chunk)
            chunk = b""
        chunk += b
    if chunk:
        words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]


def attachment_part(data: bytes, filename: str, mime: str, charset: str | None = None) -> MIMEPart:
    """An attachment whose Chinese file name every client shows: RFC 2231 `filename*` on
    Content-Disposition (the standard, written by the email package) and an RFC 2047 `name=` on
    Content-Type (what Outlook 2003-era and some webmail clients read), as Thunderbird does.
    The bytes travel base64-encoded: what arrives is byte for byte what was attached."""
    maintype, subtype = mime.split("/", 1)
    part = MIMEPart(policy=POLICY)
    part.set_content(data, maintype=maintype, subtype=subtype, disposition="attachment", filename=filename,
                     cte="base64")
    del part["MIME-Version"]
    lines = [f"{maintype}/{subtype};"]
    if charset:
        lines.append(f' charset="{charset}";')
    if filename.isascii() and '"' not in filename and "\\" not in filename:
        lines.append(f' name="{filename}"')
    else:
        words = _encoded_words(filename)
        lines.append(' name="' + words[0])
        lines += [" " + w for w in words[1:]]
        lines[-1] += '"'
    del part["Content-Type"]
    part.set_raw("Content-Type", "\n".join(lines))
    return part


def attach(m: EmailMessage, part: MIMEPart) -> None:
    if not m.is_multipart():
        m.make_mixed()
    m.attach(part)


def finish(m: EmailMessage) -> bytes:
    """The message's bytes, with a boundary derived from its Message-ID so that a draft written
    twice is written the same."""
    if m.is_multipart():
        h = hashlib.sha256(str(m["Message-ID"]).encode("utf-8")).hexdigest()[:24]
        m.set_boundary(f"=_gaixl_{h}")
    return m.as_bytes(policy=POLICY)


def envelope_recipients(m: EmailMessage) -> list[str]:
    return [a.addr_spec for h in ("To", "Cc") for a in (m[h].addresses if m[h] is not None else ())]


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- sending
class Mailer:
    """One SMTP session for a run: connect (TLS verified), log in, send raw messages.

    A server that drops the connection mid-run (many close after N messages or idle time) is
    reconnected once per message. A refused message raises SendRefused; a failed connection or
    login raises MailError and is remembered, so a run does not hammer a server (and lock an
    account) by logging in again for every remaining unit."""

    def __init__(self, url: SmtpUrl, password: str | None = None, *, cafile: str | Path | None = None,
                 timeout: float = TIMEOUT, local_hostname: str | None = None):
        if url.user and not password:
            raise MailError(f"no password for {url.user}: set the environment variable {PASSWORD_ENV}",
                            where=url.where, zh=f"未提供用户{url.user}的密码：请设置环境变量 {PASSWORD_ENV}")
        self.url = url
        self._password = password
        self.cafile = str(cafile) if cafile else None
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        self._broken: MailError | None = None

    def __repr__(self) -> str:                   # never the password
        return f"Mailer({self.url.where})"

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.cafile)
        except (OSError, ssl.SSLError) as e:
            raise MailError(f"cannot load the CA file ({e})", where=self.cafile or "",
                            zh="无法读取CA证书文件（--cafile）") from None

    def connect(self) -> None:
        if self._smtp is not None:
            return
        if self._broken is not None:
            raise self._broken
        try:
            self._smtp = self._open()
        except MailError as e:
            self._broken = e
            raise

    def _open(self) -> smtplib.SMTP:
        u, where = self.url, self.url.where
        smtp = None
        try:
            if u.security == "tls":
                smtp = smtplib.SMTP_SSL(u.host, u.port, timeout=self.timeout, context=self._context(),
                                        local_hostname=self.local_hostname)
            else:
                smtp = smtplib.SMTP(u.host, u.port, timeout=self.timeout, local_hostname=self.local_hostname)
            smtp.ehlo()
            if u.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError("the server does not offer STARTTLS: refusing to send unencrypted "
                                    "(use smtps:// for implicit TLS, or --insecure for a local server)", where=where,
                                    zh="服务器不支持STARTTLS加密，已拒绝以明文发送"
                                       "（可改用 smtps:// 加密连接；本机测试服务器可加 --insecure）")
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if u.user:
                if not smtp.has_extn("auth"):
                    raise MailError("the server offers no login (AUTH) on this connection", where=where,
                                    zh="服务器在此连接上不提供登录认证（AUTH）")
                self._login(smtp)
            return smtp
        except MailError:
            _quit(smtp)
            raise
        except smtplib.SMTPAuthenticationError as e:
            _quit(smtp)
            raise MailError(f"login refused for {u.user}: {_reply(e)}", where=where,
                            zh=f"登录被拒绝（用户{u.user}）：用户名或密码（授权码）不正确。服务器答复：{_reply(e)}") from None
        except ssl.SSLCertVerificationError as e:
            _quit(smtp)
            raise MailError(f"the server's certificate is not trusted ({e.verify_message}); "
                            "give the CA with --cafile if it is a private one", where=where,
                            zh=f"服务器证书未通过验证（{e.verify_message}）；如使用内部CA签发的证书，请用 --cafile 指定") from None
        except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
            _quit(smtp)
            detail = _reply(e) if isinstance(e, smtplib.SMTPResponseException) else (str(e) or type(e).__name__)
            raise MailError(f"cannot connect to the mail server: {detail}", where=where,
                            zh=f"无法连接邮件服务器：{detail}") from None

    def _login(self, smtp: smtplib.SMTP) -> None:
        user, pw = self.url.user, self._password or ""
        if user.isascii() and pw.isascii():
            smtp.login(user, pw)
            return
        # smtplib encodes credentials as ASCII; RFC 4616 AUTH PLAIN carries UTF-8, so a Chinese
        # password (or user name) is sent that way by hand.
        if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
            raise MailError("a non-ASCII password needs AUTH PLAIN, which the server does not offer",
                            where=self.url.where, zh="密码含非ASCII字符，需要服务器支持AUTH PLAIN认证，但该服务器不支持")
        token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + pw.encode("utf-8")).decode("ascii")
        code, resp = smtp.docmd("AUTH", "PLAIN " + token)
        if code == 334:                       # a server that wants the response on its own line
            code, resp = smtp.docmd(token)
        if code not in (235, 503):
            raise smtplib.SMTPAuthenticationError(code, resp)

    def send(self, raw: bytes, envelope_from: str, to: list[str]) -> dict:
        """Send one message as it is (bytes). Returns {refused address: reply} for recipients
        refused while others were accepted; raises SendRefused when nothing was delivered."""
        for attempt in (0, 1):
            self.connect()
            try:
                refused = self._smtp.sendmail(envelope_from, to, raw)
                return {a: _reply_of(c, m) for a, (c, m) in refused.items()}
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt:
                    raise MailError("the mail server closed the connection", where=self.url.where,
                                    zh="邮件服务器断开了连接") from None
            except smtplib.SMTPRecipientsRefused as e:
                self._reset()
                detail = "; ".join(f"{a}: {_reply_of(c, m)}" for a, (c, m) in e.recipients.items())
                raise SendRefused(f"recipient refused: {detail}", where=self.url.where,
                                  zh=f"收件人被服务器拒绝：{detail}") from None
            except smtplib.SMTPSenderRefused as e:
                self._reset()
                raise SendRefused(f"sender {envelope_from} refused: {_reply(e)}", where=self.url.where,
                                  zh=f"发件人{envelope_from}被服务器拒绝：{_reply(e)}") from None
            except smtplib.SMTPResponseException as e:
                self._reset()
                raise SendRefused(f"message refused: {_reply(e)}", where=self.url.where,
                                  zh=f"邮件被服务器拒收：{_reply(e)}") from None
            except (smtplib.SMTPException, OSError) as e:
                self._smtp = None
                if attempt:
                    raise MailError(f"sending failed: {e}", where=self.url.where, zh=f"发送失败：{e}") from None
        raise AssertionError("unreachable")

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError, AttributeError):
            self._smtp = None

    def close(self) -> None:
        _quit(self._smtp)
        self._smtp = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _quit(smtp) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        try:
            smtp.close()
        except OSError:
            pass


def _reply_of(code, msg) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{code} {text}".strip()


def _reply(e) -> str:
    return _reply_of(getattr(e, "smtp_code", ""), getattr(e, "smtp_error", b""))


# ---------------------------------------------------------------- the sent log
class SentLog:
    """What was sent, by key (a unit, or a unit + the file replied to): {to, message_id, sent_at,
    sha256, …}. Rewritten atomically after every message, so a run cut short (a crash, Ctrl-C,
    a lost connection) never mails those units again. The only window left is between the
    server accepting a message and this write — milliseconds, documented rather than hidden."""

    VERSION = 1

    def __init__(self, path: str | Path, kind: str):
        self.path = Path(path)
        self.kind = kind
        self.sent: dict[str, dict] = {}
        if self.path.exists():
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(doc, dict) or not isinstance(doc.get("sent"), dict):
                    raise ValueError("no 'sent' object")
            except (OSError, ValueError) as e:
                # Refuse rather than start afresh: an unreadable log would mean mailing everyone again.
                raise MailError(f"the sent log cannot be read ({e}); move it aside only if nothing was sent",
                                where=str(self.path),
                                zh="已发送记录文件无法读取；为避免重复发送，已停止。确认此前未发送任何邮件后方可移走该文件") from None
            self.sent = doc["sent"]

    def get(self, key: str) -> dict | None:
        return self.sent.get(key)

    def count(self, prefix: str) -> int:
        """How many times anything under `prefix` (a unit) was recorded, resends included."""
        return sum(1 + len(v.get("earlier", [])) for k, v in self.sent.items() if k == prefix or
                   k.startswith(prefix + "|"))

    def record(self, key: str, entry: dict) -> None:
        old = self.sent.get(key)
        if old is not None:
            entry = {**entry, "earlier": old.get("earlier", []) + [{k: v for k, v in old.items() if k != "earlier"}]}
        self.sent[key] = entry
        doc = {"version": self.VERSION, "kind": self.kind, "sent": self.sent}
        write_text(self.path, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


@contextmanager
def send_lock(log_path: str | Path, active: bool = True):
    """Hold `<sent log>.lock` while sending, so two runs on one folder cannot both mail a unit
    (taken before the log is read). An OS lock (flock): a crashed run leaves nothing to clean
    up. Where flock does not exist (Windows), runs are not guarded."""
    try:
        import fcntl
    except ImportError:                         # pragma: no cover - Windows
        fcntl = None
    if not active or fcntl is None:
        yield
        return
    log_path = Path(log_path)
    path = log_path.with_name(log_path.name + ".lock")
    ensure_dir(path.parent)
    try:
        fh = open(path, "a+b")
    except OSError as e:
        raise output_error(path, e) from None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise MailError("another gaixl run is sending from this folder; wait for it to finish",
                            where=str(log_path), zh="另一个gaixl进程正在从该文件夹发送邮件，请等其结束后再运行") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def host_of(addr: str) -> str:
    return addr.rsplit("@", 1)[1] if "@" in addr else socket.getfqdn()


__all__ = ["MailError", "SendRefused", "SmtpUrl", "parse_smtp_url", "smtp_password", "Mailer", "SentLog", "POLICY",
           "XLSX_MIME", "PASSWORD_ENV", "addresses", "valid_address", "sender", "address", "message_id",
           "new_message", "set_body", "attachment_part", "attach", "finish", "envelope_recipients",
           "bare_message_id", "utc_now", "send_lock"]

"""Where messages come from: mbox, Maildir, a folder of .eml/.msg files, or an IMAP mailbox.

Every source yields `Incoming` items (the raw message bytes or an already parsed message, plus
IMAP's UIDVALIDITY/UID) and never changes the mailbox: files are only read; IMAP folders are
opened read-only (EXAMINE) and bodies fetched with BODY.PEEK, unless the caller asks to mark
messages as seen.
"""
from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import imaplib
import ipaddress
import mailbox
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from gaixl.errors import InputError, UsageError, os_reason_zh
from gaixl.mail.collect.parts import parse_message

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass
class Incoming:
    label: str                                  # where, for messages: "mbox:12", "imap uid 5", a path
    raw: bytes | None = None
    parsed: email.message.Message | None = None
    uid: int | None = None
    uidvalidity: int | None = None
    internal_date: str | None = None            # IMAP INTERNALDATE, ISO (a fallback for Date)
    error: str = ""                             # set when the message could not be read at all


class FileSource:
    """mbox, Maildir or a folder (or one file) of .eml/.msg messages."""

    def __init__(self, kind: str, path: Path):
        self.kind, self.path = kind, Path(path)
        self.id = str(self.path.resolve())
        if not self.path.exists():
            raise InputError("no such file or folder", where=str(path), zh="文件或文件夹不存在")
        if kind == "mbox" and not self.path.is_file():
            raise InputError("not an mbox file", where=str(path), zh="不是 mbox 邮箱文件")
        if kind == "maildir" and not (self.path / "cur").is_dir() and not (self.path / "new").is_dir():
            raise InputError("not a Maildir (no cur/ or new/ folder)", where=str(path),
                             zh="不是 Maildir 邮箱（缺少 cur/ 或 new/ 文件夹）")

    def items(self) -> list:
        """The messages' keys, listed before reading so the progress bar knows the total."""
        try:
            if self.kind == "mbox":
                self._box: mailbox.Mailbox = mailbox.mbox(str(self.path), create=False)
                return list(self._box.keys())
            if self.kind == "maildir":
                self._box = mailbox.Maildir(str(self.path), factory=None, create=False)
                return sorted(self._box.keys(), key=self._maildir_order)
        except (OSError, mailbox.Error) as e:
            raise InputError(f"cannot read the mailbox: {e}", where=str(self.path),
                             zh=f"无法读取邮箱：{os_reason_zh(e) if isinstance(e, OSError) else e}") from e
        if self.path.is_file():
            return [self.path]
        return sorted(p for p in self.path.rglob("*")
                      if p.is_file() and p.suffix.lower() in (".eml", ".msg") and not p.name.startswith("."))

    def _maildir_order(self, key: str):
        try:
            return (self._box._toc[key].split("/")[-1], key)  # type: ignore[attr-defined]   # names start with the delivery time
        except (AttributeError, KeyError):
            return ("", key)

    def read(self, key) -> Incoming:
        if self.kind in ("mbox", "maildir"):
            label = f"{self.path}#{key}"
            try:
                return Incoming(label, raw=self._box.get_bytes(key))
            except (OSError, KeyError, mailbox.Error) as e:
                return Incoming(label, error=str(e))
        p = Path(key)
        try:
            if p.suffix.lower() == ".msg":
                return Incoming(str(p), raw=p.read_bytes(), parsed=msg_to_email(p))
            return Incoming(str(p), raw=p.read_bytes())
        except OSError as e:
            return Incoming(str(p), error=os_reason_zh(e))
        except Exception as e:  # noqa: BLE001 — extract-msg raises many kinds on broken files
            return Incoming(str(p), error=f"{type(e).__name__}: {e}")

    def close(self) -> None:
        box = getattr(self, "_box", None)
        if box is not None:
            box.close()


def msg_to_email(path: Path) -> email.message.Message:
    """An Outlook .msg file as a MIME message (headers + attachments, embedded .msg included).

    A received message keeps its transport headers; a saved draft or sent item has none, and
    extract-msg's stand-in headers lack the subject and the sender's address: those are taken
    from the MAPI properties here."""
    import email.utils

    import extract_msg

    m: Any = extract_msg.openMsg(str(path))           # MSGFile or a subclass: extract-msg's types are loose
    try:
        mime = m.asEmailMessage()
        if not str(mime.get("Subject") or "").strip() and m.subject:
            del mime["Subject"]
            mime["Subject"] = m.subject.strip("\0")
        if "@" not in str(mime.get("From") or ""):
            address = next((a for a in (_msg_string(m, "5D01"), _msg_string(m, "0C1F"), _msg_string(m, "0065"))
                            if "@" in a), "")
            if address:
                name = _msg_string(m, "0C1A") or _msg_string(m, "0042")
                del mime["From"]
                mime["From"] = email.utils.formataddr((name, address))
        if not mime.get("Date") and isinstance(m.date, dt.datetime):
            mime["Date"] = email.utils.format_datetime(m.date)
        if not mime.get("Message-ID") and m.messageId:
            mime["Message-ID"] = m.messageId
        raw = mime.as_bytes(policy=email.policy.SMTP)
    finally:
        m.close()
    return parse_message(raw)


def _msg_string(m, prop: str) -> str:
    try:
        value = m.getStringStream(f"__substg1.0_{prop}")
    except Exception:  # noqa: BLE001 — a missing or odd property is just absent
        return ""
    return str(value or "").strip("\0").strip()


# ---------------------------------------------------------------- IMAP
@dataclass
class ImapTarget:
    secure: str            # "tls" (imaps), "starttls" or "plain"
    host: str
    port: int
    user: str
    folder: str

    @property
    def id(self) -> str:
        """The source as recorded in sidecars and state: never a password."""
        scheme = "imaps" if self.secure == "tls" else "imap"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{self.user}@{host}:{self.port}/{self.folder}"


def parse_imap_url(url: str, folder: str | None, insecure: bool) -> ImapTarget:
    try:
        u = urlsplit(url)
        port = u.port
    except ValueError as e:
        raise UsageError(f"not an IMAP URL: {e}", where=url, zh="IMAP 地址格式不正确") from None
    if u.scheme not in ("imap", "imaps") or not u.hostname:
        raise UsageError("the IMAP URL must be imaps://user@host[:993] or imap://user@host[:143]", where=url,
                         zh="IMAP 地址应为 imaps://用户名@服务器[:993] 或 imap://用户名@服务器[:143]")
    if u.password is not None:
        shown = url.replace(f":{u.password}@", ":***@")
        raise UsageError("do not put the password in the URL: use GAIXL_IMAP_PASSWORD or the prompt", where=shown,
                         zh="请勿在地址中写密码：请使用环境变量 GAIXL_IMAP_PASSWORD 或按提示输入")
    if not u.username:
        raise UsageError("the IMAP URL needs a user: imaps://user@host", where=url,
                         zh="IMAP 地址缺少用户名：imaps://用户名@服务器")
    path_folder = unquote(u.path.lstrip("/"))
    folder = folder or path_folder or "INBOX"
    if u.scheme == "imaps":
        if insecure:
            raise UsageError("--insecure is only for imap:// (plain) connections to a local server", where=url,
                             zh="--insecure 仅用于连接本机服务器的 imap://（不加密）地址")
        return ImapTarget("tls", u.hostname, port or 993, unquote(u.username), folder)
    if insecure and not _is_local(u.hostname):
        raise UsageError("--insecure (no encryption) is allowed only for a server on this computer", where=url,
                         zh="--insecure（不加密）只允许用于本机服务器")
    return ImapTarget("plain" if insecure else "starttls", u.hostname, port or 143, unquote(u.username), folder)


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): 已发送 → &XfJT0ZAB-."""
    import base64
    out: list[str] = []
    buf: list[str] = []

    def flush():
        if buf:
            b = base64.b64encode("".join(buf).encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append(f"&{b}-")
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_INTERNAL = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapSource:
    def __init__(self, target: ImapTarget, password: str, *, cafile: Path | None = None,
                 since: dt.date | None = None, mark_seen: bool = False, timeout: float = 60,
                 max_message: int = 0):
        self.t, self.id = target, target.id
        self.since, self.mark_seen, self.max_message = since, mark_seen, max_message
        self.conn = self._connect(password, cafile, timeout)
        self.uidvalidity = self._select()

    def _fail(self, en: str, zh: str) -> InputError:
        return InputError(en, where=self.id, zh=zh)

    def _connect(self, password: str, cafile: Path | None, timeout: float) -> imaplib.IMAP4:
        t = self.t
        ctx = None
        if t.secure != "plain":
            try:
                ctx = ssl.create_default_context(cafile=str(cafile) if cafile else None)
            except (OSError, ssl.SSLError) as e:
                raise InputError(f"cannot read the CA file: {e}", where=str(cafile),
                                 zh="无法读取证书文件（--cafile）") from None
        try:
            conn: imaplib.IMAP4
            if t.secure == "tls":
                conn = imaplib.IMAP4_SSL(t.host, t.port, ssl_context=ctx, timeout=timeout)
            else:
                conn = imaplib.IMAP4(t.host, t.port, timeout=timeout)
                if t.secure == "starttls":
                    if "STARTTLS" not in conn.capabilities:
                        conn.shutdown()
                        raise self._fail("the server does not offer STARTTLS: use imaps:// (port 993)",
                                         "服务器不支持 STARTTLS 加密：请改用 imaps://（端口 993）")
                    conn.starttls(ssl_context=ctx)
        except ssl.SSLCertVerificationError as e:
            raise self._fail(f"the server's certificate is not trusted ({e.verify_message}); "
                             "a private CA can be given with --cafile",
                             f"服务器证书未通过验证（{e.verify_message}）；如使用自签名证书，请用 --cafile 指定") from None
        except (ssl.SSLError, imaplib.IMAP4.error) as e:
            raise self._fail(f"TLS/IMAP handshake failed: {e}", f"加密连接或 IMAP 握手失败：{e}") from None
        except (OSError, socket.timeout) as e:
            raise self._fail(f"cannot connect: {e.strerror or e}", f"无法连接服务器：{os_reason_zh(e)}") from None
        try:
            if password.isascii():
                conn.login(t.user, password)
            else:
                token = b"\0" + t.user.encode() + b"\0" + password.encode()
                conn.authenticate("PLAIN", lambda _: token)
        except (imaplib.IMAP4.error, OSError):
            # The server's reply is not repeated: it could echo what was sent.
            self._close(conn)
            raise self._fail("login failed: check the user name and the password",
                             "登录失败：请检查用户名和密码（邮箱可能需要使用授权码）") from None
        self._send_id(conn)
        return conn

    @staticmethod
    def _send_id(conn: imaplib.IMAP4) -> None:
        """NetEase (163/126) refuses SELECT from clients that do not identify (RFC 2971 ID)."""
        if "ID" not in conn.capabilities:
            return
        imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))
        try:
            conn._simple_command("ID", '("name" "gaixl" "vendor" "gaixl")')
        except (imaplib.IMAP4.error, OSError):
            pass

    def _select(self) -> int:
        typ, _ = self.conn.select(_quote(imap_utf7(self.t.folder)), readonly=not self.mark_seen)
        if typ != "OK":
            self.close()
            raise self._fail(f"cannot open folder {self.t.folder}", f"无法打开邮件夹“{self.t.folder}”")
        _, v = self.conn.response("UIDVALIDITY")
        try:
            return int(v[0])
        except (TypeError, ValueError, IndexError):
            return 0

    def items(self) -> list[int]:
        criteria = ["ALL"]
        if self.since:
            criteria = ["SINCE", self.since.strftime("%d-%b-%Y")]
        typ, data = self.conn.uid("SEARCH", *criteria)
        if typ != "OK":
            raise self._fail("SEARCH failed", "邮件检索失败")
        return sorted(int(x) for x in (data[0] or b"").split())

    def read(self, uid: int) -> Incoming:
        label = f"{self.id} UID {uid}"
        try:
            if self.max_message:
                _, data = self.conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
                m = _SIZE.search(data[0] if data and isinstance(data[0], bytes) else b"")
                if m and int(m.group(1)) > self.max_message:
                    return Incoming(label, uid=uid, uidvalidity=self.uidvalidity,
                                    error=f"too-large:{int(m.group(1))}")
            _, data = self.conn.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
        except (imaplib.IMAP4.error, OSError) as e:
            raise self._fail(f"connection lost: {e}", f"连接中断：{e}") from None
        raw, internal = None, None
        for item in data or []:
            if isinstance(item, tuple) and len(item) == 2:
                raw = item[1]
                m = _INTERNAL.search(item[0])
                if m:
                    try:
                        internal = dt.datetime.strptime(m.group(1).decode(), "%d-%b-%Y %H:%M:%S %z").isoformat()
                    except ValueError:
                        internal = None
        if raw is None:
            return Incoming(label, uid=uid, uidvalidity=self.uidvalidity, error="no body")
        return Incoming(label, raw=raw, uid=uid, uidvalidity=self.uidvalidity, internal_date=internal)

    def done(self, uid: int) -> None:
        """After the message is saved and recorded: flag it \\Seen only when asked to."""
        if self.mark_seen:
            try:
                self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
            except (imaplib.IMAP4.error, OSError) as e:
                raise self._fail(f"cannot mark as seen: {e}", f"无法标记为已读：{e}") from None

    @staticmethod
    def _close(conn) -> None:
        try:
            conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass

    def close(self) -> None:
        # LOGOUT only: CLOSE would expunge messages that someone else flagged \\Deleted.
        self._close(self.conn)


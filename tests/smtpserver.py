"""Real SMTP servers (aiosmtpd) on 127.0.0.1 for the distribute and feedback tests.

    with smtp_server() as s:                     plain (no TLS, no AUTH): smtp://127.0.0.1:PORT + --insecure
    with smtp_server(tls="starttls", auth=True, cert=c) as s:   STARTTLS required, AUTH required
    with smtp_server(tls="implicit", auth=True, cert=c) as s:   implicit TLS (smtps://)

Each server listens on a free port; its handler keeps every message as it arrived (envelope
sender, recipients, the raw bytes), refuses the recipients in `refuse` with 550, and records
every login attempt (user, whether the password was right). `self_signed_cert(folder)` makes a
certificate for 127.0.0.1/localhost with the openssl command line tool; clients trust it with
--cafile. Import: `from smtpserver import smtp_server, self_signed_cert, USER, PASSWORD`.
"""
from __future__ import annotations

import email
import socket
import ssl
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from needs import uses

USER = "sender@jinyun.example.gov.cn"
PASSWORD = "Pa55-授权码-s3cret"       # non-ASCII on purpose: it must reach the server and nowhere else


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for 127.0.0.1 and localhost, made by `openssl req -x509`."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True)
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)


@dataclass
class Handler:
    refuse: set = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content if envelope.original_content is not None else envelope.content
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data)))
        return "250 2.0.0 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        user = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data.login, bytes) else auth_data.login
        pw = auth_data.password.decode("utf-8", "replace") if isinstance(auth_data.password, bytes) \
            else auth_data.password
        ok = user == USER and pw == PASSWORD
        self.logins.append((user, ok))
        return AuthResult(success=ok, handled=False)   # handled=True (the default) sends no reply


@dataclass
class Server:
    host: str
    port: int
    tls: str               # "none", "starttls" or "implicit"
    handler: Handler
    cafile: Path | None

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def url(self, user: str | None = USER) -> str:
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        who = f"{user.replace('@', '%40')}@" if user else ""
        return f"{scheme}://{who}{self.host}:{self.port}"


class _TLSController(Controller):
    """Implicit TLS: aiosmtpd wraps the listening socket; its readiness probe must trust our cert."""

    def __init__(self, *a, cafile: Path, **kw):
        super().__init__(*a, **kw)
        self._cafile = cafile

    def _trigger_server(self):
        ctx = ssl.create_default_context(cafile=str(self._cafile))
        with socket.create_connection((self.hostname, self.port), 1.0) as s, \
                ctx.wrap_socket(s, server_hostname=self.hostname) as t:
            t.recv(1024)


@contextmanager
def smtp_server(*, tls: str = "none", auth: bool = False, cert: tuple[Path, Path] | None = None,
                refuse=()):
    uses("mail", "an SMTP server on 127.0.0.1")
    handler = Handler(refuse=set(refuse))
    kw: dict = {}
    ctx = None
    if tls != "none":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    if tls == "starttls":
        kw.update(tls_context=ctx, require_starttls=True)
    if auth:
        kw.update(authenticator=handler.authenticate, auth_required=True, auth_require_tls=tls == "starttls")   # implicit TLS: aiosmtpd only counts STARTTLS as TLS
    port = free_port()
    if tls == "implicit":
        controller = _TLSController(handler, hostname="127.0.0.1", port=port, ssl_context=ctx, cafile=cert[0], **kw)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kw)
    controller.start()
    try:
        yield Server("127.0.0.1", port, tls, handler, cert[0] if cert else None)
    finally:
        controller.stop()

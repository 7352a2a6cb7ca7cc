"""A private Dovecot IMAP server on 127.0.0.1 for the collect tests.

`dovecot_server` (a session fixture) starts Debian's Dovecot in the foreground with a generated
configuration in a temporary folder: STARTTLS on one free port, implicit TLS on another, a
self-signed certificate generated here, one test user in a passwd-file and a Maildir in the
temporary folder. No systemd, no system configuration is touched. When Dovecot is not installed
the tests skip — except under CI=true, where that is a failure (as for LibreOffice in conftest).

Import it in a test module with `from imapserver import dovecot_server  # noqa: F401`.
"""
from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "gaixltest"
PASSWORD = "s3cret-Pa55-word-7Qz"   # distinctive: the tests grep every output for it


from needs import require  # noqa: E402


def find_dovecot() -> str | None:
    exe = shutil.which("dovecot") or (DOVECOT if os.path.exists(DOVECOT) else None)
    return exe


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ImapServer:
    root: Path
    host: str
    starttls_port: int
    tls_port: int
    user: str
    password: str
    cafile: Path
    maildir: Path
    log: Path

    def connect(self) -> imaplib.IMAP4_SSL:
        ctx = ssl.create_default_context(cafile=str(self.cafile))
        conn = imaplib.IMAP4_SSL(self.host, self.tls_port, ssl_context=ctx)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "", when=None) -> None:
        """Seed mail the way a client would: IMAP APPEND (no \\Seen flag: the mail is new).
        `when` (a datetime) sets the arrival date (INTERNALDATE)."""
        conn = self.connect()
        try:
            name = _mailbox(folder)
            if folder != "INBOX":
                conn.create(name)      # NO when it exists already: fine
            typ, data = conn.append(name, flags or None, imaplib.Time2Internaldate(when) if when else None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def clear(self, folder: str = "INBOX") -> None:
        """Delete every message of a folder (test setup only)."""
        conn = self.connect()
        try:
            typ, _ = conn.select(_mailbox(folder))
            if typ != "OK":
                return
            if _count(conn):
                conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """The flags of every message in the folder (readonly EXAMINE: looking changes nothing)."""
        conn = self.connect()
        try:
            conn.select(_mailbox(folder), readonly=True)
            if not _count(conn):
                return []
            typ, data = conn.fetch("1:*", "(FLAGS)")
            return [d.decode() if isinstance(d, bytes) else d[0].decode() for d in data if d]
        finally:
            conn.logout()

    def count(self, folder: str = "INBOX") -> int:
        conn = self.connect()
        try:
            conn.select(_mailbox(folder), readonly=True)
            return _count(conn)
        finally:
            conn.logout()


def _mailbox(folder: str) -> str:
    from gaixl.mail.collect.sources import imap_utf7
    return '"' + imap_utf7(folder) + '"'


def _count(conn: imaplib.IMAP4) -> int:
    typ, data = conn.search(None, "ALL")
    return len(data[0].split()) if data and data[0] else 0


def _make_cert(root: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost: python `cryptography` (installed with
    pdfplumber's pdfminer.six), else the openssl command."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return _make_cert_openssl(root)
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gaixl test IMAP")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem, key_pem = root / "cert.pem", root / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    os.chmod(key_pem, 0o600)
    return cert_pem, key_pem


def _make_cert_openssl(root: Path) -> tuple[Path, Path]:
    cert_pem, key_pem = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "30", "-subj", "/CN=gaixl test IMAP", "-keyout", str(key_pem),
                    "-out", str(cert_pem), "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True)
    return cert_pem, key_pem


def _mail_owner() -> tuple[int, int]:
    """Dovecot refuses mail access as uid 0: as root (CI) the mail belongs to `nobody`."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def _config(root: Path, exe_user: str, uid: int, gid: int, starttls: int, tls: int,
            cert: Path, key: Path, use_ssl: bool = True) -> str:
    unprivileged = os.getuid() != 0
    lines = [
        f"base_dir = {root}/run",
        f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log",
        f"info_log_path = {root}/dovecot.log",
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = yes" if use_ssl else "ssl = no",
        *([f"ssl_cert = <{cert}", f"ssl_key = <{key}"] if use_ssl else []),
        # Plain login is allowed so that `imap://… --insecure` can be tested against a local
        # server; the client itself insists on STARTTLS unless told --insecure.
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        f"first_valid_uid = {min(uid, 1)}",
        f"first_valid_gid = {min(gid, 1)}",
        "mail_location = maildir:~/Maildir",
        "passdb {", "  driver = passwd-file", f"  args = scheme=PLAIN username_format=%u {root}/passwd", "}",
        "userdb {", "  driver = static", f"  args = uid={uid} gid={gid} home={root}/home/%u", "}",
        "service imap-login {",
        f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {starttls}\n  }}",
        f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls if use_ssl else 0}\n"
        f"    ssl = {'yes' if use_ssl else 'no'}\n  }}",
        "}",
        "service pop3-login {\n  inet_listener pop3 {\n    port = 0\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}",
        "service submission-login {\n  inet_listener submission {\n    port = 0\n  }\n}",
        "service lmtp {\n  unix_listener lmtp {\n    mode = 0600\n  }\n}",
    ]
    if unprivileged:
        import grp
        group = grp.getgrgid(os.getgid()).gr_name
        lines += [f"default_login_user = {exe_user}", f"default_internal_user = {exe_user}",
                  f"default_internal_group = {group}",
                  "service anvil {\n  chroot =\n}", "service imap-login {\n  chroot =\n}"]
    return "\n".join(lines) + "\n"


def start_dovecot(exe: str, use_ssl: bool = True) -> tuple[ImapServer, subprocess.Popen]:
    """Start a private Dovecot; use_ssl=False gives a server without TLS (no STARTTLS offered)."""
    root = Path(tempfile.mkdtemp(prefix="gaixl-dovecot-"))
    os.chmod(root, 0o755)   # the login processes (dovenull when run as root) must reach run/
    uid, gid = _mail_owner()
    home = root / "home" / USER
    (home / "Maildir").mkdir(parents=True)
    for p in (root / "home", home, home / "Maildir"):
        if os.getuid() == 0:
            os.chown(p, uid, gid)
    cert, key = _make_cert(root)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    starttls, tls = free_port(), free_port()
    while tls == starttls:
        tls = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, pwd.getpwuid(os.getuid()).pw_name, uid, gid, starttls, tls, cert, key, use_ssl),
                    encoding="utf-8")
    proc = subprocess.Popen([exe, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = ImapServer(root=root, host="127.0.0.1", starttls_port=starttls, tls_port=tls, user=USER,
                        password=PASSWORD, cafile=cert, maildir=home / "Maildir",
                        log=root / "dovecot.log")
    deadline = time.monotonic() + 30
    last = None
    while time.monotonic() < deadline:   # wait until both ports answer (not a timed assertion)
        if proc.poll() is not None:
            output = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            log = server.log.read_text(errors="replace") if server.log.exists() else ""
            raise RuntimeError(f"dovecot exited ({proc.returncode}): {output}\n{log}")
        try:
            for port in (starttls, tls) if use_ssl else (starttls,):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            if use_ssl:
                server.connect().logout()
            return server, proc
        except (OSError, imaplib.IMAP4.error) as e:
            last = e
            time.sleep(0.1)
    stop_dovecot(server, proc)
    raise RuntimeError(f"dovecot did not answer on 127.0.0.1:{starttls}/{tls}: {last}")


def stop_dovecot(server: ImapServer, proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(server.root, ignore_errors=True)


def _require_dovecot() -> str:
    return require(find_dovecot(), "Dovecot (dovecot-imapd)")


@pytest.fixture(scope="session")
def dovecot_plain():
    """A second Dovecot with TLS switched off: it does not offer STARTTLS."""
    server, proc = start_dovecot(_require_dovecot(), use_ssl=False)
    try:
        yield server
    finally:
        stop_dovecot(server, proc)


@pytest.fixture(scope="session")
def dovecot_server():
    server, proc = start_dovecot(_require_dovecot())
    try:
        yield server
    finally:
        stop_dovecot(server, proc)

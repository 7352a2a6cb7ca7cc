"""A mail run as a user asks for it: `gaixl distribute` and `gaixl feedback` (or a script) give
the settings as typed — server URL, sender, reply-to, deadline text — and one call here checks
them, opens the SMTP connection when sending, runs, and closes the connection whatever happens.

    res = distribute_run("templates", "roster.csv", MailSettings(smtp="smtps://gk@mail.gov.cn"))
    res = feedback_run("out", MailSettings(send=True, smtp=...), remind_missing=True)

Drafts (.eml files to review) unless `send`; the password of a sending run comes from
$GAIXL_SMTP_PASSWORD, or a hidden prompt on a terminal — asked before any work starts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gaixl.errors import UsageError
from gaixl.i18n import both
from gaixl.mail import smtp as M
from gaixl.mail.distribute import Options, Result, parse_deadline
from gaixl.mail.distribute import distribute as _distribute
from gaixl.mail.replies import feedback as _feedback


@dataclass
class MailSettings:
    """How to mail, as given on the command line."""
    smtp: str | None = None           # smtps://user@host[:465] or smtp://user@host[:587]
    send: bool = False                # False: write .eml drafts only
    insecure: bool = False            # plain smtp:// without TLS (a local test server)
    sender: str | None = None         # "办公室 <gk@example.gov.cn>"; default: the SMTP user
    reply_to: str | None = None
    cafile: Path | None = None        # a private CA to trust
    contact: str = ""
    signature: str = ""


def mail_options(s: MailSettings, deadline: str | None = None) -> tuple[M.SmtpUrl | None, Options]:
    """The parsed server URL (None without --smtp) and the message options; UsageError/MailError
    naming the option that is wrong."""
    url = M.parse_smtp_url(s.smtp, s.insecure) if s.smtp else None
    sender = s.sender
    if sender is None:
        if url is None or not M.valid_address(url.user):
            raise UsageError(**both("send.need_from"))
        sender = url.user
    return url, Options(sender=M.sender(sender, "--from"),
                        reply_to=M.sender(s.reply_to, "--reply-to") if s.reply_to else None,
                        deadline=parse_deadline(deadline), contact=s.contact, signature=s.signature)


def open_mailer(s: MailSettings, url: M.SmtpUrl | None) -> M.Mailer | None:
    """The SMTP connection of a sending run (its password asked now), None for drafts."""
    if not s.send:
        return None
    if url is None:
        raise UsageError(**both("send.need_smtp"))
    return M.Mailer(url, M.smtp_password(url), cafile=s.cafile)


def distribute_run(templates_dir: str | Path, roster: str | Path, settings: MailSettings, *,
                   deadline: str | None = None, out: str | Path | None = None, year: int | None = None,
                   layout: str | None = None, resend: tuple[str, ...] | list[str] = (),
                   progress: Callable[[int, int], None] | None = None) -> Result:
    """`gaixl distribute`: each roster unit's template, drafted or sent (gaixl.mail.distribute)."""
    url, opts = mail_options(settings, deadline)
    mailer = open_mailer(settings, url)
    try:
        return _distribute(templates_dir, roster, opts, mailer=mailer, out=out, year=year, layout=layout,
                           resend=resend, progress=progress)
    finally:
        if mailer is not None:
            mailer.close()


def feedback_run(folder: str | Path, settings: MailSettings, *, deadline: str | None = None,
                 remind_missing: bool = False, inbox: str | Path | None = None, out: str | Path | None = None,
                 resend: tuple[str, ...] | list[str] = (),
                 progress: Callable[[int, int], None] | None = None) -> Result:
    """`gaixl feedback`: the replies of a consolidation, drafted or sent (gaixl.mail.replies).
    The deadline here is the one to resubmit by (none unless given)."""
    url, opts = mail_options(settings)
    when = parse_deadline(deadline)
    mailer = open_mailer(settings, url)
    try:
        return _feedback(folder, opts, mailer=mailer, out=out, inbox=inbox, deadline=when,
                         remind_missing=remind_missing, resend=resend, progress=progress)
    finally:
        if mailer is not None:
            mailer.close()


__all__ = ["MailSettings", "mail_options", "open_mailer", "distribute_run", "feedback_run"]

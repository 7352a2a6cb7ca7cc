"""`gaixl collect`: pull returned workbooks out of a mailbox into an inbox folder (thin CLI)."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from gaixl.cli._common import JSON_OPT, LANG_OPT, _check_lang, _emit_json, _fail, _progress, err, out
from gaixl.errors import GaixlError, UsageError
from gaixl.i18n import both, t

PASSWORD_ENV = "GAIXL_IMAP_PASSWORD"


def _password(url: str, lang: str) -> str:
    """GAIXL_IMAP_PASSWORD, else a hidden prompt when stdin is a terminal, else a usage error."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if sys.stdin.isatty():
        import getpass
        from urllib.parse import unquote, urlsplit
        try:
            user = unquote(urlsplit(url).username or "")
        except ValueError:
            user = ""
        return getpass.getpass(t("collect.prompt", lang, user=user))
    raise UsageError(**both("collect.no-password"))


def _since(value: Optional[str]) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(**both("collect.bad-date"), where=value) from None


def collect(
    out_dir: Path = typer.Option(..., "--out", help="收件文件夹（供 consolidate 读取） / inbox folder for consolidate"),
    imap: Optional[str] = typer.Option(None, "--imap", help="IMAP 邮箱：imaps://用户名@服务器[:993] 或 imap://…[:143]"
                                                            "（STARTTLS）；密码取自环境变量 GAIXL_IMAP_PASSWORD，未设置时"
                                                            "在终端中提示输入 / IMAP mailbox; the password comes from "
                                                            "GAIXL_IMAP_PASSWORD, else a hidden prompt"),
    mbox: Optional[Path] = typer.Option(None, "--mbox", help="mbox 邮箱文件 / an mbox file"),
    maildir: Optional[Path] = typer.Option(None, "--maildir", help="Maildir 邮箱文件夹 / a Maildir folder"),
    eml_dir: Optional[Path] = typer.Option(None, "--eml-dir", help=".eml/.msg 邮件文件所在文件夹 / a folder of .eml and "
                                                                   "Outlook .msg files"),
    folder: Optional[str] = typer.Option(None, "--folder", help="IMAP 邮件夹（默认 INBOX） / IMAP folder (default INBOX)"),
    since: Optional[str] = typer.Option(None, "--since", help="只收取该日期及以后的邮件，如 2026-01-01 / only mail since DATE"),
    subject: Optional[str] = typer.Option(None, "--subject", help="只收取主题包含该文字的邮件 / only mail whose subject "
                                                                  "contains TEXT"),
    mark_seen: bool = typer.Option(False, "--mark-seen", help="处理后将邮件标记为已读（默认不改动邮箱） / flag processed "
                                                              "mail as seen (by default the mailbox is never changed)"),
    insecure: bool = typer.Option(False, "--insecure", help="允许不加密的 imap://（仅限本机测试服务器） / allow plain "
                                                            "imap:// to a server on this computer"),
    cafile: Optional[Path] = typer.Option(None, "--cafile", help="信任的 CA 证书（PEM），用于自签名服务器 / trusted CA "
                                                                 "certificate (PEM) for a private server"),
    max_size: str = typer.Option("50MB", "--max-size", help="单个附件大小上限，如 50MB / per-attachment size limit"),
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """从邮箱收取各单位报回的工作簿，存入收件文件夹并记录来源。 / Collect returned workbooks from email.

    环境变量 GAIXL_IMAP_PASSWORD：IMAP 密码（不会显示或记录）。 / GAIXL_IMAP_PASSWORD: the IMAP password
    (never shown or logged)."""
    from gaixl.mail.collect import Source, parse_size
    from gaixl.mail.collect import collect as run

    lang = _check_lang(lang)
    given = [(k, v) for k, v in (("imap", imap), ("mbox", mbox), ("maildir", maildir), ("eml", eml_dir)) if v]
    try:
        if len(given) != 1:
            raise UsageError(**both("collect.need-source"))
        kind, location = given[0]
        size = parse_size(max_size)
        since_date = _since(since)
        password = _password(str(location), lang) if kind == "imap" else None
        if kind == "imap" and insecure and not json_out:
            err.print(t("collect.insecure-warning", lang), markup=False)
        with _progress(t("collect.progress", lang), 100, json_out) as prog:
            task = prog.add_task("", total=None)

            def step(done: int, total: int) -> None:
                prog.update(task, completed=done, total=total)
            result = run(Source(kind, str(location)), out_dir, password=password, folder=folder,
                         since=since_date, subject=subject, mark_seen=mark_seen, insecure=insecure,
                         cafile=cafile, max_size=size, progress=step)
    except GaixlError as e:
        _fail(e, lang)
    except KeyboardInterrupt:
        # Everything processed so far is saved and recorded: the next run resumes from there.
        err.print(t("collect.interrupted", lang), markup=False)
        raise typer.Exit(130) from None
    if json_out:
        _emit_json(result.to_dict())
        return
    # One line per attachment (no table: long Chinese names must not be cut or wrapped).
    for r in result.records:
        shown = " / ".join([*r.via, r.name]) if r.via else r.name
        origin = "，".join(x for x in (str(r.message.get("from") or ""), str(r.message.get("subject") or "")) if x)
        origin = f"（{origin}）" if origin and lang != "en" else (f" ({origin})" if origin else "")
        if r.action == "skipped":
            out.print(f"{t('collect.skipped', lang)}: {shown}{origin}: {r.reason_en if lang == 'en' else r.reason_zh}",
                      markup=False)
        else:
            out.print(f"{t('collect.' + r.action, lang)}: {shown} → {r.file}{origin}", markup=False)
    out.print(t("collect.summary", lang, seen=result.messages_seen, new=result.messages_new, old=result.messages_old,
                saved=result.saved, dup=result.duplicates, skipped=result.skipped), markup=False)

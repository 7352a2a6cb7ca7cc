"""The mail-sending commands: `gaixl distribute` and `gaixl feedback`. Each parses its options,
calls one function of gaixl.mail.runs (which checks the settings, opens and closes the SMTP
connection, runs) and prints. Registered on the app when gaixl.cli imports this module. The mail
text is always Chinese; --lang only changes what the CLI says."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import TaskID

from gaixl.cli._common import JSON_OPT, LANG_OPT, LAYOUTS_OPT, _check_lang, _emit_json, _fail, _progress, out
from gaixl.errors import GaixlError
from gaixl.i18n import t

STATUS_ORDER = ("drafted", "sent", "already-sent", "no-address", "no-template", "conflict", "failed")


SMTP_OPT = typer.Option(None, "--smtp", help="发信服务器：smtps://用户@主机[:465]（TLS）或 smtp://用户@主机[:587]"
                                           "（STARTTLS）；密码取自环境变量 GAIXL_SMTP_PASSWORD，未设置且在终端中运行时提示输入 / "
                                           "mail server URL; the password comes from $GAIXL_SMTP_PASSWORD "
                                           "(or a hidden prompt on a terminal)")
SEND_OPT = typer.Option(False, "--send", help="实际发送（默认只写 .eml 草稿供核对） / really send (default: write "
                                            ".eml drafts to review)")
INSECURE_OPT = typer.Option(False, "--insecure", help="smtp:// 不加密（仅限本机测试服务器） / plain smtp:// without "
                                                    "TLS, for a local server only")
FROM_OPT = typer.Option(None, "--from", help="发件人，如 “缙云县政府办公室 <gk@example.gov.cn>”（默认：SMTP用户名） / "
                                           "sender (default: the SMTP user when it is an address)")
REPLY_TO_OPT = typer.Option(None, "--reply-to", help="回复（报送）地址（默认：发件人） / where replies go (default: "
                                                   "the sender)")
CAFILE_OPT = typer.Option(None, "--cafile", help="信任的CA证书（内部CA签发的服务器证书） / a private CA to trust")
CONTACT_OPT = typer.Option("", "--contact", help="联系方式，写入邮件正文 / contact line in the mail body")
SIGN_OPT = typer.Option("", "--signature", help="落款（默认：设置文件 gaixl.toml 中的单位名称，其次为发件人名称、"
                                               "名单的上级单位） / who signs the mail (default: the office of "
                                               "gaixl.toml, the sender's name, the roster's parent)")
RESEND_OPT = typer.Option(None, "--resend", help="对这些单位代码重新发送（可重复） / send again to this unit code "
                                               "(repeatable)")


def _report(res, lang: str, json_out: bool, kind: str) -> None:
    if json_out:
        _emit_json(res.to_json())
        raise typer.Exit(1 if res.failed else 0)
    c = res.counts()
    primary = "sent" if res.mode == "send" else "drafted"
    shown = [k for k in STATUS_ORDER if k in c and (c[k] or k == primary)]
    what = ("，" if lang != "en" else ", ").join(t("send." + k, lang, n=c[k]) for k in shown)
    out.print(t(f"send.{kind}.summary", lang, year=res.year, units=c["units"], what=what), markup=False)
    # Units skipped as already mailed are counted in the summary; listed one by one only when
    # something changed since (a regenerated template: --resend is the way to send it again).
    skipped = [i for i in res.items if i.status == "already-sent" and "--resend" in i.reason and i.kind != "reminder"]
    bad = [i for i in res.items if i.status in ("no-address", "no-template", "conflict", "failed")]
    refused = [i for i in res.items if i.refused]
    for title, group in (("skipped", skipped), ("not_sent", bad), ("refused", refused)):
        if group:
            out.print(t("send." + title, lang), markup=False)
            for i in group:
                reason = i.reason_en if lang == "en" and i.reason_en else i.reason
                out.print(f"  - {i.code} {i.name}：{reason}" if lang != "en" else f"  - {i.code} {i.name}: {reason}",
                          markup=False)
    if res.unmatched:
        out.print(t("send.unmatched", lang), markup=False)
        for u in res.unmatched:
            reason = u.get("reason_en") if lang == "en" else u.get("reason")
            out.print(f"  - {u['file']}：{reason}" if lang != "en" else f"  - {u['file']}: {reason}", markup=False)
    for note in res.notes:
        out.print(t("send.note", lang, note=note["en"] if lang == "en" else note["zh"]), markup=False)
    if res.mode == "drafts":
        out.print(t("send.drafts_at", lang, out=res.out), markup=False)
    out.print(t("send.log_at", lang, log=res.log), markup=False)
    raise typer.Exit(1 if res.failed else 0)


class _Bar:
    """The progress bar of a mail run, shown from its first step on (after the password prompt
    of a sending run, which must not be drawn over)."""

    def __init__(self, label: str, lang: str, quiet: bool):
        self.prog = _progress(t("send." + label, lang), 100, quiet)
        self.task: Optional[TaskID] = None

    def __call__(self, done: int, total: int) -> None:
        task = self.task
        if task is None:
            self.prog.start()
            task = self.task = self.prog.add_task("", total=total)
        self.prog.update(task, completed=done, total=total)

    def close(self) -> None:
        if self.task is not None:
            self.prog.stop()


def distribute(
    templates_dir: Path = typer.Argument(..., help="模板文件夹（gaixl generate 的输出） / the templates folder"),
    roster: Path = typer.Option(..., "--roster", help="单位名单（code,name,email[,parent]） / the roster"),
    smtp: Optional[str] = SMTP_OPT,
    send: bool = SEND_OPT,
    insecure: bool = INSECURE_OPT,
    sender: Optional[str] = FROM_OPT,
    reply_to: Optional[str] = REPLY_TO_OPT,
    cafile: Optional[Path] = CAFILE_OPT,
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期 YYYY-MM-DD（默认：报告年度次年1月15日） / "
                                                                   "deadline (default: 15 January of the next year)"),
    contact: str = CONTACT_OPT,
    signature: str = SIGN_OPT,
    out_dir: Optional[Path] = typer.Option(None, "--out", help="草稿文件夹（默认：模板文件夹/drafts） / drafts folder "
                                                               "(default: TEMPLATES_DIR/drafts)"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度（文件夹中有多个年度的模板时） / report year"),
    layout_id: Optional[str] = typer.Option(None, "--layout", help="模板格式（默认按年度） / the templates' format "
                                                                 "(default: the year's)"),
    resend: Optional[List[str]] = RESEND_OPT,
    json_out: bool = JSON_OPT,
    layouts_dir: Optional[Path] = LAYOUTS_OPT,
    lang: str = LANG_OPT,
):
    """把各单位的模板发到名单中的邮箱（默认写 .eml 草稿，加 --send 发送；密码取自环境变量 GAIXL_SMTP_PASSWORD）。 /
    Mail each roster unit its own template (drafts by default; --send sends; password from $GAIXL_SMTP_PASSWORD)."""
    from gaixl.mail.runs import MailSettings, distribute_run

    lang = _check_lang(lang, layouts_dir)
    bar = _Bar("progress.distribute", lang, json_out)
    try:
        res = distribute_run(templates_dir, roster, MailSettings(smtp, send, insecure, sender, reply_to, cafile, contact,
                                                                 signature),
                             deadline=deadline, out=out_dir, year=year, layout=layout_id, resend=resend or (),
                             progress=bar)
    except GaixlError as e:
        _fail(e, lang)
    finally:
        bar.close()
    _report(res, lang, json_out, "distribute")


def feedback(
    folder: Path = typer.Argument(..., help="汇总输出文件夹（gaixl consolidate --out） / a consolidation's output folder"),
    smtp: Optional[str] = SMTP_OPT,
    send: bool = SEND_OPT,
    insecure: bool = INSECURE_OPT,
    sender: Optional[str] = FROM_OPT,
    reply_to: Optional[str] = REPLY_TO_OPT,
    cafile: Optional[Path] = CAFILE_OPT,
    deadline: Optional[str] = typer.Option(None, "--deadline", help="重新报送截止日期 YYYY-MM-DD（可选） / deadline to "
                                                                   "resubmit (optional)"),
    contact: str = CONTACT_OPT,
    signature: str = SIGN_OPT,
    remind_missing: bool = typer.Option(False, "--remind-missing", help="也给未报送的单位发催报邮件（发到名单邮箱） / "
                                                                        "also remind units that sent nothing"),
    inbox: Optional[Path] = typer.Option(None, "--inbox", help="收件文件夹（默认：manifest.json 中记录的路径） / the "
                                                               "inbox (default: the one in manifest.json)"),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="草稿文件夹（默认：汇总输出文件夹/mail） / drafts folder "
                                                               "(default: DIR/mail)"),
    resend: Optional[List[str]] = RESEND_OPT,
    json_out: bool = JSON_OPT,
    lang: str = LANG_OPT,
):
    """按汇总结果给各报送单位回信：已采用或须修改的问题（默认写 .eml 草稿，加 --send 发送；密码取自环境变量
    GAIXL_SMTP_PASSWORD）。 / Reply to each unit that submitted: accepted, or what to fix (drafts by default;
    --send sends; password from $GAIXL_SMTP_PASSWORD)."""
    from gaixl.mail.runs import MailSettings, feedback_run

    lang = _check_lang(lang)
    bar = _Bar("progress.feedback", lang, json_out)
    try:
        res = feedback_run(folder, MailSettings(smtp, send, insecure, sender, reply_to, cafile, contact, signature),
                           deadline=deadline, remind_missing=remind_missing, inbox=inbox, out=out_dir,
                           resend=resend or (), progress=bar)
    except GaixlError as e:
        _fail(e, lang)
    finally:
        bar.close()
    _report(res, lang, json_out, "feedback")


__all__ = ["distribute", "feedback"]

"""The collect command's messages, Chinese and English (kept here, beside the code that uses them)."""
from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "not-workbook": ("不是报告工作簿（只收取 .xlsx/.xlsm/.xls），未保存", "not a workbook (only .xlsx/.xlsm/.xls are kept), not saved"),
    "too-large": ("附件过大（{d}），未保存；可用 --max-size 调整上限", "attachment too large ({d}), not saved; see --max-size"),
    "empty": ("附件为空", "empty attachment"),
    "malformed": ("邮件格式损坏，无法读取该部分", "malformed MIME part, cannot be read"),
    "too-deep": ("转发邮件嵌套层数过多，未展开", "forwarded messages nested too deep, not opened"),
    "zip-unreadable": ("压缩包损坏或无法读取", "zip file damaged or unreadable"),
    "zip-bomb": ("压缩包可疑（文件过多、解压后过大或压缩比异常），未解压",
                 "suspicious zip (too many files, too big or too compressed), not extracted"),
    "zip-too-deep": ("压缩包嵌套层数过多，未解压", "zip nested too deep, not extracted"),
    "zip-encrypted": ("压缩包内文件已加密，无法解压", "encrypted zip member, cannot be extracted"),
    "tnef-unreadable": ("winmail.dat 无法解析", "winmail.dat cannot be parsed"),
    "tnef-empty": ("winmail.dat 中没有附件", "winmail.dat holds no attachments"),
    "message-unreadable": ("邮件无法读取", "message cannot be read"),
    "message-too-large": ("邮件过大，未下载", "message too large, not fetched"),
    "via-forward": ("转发邮件", "forwarded message"),
}

TEXT: dict[str, tuple[str, str]] = {
    "progress": ("正在收取邮件", "Collecting mail"),
    "summary": ("共检查邮件 {seen} 封（新邮件 {new} 封，此前已处理 {old} 封）；保存工作簿 {saved} 个，"
                "内容相同未重复保存 {dup} 个，跳过附件 {skipped} 个。",
                "{seen} messages seen ({new} new, {old} processed before); {saved} workbooks saved, "
                "{dup} identical ones not stored again, {skipped} attachments skipped."),
    "saved": ("已保存", "saved"),
    "duplicate": ("内容相同，已记录来源", "same content, provenance recorded"),
    "skipped": ("跳过", "skipped"),
    "need-source": ("请指定一个邮件来源：--imap、--mbox、--maildir 或 --eml-dir（只能指定一个）",
                    "give exactly one mail source: --imap, --mbox, --maildir or --eml-dir"),
    "no-password": ("未提供 IMAP 密码：请设置环境变量 GAIXL_IMAP_PASSWORD，或在终端中运行以便输入密码",
                    "no IMAP password: set GAIXL_IMAP_PASSWORD, or run in a terminal to be asked"),
    "prompt": ("IMAP 密码（{user}）：", "IMAP password for {user}: "),
    "bad-size": ("--max-size 应为大小，如 50、50MB、500KB", "--max-size must be a size such as 50, 50MB, 500KB"),
    "bad-date": ("--since 应为日期，如 2026-01-01", "--since must be a date such as 2026-01-01"),
    "interrupted": ("已中断。已处理的邮件均已保存并记录，再次运行同一命令将从中断处继续。",
                    "Interrupted. Everything processed so far is saved and recorded; run the same command "
                    "again to resume."),
    "insecure-warning": ("警告：未加密连接（--insecure），仅限本机测试服务器",
                         "warning: unencrypted connection (--insecure), local test servers only"),
}


def reason(code: str, lang: str = "zh", detail: str = "") -> str:
    zh, en = REASONS.get(code, (code, code))
    text = en if lang == "en" else zh
    if "{d}" in text:
        return text.replace("{d}", detail)
    if code == "not-workbook" and detail:      # the suffix: say what the file was
        return text.replace("（只收取", f"（{detail} 文件；只收取").replace("(only", f"({detail} file; only")
    return f"{text}（{detail}）" if detail and lang != "en" else (f"{text} ({detail})" if detail else text)


def t(key: str, lang: str = "zh", **kw) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**kw)

"""Collecting returned workbooks from email: IMAP, mbox, Maildir, .eml and .msg files."""

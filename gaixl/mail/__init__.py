"""Mail: the SMTP sender, distributing templates, replying with feedback, and collecting returned
workbooks (mail/collect)."""

"""gaixl.mail.runs: the settings a user types become one mail run — checked before anything is
written, drafts without --send, the connection opened only to send (the CLI only parses and prints)."""
from __future__ import annotations

import pytest

from gaixl.errors import MailError, UsageError
from gaixl.mail.runs import MailSettings, distribute_run, feedback_run, mail_options


@pytest.fixture
def templates(tmp_path):
    from gaixl.api import generate_templates
    roster = tmp_path / "r.csv"
    roster.write_text("code,name,email\nA1,甲局,a@dept.cn\nB2,乙局,b@dept.cn\n", encoding="utf-8")
    generate_templates(2023, tmp_path / "t", roster)
    return tmp_path / "t", roster


def test_drafts_without_send(tmp_path, templates):
    folder, roster = templates
    res = distribute_run(folder, roster, MailSettings(sender="县政府办公室 <gk@example.gov.cn>"),
                         deadline="2024-01-15", out=tmp_path / "drafts")
    assert res.mode == "drafts" and res.counts()["drafted"] == 2
    drafts = sorted(p.name for p in (tmp_path / "drafts").glob("*.eml"))
    assert len(drafts) == 2
    text = (tmp_path / "drafts" / drafts[0]).read_bytes()
    assert b"From:" in text and b"gk@example.gov.cn" in text


@pytest.mark.parametrize("settings, key", [
    (MailSettings(), "--from"),                                            # no sender, no SMTP user
    (MailSettings(smtp="smtps://gk%40mail.example.cn@mail.example.cn"), None),   # the SMTP user is the sender
    (MailSettings(smtp="smtps://user@mail.example.cn"), "--from"),          # not an address: --from needed
])
def test_sender_from_settings(settings, key):
    if key is None:
        _url, opts = mail_options(settings)
        assert opts.sender.addr_spec == "gk@mail.example.cn"
        return
    with pytest.raises(UsageError) as e:
        mail_options(settings)
    assert key in str(e.value) and "--from" in e.value.message_zh


def test_send_needs_a_server_before_any_work(tmp_path, templates):
    folder, roster = templates
    with pytest.raises(UsageError, match="--smtp"):
        distribute_run(folder, roster, MailSettings(send=True, sender="gk@example.gov.cn"), out=tmp_path / "d")
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("bad, option", [(dict(sender="not an address"), "--from"),
                                         (dict(sender="gk@example.gov.cn", reply_to="x"), "--reply-to")])
def test_bad_addresses_name_their_option(bad, option):
    with pytest.raises(MailError) as e:
        mail_options(MailSettings(**bad))
    assert e.value.where == option


def test_feedback_deadline_is_checked(tmp_path):
    with pytest.raises(UsageError) as e:
        feedback_run(tmp_path, MailSettings(sender="gk@example.gov.cn"), deadline="15/01/2024")
    assert e.value.where == "--deadline"

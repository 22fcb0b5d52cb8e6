"""A composed message: text and HTML alternatives, the issuer's name (any script) beside our
address, the row's Message-ID, nothing of the content unescaped in the HTML; and the backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

from credstack.service.mail.messages import Rendered
from credstack.service.mail.sender import backoff, compose

RENDERED = Rendered(
    to="ana@example.org",
    sender_name="Société <Ünï> & Co",
    subject="Vous avez obtenu «X»",
    paragraphs=("Hello <b>Ana</b>,",),
    links=(("Your record", "https://x.example/learners/A?b=1&c=2"),),
)


def _parsed() -> EmailMessage:
    composed = compose(RENDERED, "row-id", "noreply@x.example", datetime(2026, 3, 9, tzinfo=UTC))
    parsed = message_from_bytes(composed.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_name_the_issuer_and_the_outbox_row() -> None:
    message = _parsed()
    assert parseaddr(message["From"]) == ("Société <Ünï> & Co", "noreply@x.example")
    assert message["Subject"] == "Vous avez obtenu «X»"
    assert message["Message-ID"] == "<row-id@x.example>"


def test_text_and_html_say_the_same_and_the_html_is_escaped() -> None:
    message = _parsed()
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    assert "Hello <b>Ana</b>," in text.get_content()
    page = html.get_content()
    assert "Hello &lt;b&gt;Ana&lt;/b&gt;," in page and "<b>" not in page
    assert 'href="https://x.example/learners/A?b=1&amp;c=2"' in page


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert backoff(8) == backoff(50) == timedelta(hours=1)

"""Mail settings: the SMTP URL's forms, bad values refused as clear errors, and a password
that is never printed, whether it came in the URL or on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.config import Smtp, load_settings
from credstack.errors import InvalidInput


def test_unset_means_mail_goes_to_the_log(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.smtp is None
    assert settings.sender_address == "noreply@127.0.0.1"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", Smtp("mail.example.org", 25, "plain")),
        ("smtp+starttls://mail.example.org", Smtp("mail.example.org", 587, "starttls")),
        ("smtps://mail.example.org:2465", Smtp("mail.example.org", 2465, "tls")),
        ("smtps://ops%40x:p%3Ass@mail.example.org", Smtp("mail.example.org", 465, "tls", "ops@x")),
    ],
)
def test_the_url_names_server_port_and_security(url: str, expected: Smtp, tmp_path: Path) -> None:
    smtp = load_settings(tmp_path, env={"CREDSTACK_SMTP_URL": url}).smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.security, smtp.username) == (
        expected.host,
        expected.port,
        expected.security,
        expected.username,
    )


def test_user_and_password_may_come_apart_and_are_never_shown(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        env={
            "CREDSTACK_SMTP_URL": "smtp+starttls://mail.example.org",
            "CREDSTACK_SMTP_USER": "ops",
            "CREDSTACK_SMTP_PASSWORD": "hunter2-secret",
            "CREDSTACK_MAIL_FROM": "badges@example.org",
        },
    )
    assert settings.smtp is not None
    assert (settings.smtp.username, settings.smtp.password) == ("ops", "hunter2-secret")
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.smtp.shown
    assert settings.sender_address == "badges@example.org"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://mail.example.org", "use smtp://"),
        ("smtp://", "host"),
        ("smtp://u:hunter2@mail.example.org:99999", "port"),
        ("smtp://u:hunter2@mail.example.org/inbox", "only the scheme"),
    ],
)
def test_a_bad_url_is_refused_without_its_password(url: str, why: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_settings(tmp_path, env={"CREDSTACK_SMTP_URL": url})
    assert "CREDSTACK_SMTP_URL" in refused.value.message and why in refused.value.message
    assert "hunter2" not in refused.value.message


@pytest.mark.parametrize("address", ["Badges <b@example.org>", "nobody", "a@b@c"])
def test_the_sender_must_be_one_bare_address(address: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="CREDSTACK_MAIL_FROM"):
        load_settings(tmp_path, env={"CREDSTACK_MAIL_FROM": address})


def test_ce_reminder_days_default_and_configured(tmp_path: Path) -> None:
    assert load_settings(tmp_path, env={}).ce_reminder_days == (90, 30, 7)
    env = {"CREDSTACK_CE_REMINDER_DAYS": " 14, 60,14 "}
    assert load_settings(tmp_path, env=env).ce_reminder_days == (60, 14)


@pytest.mark.parametrize("value", ["90;30", "-7", "0", "3661", "x", ",".join(["5"] * 11)])
def test_bad_ce_reminder_days_are_refused_naming_the_variable(value: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="CREDSTACK_CE_REMINDER_DAYS"):
        load_settings(tmp_path, env={"CREDSTACK_CE_REMINDER_DAYS": value})

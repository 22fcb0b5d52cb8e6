"""Changing a learner's e-mail address by a link mailed to the new address (putProfile's
e-mail), as use cases on SQLite and PostgreSQL with a real SMTP server: nothing changes until
the link is followed; it works once, expires, is wiped once delivered, and goes with an
erasure; a client cannot fill an inbox."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from credstack.errors import Conflict, Gone, InvalidInput
from credstack.service import clock
from credstack.service.audit_trail import events, verify_chain
from credstack.service.email_change import (
    CHANGE_LIFETIME,
    LIVE_CHANGES_PER_LEARNER,
    ask_email_change,
    confirm_email_change,
    inspect_email_change,
)
from credstack.service.learners import by_email, erase_learner, profile
from credstack.service.mail.sender import MailSender
from credstack.service.people import add_learner
from credstack.service.runtime import Runtime
from credstack.store.models import EmailChangeRow, OutboxMessageRow
from tests.integration.mail.conftest import MailServer
from tests.integration.signin.conftest import BASE

LINK = re.compile(re.escape(BASE) + r"/email-change/([A-Za-z0-9_-]+)")


def _ask(runtime: Runtime, key: str, email: str) -> bool:
    with runtime.uow() as uow:
        learner = uow.learners.by_key(key)
        assert learner is not None
        asked = ask_email_change(uow, learner, email)
        uow.commit()
        return asked


def _address(runtime: Runtime, key: str) -> str | None:
    with runtime.uow(write=False) as uow:
        learner = uow.learners.by_key(key)
        assert learner is not None
        return profile(uow, learner).email


def _token_mailed(runtime: Runtime, mail_server: MailServer, to: str) -> str:
    assert MailSender(runtime.units, runtime.settings).deliver_due().sent == 1
    message = mail_server.inbox.messages[-1]
    assert message["To"] == to
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    found = LINK.search(str(part.get_content()))
    assert found, part.get_content()
    return found.group(1)


@pytest.fixture
def people(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        add_learner(uow, key="ben", name="Ben", email="ben@example.org")
        add_learner(uow, key="cleo", name="Cleo", email="cleo@example.org")
        uow.commit()


@pytest.mark.usefixtures("people")
def test_the_address_changes_only_by_the_link_once(
    runtime: Runtime, mail_server: MailServer
) -> None:
    assert _ask(runtime, "ben", "BEN@example.org") is False  # the same address: nothing owed
    assert _ask(runtime, "ben", "ben@new.example") is True
    token = _token_mailed(runtime, mail_server, "ben@new.example")
    assert _address(runtime, "ben") == "ben@example.org"
    with runtime.uow(write=False) as uow:  # delivered: only the token's hash is left
        (row,) = uow.session.scalars(select(EmailChangeRow))
        assert row.token_sealed is None and row.used_at is None
        assert b"ben@new.example" not in row.email_sealed
    assert inspect_email_change(runtime, token).new_address == "ben@new.example"
    assert _address(runtime, "ben") == "ben@example.org"  # looking changes nothing

    assert confirm_email_change(runtime, token).new_address == "ben@new.example"
    assert _address(runtime, "ben") == "ben@new.example"
    # The trail says so, naming the learner by public id and neither address.
    with runtime.uow(write=False) as uow:
        ben = uow.learners.by_key("ben")
        assert ben is not None
        changed = [e for e in events(uow) if e.action == "learner.email_changed"]
        assert [(e.subject, e.actor) for e in changed] == [
            (f"learner:{ben.public_id}", f"learner:{ben.public_id}")
        ]
        assert "example" not in json.dumps(changed[0].details)
        assert verify_chain(uow).broken is None
    # The address it replaced is told, with the new one masked; then it is not kept.
    assert MailSender(runtime.units, runtime.settings).deliver_due().sent == 1
    notice = mail_server.inbox.messages[-1]
    assert notice["To"] == "ben@example.org"
    assert notice["Subject"] == "Your e-mail address was changed"
    said = str(notice.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "b\u2026@new.example" in said and "ben@new.example" not in said
    with runtime.uow(write=False) as uow:
        rows = uow.session.scalars(select(OutboxMessageRow)).all()
        assert all("old" not in row.details for row in rows)
        assert all(b"ben@example.org" not in repr(row.details).encode() for row in rows)
    with runtime.uow(write=False) as uow:  # found by the new address, not the old one
        assert by_email(uow, "ben@new.example") is not None
        assert by_email(uow, "ben@example.org") is None
    with pytest.raises(Gone, match="already been used"):
        confirm_email_change(runtime, token)
    with pytest.raises(Gone):
        inspect_email_change(runtime, token)


@pytest.mark.usefixtures("people")
def test_another_learners_address_is_refused_at_the_link(
    runtime: Runtime, mail_server: MailServer
) -> None:
    assert _ask(runtime, "ben", "cleo@example.org") is True  # asking says nothing of Cleo
    token = _token_mailed(runtime, mail_server, "cleo@example.org")
    with pytest.raises(Conflict, match="another account"):
        confirm_email_change(runtime, token)
    with runtime.uow(write=False) as uow:  # nothing changed, nothing in the trail
        assert not [e for e in events(uow) if e.action == "learner.email_changed"]
    assert _address(runtime, "ben") == "ben@example.org"
    assert _address(runtime, "cleo") == "cleo@example.org"
    with pytest.raises(Gone):  # spent: it cannot be tried again later
        confirm_email_change(runtime, token)


@pytest.mark.usefixtures("people")
def test_links_expire_are_bounded_and_go_with_an_erasure(
    runtime: Runtime, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidInput):
        _ask(runtime, "ben", "not an address")
    _ask(runtime, "ben", "b1@new.example")
    token = _token_mailed(runtime, mail_server, "b1@new.example")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + CHANGE_LIFETIME + timedelta(seconds=1))
    with pytest.raises(Gone, match="expired"):
        confirm_email_change(runtime, token)
    monkeypatch.undo()
    assert _address(runtime, "ben") == "ben@example.org"

    for n in range(LIVE_CHANGES_PER_LEARNER):
        _ask(runtime, "cleo", f"c{n}@new.example")
    with pytest.raises(Conflict, match="already wait"):
        _ask(runtime, "cleo", "one-more@new.example")
    with runtime.uow() as uow:
        cleo = uow.learners.by_key("cleo")
        assert cleo is not None
        erase_learner(
            uow, cleo, reason="asked to be forgotten", actor="operator", keys=runtime.keys(uow)
        )
        uow.commit()
    with runtime.uow(write=False) as uow:
        left = uow.session.scalars(select(EmailChangeRow)).all()
        assert all(row.learner_id != cleo.id for row in left)
    sent = MailSender(runtime.units, runtime.settings).deliver_due().sent
    assert sent == 0  # what was owed to the erased learner is not sent

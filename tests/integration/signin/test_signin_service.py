"""Sign-in links as use cases, on SQLite and PostgreSQL, mailed through a real SMTP server:
one-time, expiring, bound to the browser that asked, and silent about who has an account."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from credstack.errors import CredstackError, Gone, InvalidInput
from credstack.service import clock
from credstack.service.actor import ANONYMOUS, ActorKind
from credstack.service.learners import erase_learner
from credstack.service.mail.sender import MailSender
from credstack.service.people import add_learner, add_user
from credstack.service.runtime import Runtime
from credstack.service.sessions import SessionPolicy, session_actor
from credstack.service.signin import (
    AS_LEARNER,
    AS_STAFF,
    LINK_LIFETIME,
    LIVE_LINKS_PER_ACCOUNT,
    complete_link,
    inspect_link,
    request_link,
)
from credstack.store.models import OutboxMessageRow, SigninLinkRow
from tests.integration.mail.conftest import MailServer
from tests.integration.signin.conftest import BASE

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
BROWSER = "browser-cookie-of-the-asker"
LINK = re.compile(re.escape(BASE) + r"/signin/([A-Za-z0-9_-]+)")


def _people(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        add_learner(uow, key="ben", name="Benedikt Brandt", email="Ben@Example.org")
        add_learner(uow, key="cleo", name="Cleo Chen", email="cleo@example.org")
        add_user(uow, email="amy@example.org", name="Amy Admin")
        add_learner(uow, key="amy", name="Amy as a learner", email="AMY@example.org")
        add_user(uow, email="sam@example.org", name="Sam Staff")
        uow.commit()


def _deliver(runtime: Runtime) -> int:
    return MailSender(runtime.units, runtime.settings).deliver_due().sent


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def _token_mailed(runtime: Runtime, mail_server: MailServer, to: str) -> str:
    assert _deliver(runtime) == 1
    message = mail_server.inbox.messages[-1]
    assert message["To"].lower() == to.lower()
    found = LINK.search(_body(message))
    assert found, _body(message)
    return found.group(1)


def _links(runtime: Runtime) -> list[SigninLinkRow]:
    with runtime.uow(write=False) as uow:
        rows = list(uow.session.scalars(select(SigninLinkRow).order_by(SigninLinkRow.id)))
        uow.session.expunge_all()
        return rows


def _outbox_count(runtime: Runtime) -> int:
    with runtime.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(OutboxMessageRow)) or 0)


def test_a_learner_signs_in_once_in_the_browser_that_asked(
    runtime: Runtime, mail_server: MailServer
) -> None:
    _people(runtime)
    asked = request_link(runtime, ANONYMOUS, " ben@example.ORG ", BROWSER, "/wallet?tab=share")
    assert asked.lifetime_minutes == 15
    [link] = _links(runtime)
    assert link.token_sealed is not None  # the outbox still owes the message
    token = _token_mailed(runtime, mail_server, "Ben@Example.org")
    [link] = _links(runtime)
    assert link.token_sealed is None  # delivered: no usable token stays in the database
    assert token not in link.token_hash and len(token) >= 43  # 256 bits, only a hash kept
    text = _body(mail_server.inbox.messages[-1])
    assert "works once, for 15 minutes" in text and "Hello Benedikt Brandt," in text

    assert inspect_link(runtime, token, BROWSER).choices == (AS_LEARNER,)
    assert inspect_link(runtime, token, BROWSER).choices == (AS_LEARNER,)  # GET changed nothing
    with pytest.raises(CredstackError, match="only in the browser where") as other:
        complete_link(runtime, token, "another-browser", POLICY)
    assert other.value.http_status == 400
    with pytest.raises(CredstackError, match="only in the browser where"):
        complete_link(runtime, token, None, POLICY)

    signed_in = complete_link(runtime, token, BROWSER, POLICY)
    assert (signed_in.holder, signed_in.next_path) == (AS_LEARNER, "/wallet?tab=share")
    actor = session_actor(runtime, signed_in.session_id, POLICY, touch=False)
    assert actor is not None and actor.kind is ActorKind.LEARNER and actor.label == "ben"
    with pytest.raises(Gone, match="already been used"):
        complete_link(runtime, token, BROWSER, POLICY)
    with pytest.raises(Gone, match="already been used"):
        inspect_link(runtime, token, BROWSER)
    with pytest.raises(CredstackError, match="not one we sent") as unknown:
        inspect_link(runtime, token[:-2] + "xx", BROWSER)
    assert unknown.value.http_status == 400


def test_a_link_expires_after_fifteen_minutes(
    runtime: Runtime, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(runtime)
    request_link(runtime, ANONYMOUS, "ben@example.org", BROWSER)
    token = _token_mailed(runtime, mail_server, "Ben@Example.org")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + LINK_LIFETIME - timedelta(seconds=5))
    assert inspect_link(runtime, token, BROWSER).choices == (AS_LEARNER,)
    monkeypatch.setattr(clock, "now", lambda: start + LINK_LIFETIME + timedelta(seconds=1))
    with pytest.raises(Gone, match="expired") as expired:
        complete_link(runtime, token, BROWSER, POLICY)
    assert expired.value.http_status == 410


def test_a_link_not_sent_before_it_expired_is_dropped_with_its_token(
    runtime: Runtime, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(runtime)
    request_link(runtime, ANONYMOUS, "ben@example.org", BROWSER)
    later: datetime = clock.now() + LINK_LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    report = MailSender(runtime.units, runtime.settings, now=lambda: later).deliver_due()
    assert (report.sent, report.dropped) == (0, 1)
    assert mail_server.inbox.messages == []
    assert [link.token_sealed for link in _links(runtime)] == [None]


def test_two_concurrent_completions_sign_in_only_once(
    runtime: Runtime, mail_server: MailServer
) -> None:
    _people(runtime)
    request_link(runtime, ANONYMOUS, "cleo@example.org", BROWSER)
    token = _token_mailed(runtime, mail_server, "cleo@example.org")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def complete() -> None:
        start.wait()
        try:
            complete_link(runtime, token, BROWSER, POLICY)
            outcomes.append("signed in")
        except Gone:
            outcomes.append("gone")

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["gone", "signed in"]


def test_unknown_addresses_are_answered_the_same_and_sent_nothing(
    runtime: Runtime, mail_server: MailServer
) -> None:
    _people(runtime)
    known = request_link(runtime, ANONYMOUS, "cleo@example.org", BROWSER)
    unknown = request_link(runtime, ANONYMOUS, "nobody@example.org", BROWSER)
    assert known == unknown
    assert _outbox_count(runtime) == 1 and len(_links(runtime)) == 1
    with runtime.uow() as uow:
        cleo = uow.learners.by_key("cleo")
        assert cleo is not None
        erase_learner(
            uow, cleo, reason="asked to be forgotten", actor="operator", keys=runtime.keys(uow)
        )
        uow.commit()
    assert _links(runtime) == []  # erasure takes the person's sign-in links too
    assert request_link(runtime, ANONYMOUS, "cleo@example.org", BROWSER) == known
    assert _deliver(runtime) == 0 and mail_server.inbox.messages == []  # erased: nothing goes
    for bad in ("", "not-an-address", "x" * 400 + "@example.org"):
        with pytest.raises(InvalidInput):
            request_link(runtime, ANONYMOUS, bad, BROWSER)


def test_an_account_has_at_most_a_few_live_links(runtime: Runtime, mail_server: MailServer) -> None:
    _people(runtime)
    answers = {
        request_link(runtime, ANONYMOUS, "ben@example.org", f"browser-{n}")
        for n in range(LIVE_LINKS_PER_ACCOUNT + 2)
    }
    assert len(answers) == 1
    assert len(_links(runtime)) == LIVE_LINKS_PER_ACCOUNT
    assert _deliver(runtime) == LIVE_LINKS_PER_ACCOUNT


def test_staff_sign_in_without_a_token_and_a_shared_address_chooses(
    runtime: Runtime, mail_server: MailServer
) -> None:
    _people(runtime)
    request_link(runtime, ANONYMOUS, "sam@example.org", BROWSER, "https://evil.example/")
    token = _token_mailed(runtime, mail_server, "sam@example.org")
    assert "Hello Sam Staff," in _body(mail_server.inbox.messages[-1])
    signed_in = complete_link(runtime, token, BROWSER, POLICY)
    assert (signed_in.holder, signed_in.next_path) == (AS_STAFF, None)  # not another site
    actor = session_actor(runtime, signed_in.session_id, POLICY, touch=False)
    assert actor is not None and actor.kind is ActorKind.STAFF and actor.token_id is None

    request_link(runtime, ANONYMOUS, "amy@example.org", BROWSER)
    token = _token_mailed(runtime, mail_server, "AMY@example.org")
    assert inspect_link(runtime, token, BROWSER).choices == (AS_LEARNER, AS_STAFF)
    with pytest.raises(InvalidInput, match="choose"):
        complete_link(runtime, token, BROWSER, POLICY)
    chosen = complete_link(runtime, token, BROWSER, POLICY, AS_STAFF)
    actor = session_actor(runtime, chosen.session_id, POLICY, touch=False)
    assert actor is not None and actor.kind is ActorKind.STAFF and actor.label == "amy@example.org"

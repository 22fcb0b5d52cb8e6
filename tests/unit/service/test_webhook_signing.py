"""Our Standard Webhooks signature against the spec's reference library, and the address rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from credstack.errors import InvalidInput
from credstack.service.outbound import check_url
from credstack.service.webhooks.signing import new_secret, signature


@given(text=st.text(max_size=2000), webhook_id=st.text("abcdef0123456789-", min_size=1))
def test_our_signature_is_the_reference_librarys(text: str, webhook_id: str) -> None:
    """The library signs text (as UTF-8); we sign the body's bytes, which are that text's."""
    secret = new_secret()
    timestamp = int(datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp())
    ours = signature(secret, webhook_id, timestamp, text.encode())
    theirs = Webhook(secret).sign(webhook_id, datetime.fromtimestamp(timestamp, tz=UTC), text)
    assert ours == theirs


def test_secrets_are_fresh_and_in_the_specs_form() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    Webhook(first)  # the library accepts it


@pytest.mark.parametrize(
    "url",
    [
        "https://[::ffff:10.0.0.1]/in",
        "https://0.0.0.0/in",
        "https://100.64.0.1/in",
        "https://[fe80::1]/in",
        "https://224.0.0.1/in",
        "https://127.0.0.1/in",
        "http://localhost:8080/in",
    ],
)
def test_non_public_literals_and_loopback_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        check_url(url, allow_loopback=False)


def test_a_public_literal_and_allowed_loopback_pass() -> None:
    assert check_url("https://93.184.216.34/in", allow_loopback=False)
    assert check_url("http://[::1]:9000/in", allow_loopback=True)
    with pytest.raises(InvalidInput, match="must use https"):
        check_url("http://93.184.216.34/in", allow_loopback=True)

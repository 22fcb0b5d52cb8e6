"""E-mail to learners (and sign-in links to staff) through a transactional outbox.

`outbox` writes a message owed (in the caller's transaction, so it exists exactly when what
caused it was committed); `messages` renders each kind; `sender` delivers what is due over a
`transport` (SMTP, or the log when no server is configured), with retries and backoff.
"""

__all__ = [
    "kinds",
    "messages",
    "outbox",
    "sender",
    "signin_message",
    "transport",
]

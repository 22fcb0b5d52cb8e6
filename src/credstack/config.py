"""Where credstack keeps its data, which database it talks to, and every other setting.

Settings come from the environment so that the same code runs embedded (SQLite under a data
directory) and in production (PostgreSQL by one URL), without a config file to forget. This
module is the only one that reads the environment (a layer test holds it to that): everything
else receives a `Settings`, so a test builds one by hand and no code path sees a variable that
the settings do not name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from credstack.errors import CredstackError, InvalidInput
from credstack.limits import (
    BODY_TIMEOUT_SECONDS,
    MAX_CREDENTIAL_BYTES,
    VERIFY_TIME_BUDGET_SECONDS,
)

__all__ = [
    "BASE_URL_ENV",
    "BODY_TIMEOUT_ENV",
    "CE_REMINDER_DAYS_ENV",
    "CJK_FONT_ENV",
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "DEBUG_ENV",
    "DID_WEB_HTTP_LOCALHOST_ENV",
    "IMPORT_BATCH_ROWS_ENV",
    "MAIL_FROM_ENV",
    "MASTER_KEY_ENV",
    "NIGHTLY_HOUR_ENV",
    "OIDC_ISSUER_ENV",
    "OUTBOX_SWEEP_ENV",
    "PRIVACY_URL_ENV",
    "SERVICE_IMAGE_URL_ENV",
    "SMTP_URL_ENV",
    "TERMS_URL_ENV",
    "TRUST_DIR_ENV",
    "WEBHOOKS_ALLOW_LOOPBACK_ENV",
    "Limits",
    "Oidc",
    "Settings",
    "Smtp",
    "debug_requested",
    "load_limits",
    "load_settings",
]

DEFAULT_DATA_DIR = Path("var")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

DATA_DIR_ENV = "CREDSTACK_DATA_DIR"
DATABASE_URL_ENV = "CREDSTACK_DATABASE_URL"
BASE_URL_ENV = "CREDSTACK_BASE_URL"
MASTER_KEY_ENV = "CREDSTACK_MASTER_KEY"
TRUST_DIR_ENV = "CREDSTACK_TRUST_DIR"
CJK_FONT_ENV = "CREDSTACK_CJK_FONT"
DEBUG_ENV = "CREDSTACK_DEBUG"
MAX_CREDENTIAL_BYTES_ENV = "CREDSTACK_MAX_CREDENTIAL_BYTES"
VERIFY_TIME_BUDGET_ENV = "CREDSTACK_VERIFY_TIME_BUDGET"
BODY_TIMEOUT_ENV = "CREDSTACK_BODY_TIMEOUT"
SMTP_URL_ENV = "CREDSTACK_SMTP_URL"
SMTP_USER_ENV = "CREDSTACK_SMTP_USER"
SMTP_PASSWORD_ENV = "CREDSTACK_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a secret
MAIL_FROM_ENV = "CREDSTACK_MAIL_FROM"
PRIVACY_URL_ENV = "CREDSTACK_PRIVACY_URL"
TERMS_URL_ENV = "CREDSTACK_TERMS_URL"
SERVICE_IMAGE_URL_ENV = "CREDSTACK_SERVICE_IMAGE_URL"
CE_REMINDER_DAYS_ENV = "CREDSTACK_CE_REMINDER_DAYS"
DID_WEB_HTTP_LOCALHOST_ENV = "CREDSTACK_DID_WEB_HTTP_LOCALHOST"
WEBHOOKS_ALLOW_LOOPBACK_ENV = "CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK"
OIDC_ISSUER_ENV = "CREDSTACK_OIDC_ISSUER"
OIDC_CLIENT_ID_ENV = "CREDSTACK_OIDC_CLIENT_ID"
OIDC_CLIENT_SECRET_ENV = "CREDSTACK_OIDC_CLIENT_SECRET"  # noqa: S105 - the variable's name
OIDC_NAME_ENV = "CREDSTACK_OIDC_NAME"
OIDC_DOMAINS_ENV = "CREDSTACK_OIDC_DOMAINS"
NIGHTLY_HOUR_ENV = "CREDSTACK_NIGHTLY_HOUR"
OUTBOX_SWEEP_ENV = "CREDSTACK_OUTBOX_SWEEP_SECONDS"
MAX_OUTBOX_SWEEP_SECONDS = 3600
IMPORT_BATCH_ROWS_ENV = "CREDSTACK_IMPORT_BATCH_ROWS"
MAX_IMPORT_BATCH_ROWS = 10_000
"""A batch is one transaction: on SQLite every other writer waits for it, so more rows than
this would hold the database for longer than any writer waits (`store.db`'s busy timeout)."""
DEFAULT_CE_REMINDER_DAYS = (90, 30, 7)
MAX_REMINDER_DAYS = 3660
"""Ten years: no continuing-education cycle is longer, so no reminder comes earlier."""


@dataclass(frozen=True)
class Limits:
    """Abuse bounds: requests a minute per client address (or per token), and session lifetimes.

    Sign-in and bad bearer tokens are limited tightly because each try is a guess at a secret;
    the verifier is public and does real work per request; a valid token gets a roomy budget.
    """

    sign_in_per_minute: int = 10
    sign_in_mail_per_minute: int = 3
    """Sign-in links asked for one address a minute (the service also caps an account's live
    links, so a form cannot fill anyone's inbox)."""
    bad_token_per_minute: int = 20
    verify_per_minute: int = 120
    token_per_minute: int = 1200
    session_idle_minutes: int = 30
    session_hours: int = 12


_LIMIT_ENV = {
    "sign_in_per_minute": "CREDSTACK_RATE_SIGN_IN",
    "sign_in_mail_per_minute": "CREDSTACK_RATE_SIGN_IN_MAIL",
    "bad_token_per_minute": "CREDSTACK_RATE_BAD_TOKEN",
    "verify_per_minute": "CREDSTACK_RATE_VERIFY",
    "token_per_minute": "CREDSTACK_RATE_TOKEN",
    "session_idle_minutes": "CREDSTACK_SESSION_IDLE_MINUTES",
    "session_hours": "CREDSTACK_SESSION_HOURS",
}


def _int_env(source: Mapping[str, str], name: str, default: int) -> int:
    raw = source.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise CredstackError(f"{name}={raw!r}: use a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise CredstackError(f"{name}={raw!r}: use a number from 1 to 1000000")
    return value


def load_limits(env: Mapping[str, str] | None = None) -> Limits:
    source = os.environ if env is None else env
    defaults = Limits()
    return Limits(
        **{
            attribute: _int_env(source, name, getattr(defaults, attribute))
            for attribute, name in _LIMIT_ENV.items()
        }
    )


@dataclass(frozen=True)
class Settings:
    """One installation's settings; the fields after `base_url` have defaults so that a test
    (or the CLI) can build settings for a data directory without naming every one."""

    data_dir: Path
    database_url: str
    base_url: str
    # False when the base URL is the default rather than one the operator chose: `demo` then
    # serves on the host and port it was given instead.
    base_url_given: bool = True
    # The master key itself (base64), when the operator keeps it out of the data directory.
    master_key: str | None = None
    # None: `<data dir>/trusted`.
    trust_dir: Path | None = None
    # A font for Chinese, Japanese and Korean names on certificates; None: the system's Noto CJK.
    cjk_font: Path | None = None
    limits: Limits = field(default_factory=Limits)
    # What one verification may cost: the largest credential accepted over HTTP, and the
    # seconds a verification may run before the request is answered 503.
    max_credential_bytes: int = MAX_CREDENTIAL_BYTES
    verify_time_budget: float = VERIFY_TIME_BUDGET_SECONDS
    # Seconds a request may wait between two pieces of its body before it is answered 408.
    body_timeout: float = BODY_TIMEOUT_SECONDS
    # Where e-mail goes; None: messages are written to the log instead, and nothing fails.
    smtp: Smtp | None = None
    # The address mail is sent from (the display name is the issuer's); None: noreply@<host>.
    mail_from: str | None = None
    # What the 1EdTech APIs' discovery documents name (x-imssf-privacyPolicyUrl, the terms of
    # service, x-imssf-image); None: the site's home page for the first two, no image.
    privacy_policy_url: str | None = None
    terms_url: str | None = None
    service_image_url: str | None = None
    # Days before a CE cycle's last day when a certificant still short of hours is e-mailed
    # (each at most once per cycle).
    ce_reminder_days: tuple[int, ...] = DEFAULT_CE_REMINDER_DAYS
    # A learner's did:web is fetched over https only; True also allows plain http from
    # localhost / 127.0.0.1 (a test's own server), never from any other host.
    did_web_http_localhost: bool = False
    # Webhook endpoints on this machine (http:// or https:// to 127.0.0.1, ::1, localhost):
    # for tests and local development. Off, every endpoint must be https to a public address.
    webhooks_allow_loopback: bool = False
    # An institution's OpenID Connect provider people may sign in with; None: e-mail links only.
    oidc: Oidc | None = None
    # The hour (UTC, 0-23) at which the workers run the nightly re-evaluation.
    nightly_hour: int = 3
    # Seconds between the workers' sweeps of the outbox (1-3600; None: 5 on PostgreSQL, 2 on
    # SQLite). Mail a commit writes is queued at once; the sweep is the safety net.
    outbox_sweep_seconds: int | None = None
    # Rows an award import issues per transaction (1-10000); None: as many as take about a
    # second (`service.bulk.runner.BatchPace`), which is what almost everyone wants.
    import_batch_rows: int | None = None

    @property
    def sender_address(self) -> str:
        """The bare address in From: the one configured, else noreply at the site's host."""
        if self.mail_from:
            return self.mail_from
        return f"noreply@{urlsplit(self.base_url).hostname or 'localhost'}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure when the site is served over https (as configured)."""
        return self.base_url.lower().startswith("https://")

    @property
    def master_key_path(self) -> Path:
        return self.data_dir / "master.key"

    @property
    def trust_directory(self) -> Path:
        """The operator's trust directory: the one configured, else `<data dir>/trusted`."""
        return self.trust_dir if self.trust_dir is not None else self.data_dir / "trusted"


def load_settings(data_dir: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (the process environment unless given); an explicit data
    directory wins over `CREDSTACK_DATA_DIR`. Empty variables count as unset."""
    source = os.environ if env is None else env

    def read(name: str) -> str | None:
        value = source.get(name, "").strip()
        return value or None

    directory = (data_dir or Path(read(DATA_DIR_ENV) or str(DEFAULT_DATA_DIR))).resolve()
    url = read(DATABASE_URL_ENV) or f"sqlite:///{directory / 'credstack.db'}"
    given = read(BASE_URL_ENV)
    trust_dir, cjk_font = read(TRUST_DIR_ENV), read(CJK_FONT_ENV)
    return Settings(
        data_dir=directory,
        database_url=url,
        base_url=(given or DEFAULT_BASE_URL).rstrip("/"),
        base_url_given=given is not None,
        master_key=read(MASTER_KEY_ENV),
        trust_dir=Path(trust_dir) if trust_dir else None,
        cjk_font=Path(cjk_font) if cjk_font else None,
        limits=load_limits(source),
        max_credential_bytes=_positive(source, MAX_CREDENTIAL_BYTES_ENV, MAX_CREDENTIAL_BYTES),
        verify_time_budget=_positive(source, VERIFY_TIME_BUDGET_ENV, VERIFY_TIME_BUDGET_SECONDS),
        body_timeout=_positive(source, BODY_TIMEOUT_ENV, BODY_TIMEOUT_SECONDS),
        smtp=_smtp(read(SMTP_URL_ENV), read(SMTP_USER_ENV), read(SMTP_PASSWORD_ENV)),
        mail_from=_mail_from(read(MAIL_FROM_ENV)),
        privacy_policy_url=_https_url(PRIVACY_URL_ENV, read(PRIVACY_URL_ENV)),
        terms_url=_https_url(TERMS_URL_ENV, read(TERMS_URL_ENV)),
        service_image_url=_https_url(SERVICE_IMAGE_URL_ENV, read(SERVICE_IMAGE_URL_ENV)),
        ce_reminder_days=_reminder_days(read(CE_REMINDER_DAYS_ENV)),
        did_web_http_localhost=_flag(DID_WEB_HTTP_LOCALHOST_ENV, read(DID_WEB_HTTP_LOCALHOST_ENV)),
        webhooks_allow_loopback=_flag(
            WEBHOOKS_ALLOW_LOOPBACK_ENV, read(WEBHOOKS_ALLOW_LOOPBACK_ENV)
        ),
        oidc=_oidc(read),
        nightly_hour=_hour(read(NIGHTLY_HOUR_ENV)),
        outbox_sweep_seconds=_sweep(read(OUTBOX_SWEEP_ENV)),
        import_batch_rows=_batch_rows(read(IMPORT_BATCH_ROWS_ENV)),
    )


def _batch_rows(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isdigit() and 1 <= int(value) <= MAX_IMPORT_BATCH_ROWS):
        raise CredstackError(
            f"{IMPORT_BATCH_ROWS_ENV}={value!r}: use a number of rows from 1 to "
            f"{MAX_IMPORT_BATCH_ROWS}"
        )
    return int(value)


def _sweep(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isdigit() and 1 <= int(value) <= MAX_OUTBOX_SWEEP_SECONDS):
        raise CredstackError(
            f"{OUTBOX_SWEEP_ENV}={value!r}: use seconds from 1 to {MAX_OUTBOX_SWEEP_SECONDS}"
        )
    return int(value)


def _hour(value: str | None) -> int:
    """An hour of the day, 0 to 23; unset, 3 (03:00 UTC)."""
    if value is None:
        return 3
    if not (value.isdigit() and 0 <= int(value) <= 23):
        raise CredstackError(f"{NIGHTLY_HOUR_ENV}={value!r}: use an hour from 0 to 23")
    return int(value)


def _flag(name: str, value: str | None) -> bool:
    """A yes/no variable: 1/true/yes or 0/false/no (unset: no); anything else is refused."""
    if value is None or value.lower() in ("0", "false", "no"):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise CredstackError(f"{name}={value!r}: use 1 or 0")


def _https_url(name: str, value: str | None) -> str | None:
    """A page a client shows the learner: an absolute http(s) URL of bounded length."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(value) > 2000:
        raise CredstackError(f"{name}={value!r}: use an absolute https URL")
    return value


_SMTP_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True)
class Smtp:
    """An SMTP server to hand mail to. `security` is `plain`, `starttls` or `tls` (from the
    URL's scheme). The password is left out of `repr` and of `shown`, so neither a log line
    nor a traceback that prints the settings gives it away."""

    host: str
    port: int
    security: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        scheme = {v[0]: k for k, v in _SMTP_SCHEMES.items()}[self.security]
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def _smtp(url: str | None, user: str | None, password: str | None) -> Smtp | None:
    """`CREDSTACK_SMTP_URL` (with `CREDSTACK_SMTP_USER`/`_PASSWORD` when the URL has none);
    a bad URL is refused naming the variable, with any password in it masked."""
    if url is None:
        return None
    parts = urlsplit(url)
    masked = url.replace(f":{parts.password}@", ":***@") if parts.password else url

    def refuse(why: str) -> InvalidInput:
        return InvalidInput(f"{SMTP_URL_ENV}={masked!r}: {why}")

    scheme = _SMTP_SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise refuse("use smtp://, smtp+starttls:// or smtps://HOST[:PORT]")
    if not parts.hostname:
        raise refuse("name the mail server's host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise refuse("give only the scheme, user, password, host and port")
    try:
        port = parts.port or scheme[1]
    except ValueError:
        raise refuse("the port must be a number from 1 to 65535") from None
    username = unquote(parts.username) if parts.username else user
    secret = unquote(parts.password) if parts.password else password
    return Smtp(parts.hostname, port, scheme[0], username, secret)


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_OIDC_NAME = 80
_MAX_OIDC_DOMAINS = 50


@dataclass(frozen=True)
class Oidc:
    """An institution's OpenID Connect provider. `issuer` is its issuer URL (discovery at
    `issuer/.well-known/openid-configuration`); `name` labels the button ("Sign in with
    <name>"); `domains`, when given, are the only e-mail domains it may sign in. The secret is
    left out of `repr`, like the SMTP password."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    name: str = "your institution"
    domains: tuple[str, ...] = ()


def _oidc(read: Callable[[str], str | None]) -> Oidc | None:
    """All three of issuer, client id and secret, or none: half a configuration is refused,
    so a typo cannot silently hide the button."""
    issuer, client_id, secret = (
        read(OIDC_ISSUER_ENV),
        read(OIDC_CLIENT_ID_ENV),
        read(OIDC_CLIENT_SECRET_ENV),
    )
    if issuer is None and client_id is None and secret is None:
        return None
    if issuer is None or client_id is None or secret is None:
        raise InvalidInput(
            f"set all of {OIDC_ISSUER_ENV}, {OIDC_CLIENT_ID_ENV} and {OIDC_CLIENT_SECRET_ENV}, "
            "or none of them"
        )
    parts = urlsplit(issuer)
    local = parts.hostname in _LOCAL_HOSTS
    if (
        not (parts.scheme == "https" or (parts.scheme == "http" and local))
        or not parts.hostname
        or parts.query
        or parts.fragment
        or len(issuer) > 2000
    ):
        raise InvalidInput(
            f"{OIDC_ISSUER_ENV}={issuer!r}: use the provider's https issuer URL "
            "(plain http only for localhost)"
        )
    name = read(OIDC_NAME_ENV) or Oidc.name
    if len(name) > _MAX_OIDC_NAME or any(ord(c) < 32 for c in name):
        raise InvalidInput(f"{OIDC_NAME_ENV}: one line of at most {_MAX_OIDC_NAME} characters")
    given = {d.strip().lower().lstrip("@") for d in (read(OIDC_DOMAINS_ENV) or "").split(",")}
    domains = tuple(sorted(given - {""}))
    if len(domains) > _MAX_OIDC_DOMAINS or not all(
        "." in d and " " not in d and "@" not in d for d in domains
    ):
        raise InvalidInput(f"{OIDC_DOMAINS_ENV}: e-mail domains separated by commas, e.g. uni.edu")
    return Oidc(issuer.rstrip("/"), client_id, secret, name, domains)


def _mail_from(address: str | None) -> str | None:
    if address is not None and (address.count("@") != 1 or any(c in address for c in " <>,")):
        raise InvalidInput(f"{MAIL_FROM_ENV}={address!r}: give one bare address, name@host")
    return address


def _reminder_days(raw: str | None) -> tuple[int, ...]:
    """`90,30,7`: whole days before a cycle ends, each from 1 to ten years, at most ten."""
    if raw is None:
        return DEFAULT_CE_REMINDER_DAYS
    problem = f"{CE_REMINDER_DAYS_ENV}={raw!r}: give days before a cycle ends, e.g. 90,30,7"
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) > 10 or not all(p.isdigit() for p in parts):
        raise InvalidInput(problem)
    days = sorted({int(p) for p in parts}, reverse=True)
    if not all(1 <= d <= MAX_REMINDER_DAYS for d in days):
        raise InvalidInput(f"{problem} (each from 1 to {MAX_REMINDER_DAYS})")
    return tuple(days)


_Number = TypeVar("_Number", int, float)


def _positive(source: Mapping[str, str], name: str, default: _Number) -> _Number:
    """A positive number from the environment; a bad value is refused, not ignored."""
    raw = source.get(name, "").strip()
    if not raw:
        return default
    try:
        value = type(default)(raw)
    except ValueError:
        raise InvalidInput(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise InvalidInput(f"{name}={raw!r} must be positive")
    return value


def debug_requested(env: Mapping[str, str] | None = None) -> bool:
    """`CREDSTACK_DEBUG` set: let an unexpected error's traceback through. Read apart from
    `load_settings` because the CLI asks after a failure, when settings may be what failed."""
    source = os.environ if env is None else env
    return bool(source.get(DEBUG_ENV, "").strip())

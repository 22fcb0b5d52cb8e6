"""Context URLs, type names and schema ids shared by the document builders and the verifier."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "CLR_CONTEXT",
    "OB3_CONTEXT",
    "OB3_CONTEXT_PATTERN",
    "OB3_EXTENSIONS_CONTEXT",
    "OB3_SCHEMA_URL",
    "ROUTE_EVIDENCE_NAME",
    "SCHEMA_VALIDATOR_TYPE",
    "VC2_CONTEXT",
    "format_datetime",
    "parse_datetime",
]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_CONTEXT_PATTERN = r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB3_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
# The Evidence entry that records the earning route; the verifier's summary looks for it.
ROUTE_EVIDENCE_NAME = "Earning route"


def format_datetime(value: datetime) -> str:
    """Write an XSD dateTime in UTC; a naive datetime is refused, its instant is unknown."""
    if value.tzinfo is None:
        raise ValueError("A credential date must carry a time zone.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object) -> datetime | None:
    """Read an XSD dateTime; anything unreadable or without a zone is ``None``, never a guess."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed

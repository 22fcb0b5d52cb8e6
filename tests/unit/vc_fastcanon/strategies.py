"""Hypothesis strategies for the credentials credstack issues and verifies.

OB 3.0 AchievementCredentials and EndorsementCredentials, CLR 2.0 records wrapping signed
credentials (each with its own ``@context`` and a ``proof`` graph), Bitstring status list
credentials and Data Integrity proof configurations — with awkward text (control
characters, quotes, RTL, astral characters), numbers, optional fields, single values and
arrays, one or several types. Every term used is defined by the chosen contexts, so the
fast path must take every document drawn here.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_VERSIONS = [
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    OB3,
]
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
STATUS = "https://www.w3.org/ns/credentials/status/v1"
DATA_INTEGRITY = "https://w3id.org/security/data-integrity/v1"

TRICKY = [
    'tab\there, new\nline, return\r, quote " and backslash \\',
    "bell\x07 backspace\x08 form feed\x0c escape\x1b delete\x7f nul\x00",
    "accents é ü ñ, combining e\u0301, CJK 漢字, RTL עברית العربية \u200f",
    "astral 😀 𝔘 beside private use \ue000 and \ufffd",
    "",
    " ",
    "<not an iri>",
    "_:b0",
]

texts = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=24),
)
_slug = st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=12)
iris = st.one_of(
    st.builds("https://example.edu/{}".format, _slug),
    st.builds("urn:uuid:{}".format, st.uuids()),
    st.builds("did:example:{}".format, _slug),
    st.builds("https://example.org/a/{}?q={}#f".format, _slug, _slug),
)
dates = st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)
numbers = st.one_of(
    st.integers(-(10**9), 10**9),
    st.integers(10**20, 10**22),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 3.0, 2.5, 1e-7, 1e21, 123456789.125]),
)


def _maybe(draw: st.DrawFn, value: st.SearchStrategy[Any], p: float = 0.5) -> Any:
    return draw(value) if draw(st.floats(0, 1)) < p else None


def _one_or_many(draw: st.DrawFn, item: st.SearchStrategy[Any], max_size: int = 3) -> Any:
    if draw(st.booleans()):
        return draw(item)
    return draw(st.lists(item, min_size=0, max_size=max_size))


def _type(draw: st.DrawFn, name: str) -> Any:
    return draw(st.sampled_from([name, [name]]))


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


@st.composite
def images(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(iris)
    image: dict[str, Any] = {"id": draw(iris), "type": "Image"}
    _put(image, "caption", _maybe(draw, texts))
    return image


@st.composite
def profiles(draw: st.DrawFn) -> Any:
    if draw(st.floats(0, 1)) < 0.2:
        return draw(iris)
    profile: dict[str, Any] = {"id": draw(iris), "type": _type(draw, "Profile")}
    _put(profile, "name", _maybe(draw, texts, 0.9))
    _put(profile, "url", _maybe(draw, iris))
    _put(profile, "email", _maybe(draw, texts))
    _put(profile, "phone", _maybe(draw, texts, 0.2))
    _put(profile, "description", _maybe(draw, texts, 0.3))
    _put(profile, "image", _maybe(draw, images()))
    _put(profile, "official", _maybe(draw, texts, 0.2))
    if draw(st.floats(0, 1)) < 0.2:
        address: dict[str, Any] = {"type": ["Address"]}
        _put(address, "addressCountry", _maybe(draw, texts))
        _put(address, "postalCode", _maybe(draw, texts))
        profile["address"] = address
    return profile


@st.composite
def alignments(draw: st.DrawFn) -> dict[str, Any]:
    alignment: dict[str, Any] = {
        "type": _type(draw, "Alignment"),
        "targetName": draw(texts),
        "targetUrl": draw(iris),
    }
    _put(alignment, "targetType", _maybe(draw, st.sampled_from(["ceasn:Competency", "CFItem"])))
    _put(alignment, "targetCode", _maybe(draw, texts))
    _put(alignment, "targetFramework", _maybe(draw, texts))
    _put(alignment, "targetDescription", _maybe(draw, texts, 0.3))
    return alignment


@st.composite
def result_descriptions(draw: st.DrawFn) -> dict[str, Any]:
    description: dict[str, Any] = {
        "id": draw(iris),
        "type": _type(draw, "ResultDescription"),
        "name": draw(texts),
        "resultType": draw(
            st.sampled_from(["RubricCriterionLevel", "Status", "GradePointAverage"])
        ),
    }
    _put(description, "allowedValue", _maybe(draw, st.lists(texts, max_size=4)))
    _put(description, "requiredValue", _maybe(draw, texts))
    _put(description, "valueMin", _maybe(draw, texts, 0.2))
    if draw(st.floats(0, 1)) < 0.3:
        description["rubricCriterionLevel"] = [
            {
                "id": draw(iris),
                "type": _type(draw, "RubricCriterionLevel"),
                "name": draw(texts),
                "points": draw(texts),
            }
        ]
    return description


@st.composite
def achievements(draw: st.DrawFn, *, depth: int = 0) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": draw(iris),
        "type": _type(draw, "Achievement"),
        "name": draw(texts),
        "criteria": draw(
            st.one_of(
                st.builds(lambda n: {"narrative": n}, texts),
                st.builds(lambda i, n: {"id": i, "narrative": n}, iris, texts),
                st.builds(lambda i: {"id": i}, iris),
            )
        ),
    }
    _put(achievement, "description", _maybe(draw, texts, 0.8))
    _put(achievement, "achievementType", _maybe(draw, st.sampled_from(["Badge", "Certificate"])))
    _put(achievement, "humanCode", _maybe(draw, texts))
    _put(achievement, "fieldOfStudy", _maybe(draw, texts))
    _put(achievement, "creditsAvailable", _maybe(draw, numbers))
    _put(achievement, "image", _maybe(draw, images()))
    _put(achievement, "tag", _maybe(draw, st.lists(texts, max_size=4)))
    _put(achievement, "version", _maybe(draw, texts, 0.2))
    _put(achievement, "creator", _maybe(draw, profiles(), 0.3))
    _put(achievement, "alignment", _maybe(draw, st.lists(alignments(), max_size=3)))
    _put(
        achievement, "resultDescription", _maybe(draw, st.lists(result_descriptions(), max_size=2))
    )
    if depth == 0 and draw(st.floats(0, 1)) < 0.15:
        achievement["endorsement"] = [draw(endorsement_credentials(depth=depth + 1))]
    return achievement


@st.composite
def results(draw: st.DrawFn) -> dict[str, Any]:
    result: dict[str, Any] = {"type": _type(draw, "Result")}
    _put(result, "resultDescription", _maybe(draw, iris, 0.7))
    _put(result, "value", _maybe(draw, texts, 0.7))
    _put(result, "status", _maybe(draw, st.sampled_from(["Completed", "Provisional"])))
    _put(result, "achievedLevel", _maybe(draw, iris, 0.2))
    return result


@st.composite
def evidence_items(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {"type": _type(draw, "Evidence")}
    _put(item, "id", _maybe(draw, iris))
    _put(item, "name", _maybe(draw, texts))
    _put(item, "narrative", _maybe(draw, texts))
    _put(item, "genre", _maybe(draw, texts, 0.3))
    _put(item, "audience", _maybe(draw, texts, 0.2))
    return item


@st.composite
def status_entries(draw: st.DrawFn) -> dict[str, Any]:
    index = draw(st.integers(0, 131071))
    base = draw(iris)
    return {
        "id": f"{base}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": draw(st.sampled_from(["revocation", "suspension"])),
        "statusListIndex": str(index),
        "statusListCredential": base,
    }


@st.composite
def proofs(draw: st.DrawFn) -> dict[str, Any]:
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": draw(dates),
        "verificationMethod": draw(iris) + "#key-1",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + draw(st.text("123456789ABCDEFGHJKLMNPQRSTUVWXYZabc", min_size=8)),
    }
    return proof


@st.composite
def identity_objects(draw: st.DrawFn) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "IdentityObject",
        "hashed": draw(st.booleans()),
        "identityHash": draw(texts),
        "identityType": draw(st.sampled_from(["emailAddress", "name", "sourcedId"])),
    }
    _put(identity, "salt", _maybe(draw, texts))
    return identity


def _credential_base(draw: st.DrawFn, context: list[str], kind: str) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": context,
        "type": draw(
            st.sampled_from([["VerifiableCredential", kind], [kind, "VerifiableCredential"]])
        ),
        "issuer": draw(profiles()),
        "validFrom": draw(dates),
        "name": draw(texts),
    }
    _put(credential, "id", _maybe(draw, iris, 0.8))
    _put(credential, "description", _maybe(draw, texts))
    _put(credential, "validUntil", _maybe(draw, dates, 0.3))
    _put(credential, "awardedDate", _maybe(draw, dates, 0.3))
    _put(credential, "credentialStatus", _maybe(draw, status_entries(), 0.4))
    _put(credential, "evidence", _maybe(draw, st.lists(evidence_items(), max_size=2), 0.3))
    _put(credential, "image", _maybe(draw, images(), 0.2))
    if EXTENSIONS in context and draw(st.booleans()):
        credential["credentialSchema"] = [
            {
                "id": draw(iris),
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ]
    return credential


def _ob_context(draw: st.DrawFn) -> list[str]:
    context = [VC2, OB3]
    if draw(st.booleans()):
        context.append(EXTENSIONS)
    return context


@st.composite
def achievement_credentials(draw: st.DrawFn, *, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.sampled_from(["OpenBadgeCredential", "AchievementCredential"]))
    credential = _credential_base(draw, _ob_context(draw), kind)
    subject: dict[str, Any] = {
        "type": _type(draw, "AchievementSubject"),
        "achievement": draw(achievements(depth=depth)),
    }
    _put(subject, "id", _maybe(draw, iris, 0.7))
    _put(subject, "identifier", _maybe(draw, st.lists(identity_objects(), max_size=2), 0.4))
    _put(subject, "result", _maybe(draw, st.lists(results(), max_size=3), 0.5))
    _put(subject, "creditsEarned", _maybe(draw, numbers, 0.4))
    _put(subject, "activityStartDate", _maybe(draw, dates, 0.3))
    _put(subject, "activityEndDate", _maybe(draw, dates, 0.3))
    _put(subject, "licenseNumber", _maybe(draw, texts, 0.2))
    _put(subject, "role", _maybe(draw, texts, 0.2))
    credential["credentialSubject"] = subject
    if depth == 0 and draw(st.floats(0, 1)) < 0.15:
        credential["endorsement"] = [draw(endorsement_credentials(depth=depth + 1))]
    return credential


@st.composite
def endorsement_credentials(draw: st.DrawFn, *, depth: int = 0) -> dict[str, Any]:
    credential = _credential_base(draw, _ob_context(draw), "EndorsementCredential")
    subject: dict[str, Any] = {"id": draw(iris), "type": _type(draw, "EndorsementSubject")}
    _put(subject, "endorsementComment", _maybe(draw, texts))
    credential["credentialSubject"] = subject
    if depth > 0 or draw(st.booleans()):
        credential["proof"] = draw(proofs())
    return credential


@st.composite
def signed_credentials(draw: st.DrawFn) -> dict[str, Any]:
    credential = draw(achievement_credentials(depth=1))
    credential["proof"] = draw(st.one_of(proofs(), st.lists(proofs(), min_size=1, max_size=2)))
    return credential


@st.composite
def clr_credentials(draw: st.DrawFn) -> dict[str, Any]:
    credential = _credential_base(draw, [VC2, CLR, OB3], "ClrCredential")
    credential.pop("credentialSchema", None)
    inner = draw(st.lists(signed_credentials(), min_size=1, max_size=3))
    subject: dict[str, Any] = {"type": _type(draw, "ClrSubject"), "verifiableCredential": inner}
    _put(subject, "id", _maybe(draw, iris, 0.7))
    _put(subject, "identifier", _maybe(draw, st.lists(identity_objects(), max_size=1), 0.3))
    if len(inner) > 1 and draw(st.booleans()):
        subject["association"] = [
            {
                "type": "Association",
                "associationType": draw(st.sampled_from(["isPartOf", "precedes"])),
                "sourceId": inner[0]["credentialSubject"]["achievement"]["id"],
                "targetId": inner[1]["credentialSubject"]["achievement"]["id"],
            }
        ]
    credential["credentialSubject"] = subject
    _put(credential, "partial", _maybe(draw, st.booleans(), 0.3))
    return credential


@st.composite
def status_list_credentials(draw: st.DrawFn) -> dict[str, Any]:
    context = draw(st.sampled_from([[VC2], [VC2, STATUS]]))
    credential: dict[str, Any] = {
        "@context": context,
        "id": draw(iris),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": draw(iris),
        "validFrom": draw(dates),
        "credentialSubject": {
            "id": draw(iris) + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": draw(st.sampled_from(["revocation", "suspension", "message"])),
            "encodedList": "u" + draw(st.text(string.ascii_letters + string.digits + "-_")),
        },
    }
    _put(credential, "validUntil", _maybe(draw, dates, 0.3))
    if draw(st.booleans()):
        credential["credentialSubject"]["ttl"] = draw(st.integers(0, 10**6))
    return credential


@st.composite
def proof_configurations(draw: st.DrawFn) -> dict[str, Any]:
    config = draw(proofs())
    del config["proofValue"]
    config["@context"] = draw(
        st.sampled_from([[VC2, OB3], [VC2, OB3, EXTENSIONS], [VC2, CLR, OB3], [VC2]])
    )
    return config


documents = st.one_of(
    achievement_credentials(),
    endorsement_credentials(),
    clr_credentials(),
    status_list_credentials(),
    signed_credentials(),
    proof_configurations(),
)

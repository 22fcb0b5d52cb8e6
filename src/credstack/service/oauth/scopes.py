"""The scope URIs of the Open Badges 3.0 and CLR 2.0 APIs (each spec's section 6.2.1), and
what each lets a client do, in the words the consent page shows the learner."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ALL_SCOPES",
    "OFFERED",
    "OFFERED_SCOPES",
    "OFFLINE_ACCESS",
    "Api",
    "Scope",
    "described",
    "scope_uri",
]


class Api(StrEnum):
    OB = "ob/v3p0"
    CLR = "clr/v2p0"


class Scope(StrEnum):
    CREDENTIAL_READONLY = "credential.readonly"
    CREDENTIAL_UPSERT = "credential.upsert"
    PROFILE_READONLY = "profile.readonly"
    PROFILE_UPDATE = "profile.update"


OFFLINE_ACCESS = "offline_access"
"""Not a spec scope: clients send it (the spec's own examples do) to ask for a refresh token.
It grants nothing by itself; credstack accepts it so such requests are not refused."""

_WORDS = {
    Scope.CREDENTIAL_READONLY: "see the {what} credentials you hold here",
    Scope.CREDENTIAL_UPSERT: "add {what} credentials to your record here",
    Scope.PROFILE_READONLY: "see your profile (your name and your id here)",
    Scope.PROFILE_UPDATE: "change your name here, and ask to change your e-mail address "
    "(it changes only once you confirm it from the new address)",
}
_WHAT = {Api.OB: "Open Badges", Api.CLR: "Comprehensive Learner Record"}


def scope_uri(api: Api, scope: Scope) -> str:
    return f"https://purl.imsglobal.org/spec/{api.value}/scope/{scope.value}"


def described(uri: str) -> str:
    """What granting `uri` lets the client do, in plain words."""
    if uri == OFFLINE_ACCESS:
        return "keep this access after you leave, until you or it revokes it"
    for api in Api:
        for scope in Scope:
            if scope_uri(api, scope) == uri:
                return _WORDS[scope].format(what=_WHAT[api])
    raise ValueError(f"not a scope credstack offers: {uri}")


ALL_SCOPES: tuple[str, ...] = (
    *(scope_uri(api, scope) for api in Api for scope in Scope),
    OFFLINE_ACCESS,
)

OFFERED: dict[Api, tuple[Scope, ...]] = {
    Api.OB: (
        Scope.CREDENTIAL_READONLY,
        Scope.CREDENTIAL_UPSERT,
        Scope.PROFILE_READONLY,
        Scope.PROFILE_UPDATE,
    ),
    Api.CLR: (
        Scope.CREDENTIAL_READONLY,
        Scope.CREDENTIAL_UPSERT,
        Scope.PROFILE_READONLY,
        Scope.PROFILE_UPDATE,
    ),
}
"""The scopes whose endpoints credstack serves, per API: every scope of both specs."""

OFFERED_SCOPES: frozenset[str] = frozenset(
    {
        *(scope_uri(api, scope) for api, scopes in OFFERED.items() for scope in scopes),
        OFFLINE_ACCESS,
    }
)
"""What a grant can hold. A client may register and ask for any of the specs' scopes; the
learner is shown, and the token carries, only these (RFC 6749 §3.3 lets a server grant less
than was asked, and the token response says what was granted)."""

"""OAuth 2.0 for the 1EdTech Open Badges 3.0 and CLR 2.0 APIs, on authlib's authorization
server: client registration (RFC 7591), the authorization code grant with PKCE S256 only
(RFC 7636) and the learner's consent, rotating refresh tokens, revocation (RFC 7009), and
the bearer token that makes a client a `DELEGATE` actor for the scopes it was granted.

`scopes` names the specs' scope URIs, `authority` adapts authlib to credstack's store and
clock, `flows` holds the use cases the HTTP edge calls.
"""

from credstack.service.oauth import authority, flows, scopes

__all__ = ["authority", "flows", "scopes"]

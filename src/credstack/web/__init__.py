"""Server-rendered pages (Jinja2): plain HTML that works without JavaScript.

Each area has its own router module (``catalog_pages``, ``learner_pages``,
``employer_pages``, ``session_pages``, ``signin_pages``, ``consent_pages`` for OAuth consent,
``wallet_pages`` for a signed-in learner, ``holder_pages`` for binding their DID and sending a
credential to a wallet app; ``verify_pages`` keeps /verify and /share) and its
templates under ``templates/``, extending ``base.html``; ``static/`` holds the one stylesheet.
Pages read who is signed in (staff or a learner, an ``Actor``) with
``http.session.session_actor_of``.
"""

from credstack.web.auth import COOKIE_NAME
from credstack.web.verify_pages import router, templates

__all__ = ["COOKIE_NAME", "router", "templates"]

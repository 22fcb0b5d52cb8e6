"""Server-rendered pages (Jinja2): plain HTML that works without JavaScript.

Each area has its own router module (``catalog_pages``, ``learner_pages``,
``employer_pages``, ``session_pages``, ``signin_pages``, ``consent_pages`` for OAuth consent,
``email_change_pages`` for confirming a new e-mail address,
``wallet_pages`` for a signed-in learner, ``holder_pages`` for binding their DID and sending a
credential to a wallet app; ``console_pages`` for signed-in staff, with ``console_review_pages``
and ``console_import_pages`` for an issuer's review queue, flagged awards and imports;
``verify_pages`` keeps /verify, /share and the favicon) and its templates under ``templates/``,
extending ``base.html``; ``static/`` holds the one stylesheet and the icon. ``page`` renders
every error of a page URL as ``error.html``.
Pages read who is signed in (staff or a learner, an ``Actor``) with
``http.session.session_actor_of``.
"""

from credstack.web.auth import COOKIE_NAME
from credstack.web.verify_pages import router, templates

__all__ = ["COOKIE_NAME", "router", "templates"]

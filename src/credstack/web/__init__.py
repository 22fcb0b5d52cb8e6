"""Server-rendered pages (Jinja2): plain HTML that works without JavaScript.

Each area has its own router module (``catalog_pages``, ``learner_pages``,
``employer_pages``, ``session_pages``; ``verify_pages`` keeps /verify and /share) and its templates
under ``templates/``, extending ``base.html``; ``static/`` holds the one stylesheet. Staff
pages read the signed-in principal with ``auth.current_principal``.
"""

from credstack.web.auth import COOKIE_NAME, current_principal
from credstack.web.verify_pages import router, templates

__all__ = ["COOKIE_NAME", "current_principal", "router", "templates"]

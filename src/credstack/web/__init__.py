"""Server-rendered pages (Jinja2): plain HTML that works without JavaScript.

Each area adds its pages to ``routes.router`` and its templates under ``templates/``,
extending ``base.html``; ``static/`` holds the one stylesheet.
"""

from credstack.web.routes import router, templates

__all__ = ["router", "templates"]

"""WSGI entry point (granian or gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
application = get_wsgi_application()
# Import every view now, while the worker starts, not in its first request: Django loads the
# URLconf lazily, and importing the views (scikit-learn among them) took about 2 s, so the
# first submissions after a deploy or a worker restart waited that long.
get_resolver().url_patterns  # noqa: B018

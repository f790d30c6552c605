"""WSGI entry point (granian or gunicorn)."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcx.settings")
application = get_wsgi_application()
# Import every view now, while the worker starts, not in its first request: Django loads the
# URLconf lazily, and importing the views (scikit-learn among them) took about 2 s, so the
# first submissions after a deploy or a worker restart waited that long.
get_resolver().url_patterns  # noqa: B018
# Then take what start-up left (modules, classes, the URLconf: about 240,000 objects) out of the
# garbage collector's reach. A full collection walks every object it tracks with the GIL held;
# with those in it, it stopped the worker and every request in it for 100-170 ms, about once
# a minute per worker under the benchmark's load (docs/benchmarks.md, "Ingest": the trace).
# Frozen objects stay alive for the worker's life, which start-up's were anyway; whatever is
# garbage already is collected first. GC_FREEZE=0 turns it off, for comparison.
if settings.GC_FREEZE:
    gc.collect()
    gc.freeze()

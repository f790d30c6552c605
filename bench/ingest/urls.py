"""Bench-only URLconf: the product's URLs plus `/bench/ceiling-view`.

The issue's ceiling is "a minimal durable-write view on the same server and database": this
view is routed and wrapped by exactly the product's middleware (security headers, sessions,
locale, CSRF exemption like the API, …) and does one INSERT of the raw body. The bench sets
ROOT_URLCONF=bench.ingest.urls; the product never does.
"""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.ingest.views import ceiling_view
from govcx.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/ceiling-view", csrf_exempt(ceiling_view)), *product_urlpatterns]

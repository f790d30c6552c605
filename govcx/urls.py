from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from govcx.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="core:home", permanent=False)),
    path("", include("govcx.core.urls")),
    path("", include("govcx.feedback.urls")),
    path("", include("govcx.metrics.urls")),
    path("", include("govcx.metrics.urls_alerts")),
    path("", include("govcx.metrics.urls_drivers")),
    path("", include("govcx.metrics.urls_public")),
    path("", include("govcx.contact.urls")),
    path("", include("govcx.assist.urls")),
    path("", include("govcx.journeys.urls")),
    path("", include("govcx.improve.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

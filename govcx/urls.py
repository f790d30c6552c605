from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from govcx.api import api
from govcx.feedback import api as feedback_api

urlpatterns = [
    # First: the public submission is the busiest path, and Django tries patterns in order.
    # `submit_direct` serves the operation that govcx.feedback.api.submit documents.
    path("api/v1/touchpoints/<uuid:public_id>/responses", feedback_api.submit_direct,
         name="api_submit"),
    path("api/v1/", api.urls),
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
    path("admin/", admin.site.urls),
]

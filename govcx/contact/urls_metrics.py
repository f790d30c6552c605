"""Contact-centre metrics pages (staff): figures, drill-down to cases, CSV export."""

from django.urls import URLPattern, path

from govcx.contact import views_metrics

urlpatterns: list[URLPattern] = [
    path("staff/contact/metrics/", views_metrics.metrics, name="metrics"),
    path("staff/contact/metrics/cases/", views_metrics.metrics_cases, name="metrics_cases"),
    path("staff/contact/metrics/export.csv", views_metrics.metrics_export,
         name="metrics_export"),
]

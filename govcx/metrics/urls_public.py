"""The public transparency dashboard (no sign-in). Included at the site root:
path("", include("govcx.metrics.urls_public"))."""

from django.urls import URLPattern, path

from govcx.metrics import views_public as v

app_name = "transparency"
urlpatterns: list[URLPattern] = [
    path("transparency/", v.index, name="index"),
    path("transparency/<slug:agency_slug>/", v.agency_page, name="agency"),
    path("transparency/<slug:agency_slug>/data.<str:fmt>", v.agency_data, name="agency_data"),
    path("transparency/<slug:agency_slug>/<slug:service_slug>/", v.service_page,
         name="service"),
    path("transparency/<slug:agency_slug>/<slug:service_slug>/data.<str:fmt>", v.service_data,
         name="service_data"),
]

"""Journey URLs: maps, imports and intended journeys (urls_map); friction points and personas
(urls_personas)."""

from django.urls import include, path

app_name = "journeys"
urlpatterns = [
    path("", include("govcx.journeys.urls_map")),
    path("", include("govcx.journeys.urls_personas")),
]

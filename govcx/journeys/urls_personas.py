"""Friction points of a service and persona cards (staff)."""

from django.urls import URLPattern, path

from govcx.journeys import views_personas as v

urlpatterns: list[URLPattern] = [
    path("staff/journeys/<int:service_id>/friction/", v.friction, name="friction"),
    # "Propose an action": opens an insight from the friction point (govcx.improve)
    path("staff/journeys/<int:service_id>/friction/<str:key>/action/", v.friction_action,
         name="friction_action"),
    path("staff/journeys/personas/", v.personas, name="personas"),
    path("staff/journeys/personas/status.json", v.personas_status, name="personas_status"),
    path("staff/journeys/personas/run/", v.personas_run, name="personas_run"),
    path("staff/journeys/personas/<int:persona_id>/edit/", v.persona_edit,
         name="persona_edit"),
]

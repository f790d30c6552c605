"""Journey maps, drill-down, intended journeys, imports and exports (staff)."""

from django.urls import URLPattern, path

from govcx.journeys import views_map as v

urlpatterns: list[URLPattern] = [
    path("staff/journeys/", v.index, name="index"),
    path("staff/journeys/<int:service_id>/", v.journey_map, name="map"),
    path("staff/journeys/<int:service_id>/journeys/", v.journey_cases, name="cases"),
    path("staff/journeys/<int:service_id>/intended/", v.intended_edit, name="intended"),
    path("staff/journeys/<int:service_id>/import/", v.import_upload, name="import"),
    path("staff/journeys/<int:service_id>/export/<str:fmt>/", v.export, name="export"),
    path("staff/journeys/imports/<int:import_id>/", v.import_status, name="import_status"),
    path("staff/journeys/imports/<int:import_id>/status.json", v.import_status_json,
         name="import_status_json"),
]

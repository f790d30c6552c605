from django.urls import path

from govcx.metrics import views, views_kpi

app_name = "metrics"
urlpatterns = [
    path("staff/services/<int:service_id>/dashboard/", views.dashboard, name="dashboard"),
    path("staff/kpis/", views_kpi.kpi_overview, name="kpi_overview"),
    path("staff/services/<int:service_id>/kpis/", views_kpi.service_kpis, name="service_kpis"),
    path("staff/services/<int:service_id>/targets/", views_kpi.targets, name="targets"),
    path("staff/services/<int:service_id>/targets/<int:target_id>/edit/",
         views_kpi.target_edit, name="target_edit"),
    path("staff/services/<int:service_id>/targets/<int:target_id>/delete/",
         views_kpi.target_remove, name="target_delete"),
]

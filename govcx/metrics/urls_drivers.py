"""Key drivers page (staff)."""

from django.urls import path

from govcx.metrics import views_drivers

app_name = "drivers"
urlpatterns = [
    path("staff/services/<int:service_id>/drivers/", views_drivers.drivers, name="drivers"),
]

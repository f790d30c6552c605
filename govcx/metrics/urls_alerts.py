from django.urls import path

from govcx.metrics import views_alerts

app_name = "alerts"
urlpatterns = [
    path("staff/alerts/", views_alerts.alerts_list, name="list"),
    path("staff/alerts/<int:alert_id>/acknowledge/", views_alerts.alert_acknowledge_view,
         name="acknowledge"),
]

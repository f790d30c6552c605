from django.urls import path

from govcx.metrics import views

app_name = "metrics"
urlpatterns = [path("staff/services/<int:service_id>/dashboard/", views.dashboard,
                    name="dashboard")]

from django.contrib.auth import views as auth_views
from django.urls import path

from govcx.core import (
    views,
    views_agency,
    views_notifications,
    views_owners,
    views_services,
    views_volumes,
)

app_name = "core"
urlpatterns = [
    path("staff/", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    *views_notifications.urlpatterns,
    path("staff/services/<int:service_id>/owners/", views_owners.service_owners,
         name="service_owners"),
    path("staff/agencies/<int:agency_id>/settings/", views_agency.agency_settings,
         name="agency_settings"),
    path("staff/services/new/", views_services.service_new, name="service_new"),
    path("staff/services/<int:service_id>/edit/", views_services.service_edit,
         name="service_edit"),
    path("staff/services/<int:service_id>/volumes/", views_volumes.service_volumes,
         name="service_volumes"),
]

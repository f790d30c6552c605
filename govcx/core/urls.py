from django.contrib.auth import views as auth_views
from django.urls import path

from govcx.core import views, views_notifications, views_owners

app_name = "core"
urlpatterns = [
    path("staff/", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    *views_notifications.urlpatterns,
    path("staff/services/<int:service_id>/owners/", views_owners.service_owners,
         name="service_owners"),
]

"""URL patterns for this part of the contact centre (included by govcx/contact/urls.py):
provider webhooks of the channels. The JSON endpoints (call records, chat handoff) are in
govcx/contact/api.py under /api/v1/."""

from django.urls import URLPattern, path

from govcx.contact import views_channels

urlpatterns: list[URLPattern] = [
    path("channels/sms/inbound/", views_channels.sms_inbound, name="sms_inbound"),
]

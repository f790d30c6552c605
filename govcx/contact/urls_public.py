"""The public web contact form (included by govcx/contact/urls.py)."""

from django.urls import URLPattern, path

from govcx.contact import views_public

urlpatterns: list[URLPattern] = [
    path("contact/<slug:agency_slug>/", views_public.contact_form, name="contact_form"),
    path("contact/<slug:agency_slug>/sent/", views_public.contact_sent, name="contact_sent"),
]

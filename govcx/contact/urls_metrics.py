"""URL patterns for this part of the contact centre (included by govcx/contact/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Assist URLs, one module per part: public help centre, staff knowledge base, the public
chat API of the assistant, staff assistant pages (intents, training, reports)."""

from django.urls import include, path

app_name = "assist"
urlpatterns = [
    path("", include("govcx.assist.urls_help")),
    path("", include("govcx.assist.urls_kb")),
    path("", include("govcx.assist.urls_chat")),
    path("", include("govcx.assist.urls_assistant")),
]

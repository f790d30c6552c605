"""Contact-centre URLs, one module per part so each can grow on its own."""

from django.urls import include, path

app_name = "contact"
urlpatterns = [
    path("", include("govcx.contact.urls_public")),
    path("", include("govcx.contact.urls_workspace")),
    path("", include("govcx.contact.urls_metrics")),
    path("", include("govcx.contact.urls_channels")),
]

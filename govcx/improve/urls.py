from django.urls import URLPattern, URLResolver

app_name = "improve"
urlpatterns: list[URLPattern | URLResolver] = []

"""The public help centre (included by govcx/assist/urls.py)."""

from django.urls import URLPattern, path

from govcx.assist import views_help as v

urlpatterns: list[URLPattern] = [
    path("help/<slug:agency_slug>/", v.help_home, name="help_home"),
    path("help/<slug:agency_slug>/search/", v.help_search, name="help_search"),
    path("help/<slug:agency_slug>/c/<slug:category_slug>/", v.help_category,
         name="help_category"),
    path("help/<slug:agency_slug>/a/<slug:article_slug>/", v.help_article, name="help_article"),
]

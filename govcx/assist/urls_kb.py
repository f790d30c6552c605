"""Staff knowledge base (included by govcx/assist/urls.py)."""

from django.urls import URLPattern, path

from govcx.assist import views_kb as v

urlpatterns: list[URLPattern] = [
    path("staff/knowledge/", v.kb_list, name="kb_list"),
    path("staff/knowledge/new/", v.kb_create, name="kb_create"),
    path("staff/knowledge/categories/", v.kb_categories, name="kb_categories"),
    path("staff/knowledge/gaps/", v.kb_gaps, name="kb_gaps"),
    path("staff/knowledge/feedback/", v.kb_feedback, name="kb_feedback"),
    path("staff/knowledge/<int:article_id>/", v.kb_article, name="kb_article"),
    path("staff/knowledge/<int:article_id>/edit/", v.kb_edit, name="kb_edit"),
    path("staff/knowledge/<int:article_id>/versions/", v.kb_versions, name="kb_versions"),
    path("staff/knowledge/<int:article_id>/transition/", v.kb_transition,
         name="kb_transition"),
]

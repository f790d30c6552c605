"""Insights, research notes, actions and CX maturity (staff pages)."""

from django.urls import URLPattern, URLResolver, path

from govcx.improve import views_actions as va
from govcx.improve import views_insights as vi
from govcx.improve import views_maturity as vm

app_name = "improve"
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/insights/", vi.board, name="board"),
    path("staff/insights/new/", vi.insight_new, name="insight_new"),
    path("staff/insights/opportunities/", vi.opportunities, name="opportunities"),
    path("staff/insights/<int:insight_id>/", vi.insight_detail, name="insight_detail"),
    path("staff/research/", vi.research_list, name="research_list"),
    path("staff/research/new/", vi.research_new, name="research_new"),
    path("staff/research/<int:note_id>/", vi.research_detail, name="research_detail"),
    path("staff/research/<int:note_id>/attachment/", vi.research_attachment,
         name="research_attachment"),
    path("staff/actions/", va.action_list, name="actions"),
    path("staff/actions/new/", va.action_new, name="action_new"),
    path("staff/actions/<int:action_id>/", va.action_detail, name="action_detail"),
    path("staff/actions/<int:action_id>/edit/", va.action_edit, name="action_edit"),
    path("staff/actions/<int:action_id>/status/", va.action_status, name="action_status"),
    path("staff/actions/<int:action_id>/public/", va.action_public, name="action_public"),
    path("staff/maturity/", vm.maturity_page, name="maturity"),
    path("staff/maturity/new/", vm.maturity_new, name="maturity_new"),
]

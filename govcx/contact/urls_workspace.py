"""The agent workspace, case and customer pages, supervisor view (included by contact/urls.py)."""

from django.urls import URLPattern, path

from govcx.contact import views_workspace as v

urlpatterns: list[URLPattern] = [
    path("staff/cases/", v.workspace, name="workspace"),
    path("staff/cases/list.json", v.workspace_json, name="workspace_json"),
    path("staff/cases/queues/", v.supervisor, name="supervisor"),
    path("staff/cases/queues/<int:queue_id>/availability/", v.supervisor_availability,
         name="supervisor_availability"),
    path("staff/cases/<int:case_id>/", v.case_detail, name="case"),
    path("staff/cases/<int:case_id>/action/", v.case_action, name="case_action"),
    path("staff/customers/<int:customer_id>/", v.customer_detail, name="customer"),
    path("staff/customers/<int:customer_id>/action/", v.customer_action,
         name="customer_action"),
]

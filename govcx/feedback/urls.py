from django.urls import path

from govcx.feedback import (
    views_a11,
    views_import,
    views_public,
    views_staff,
    views_surveys,
    views_themes,
)

app_name = "feedback"
urlpatterns = [
    # public
    path("s/<uuid:public_id>/", views_public.survey, name="survey"),
    path("s/<uuid:public_id>/thanks/", views_public.survey_thanks, name="survey_thanks"),
    path("s/<uuid:public_id>/qr.<str:fmt>", views_public.survey_qr, name="survey_qr"),
    path("s/i/<str:token>/", views_public.survey_invitation, name="survey_invitation"),
    # staff
    path("staff/responses/", views_staff.responses, name="responses"),
    path("staff/responses/<int:response_id>/", views_staff.response_detail,
         name="response_detail"),
    path("staff/responses/<int:response_id>/action/", views_staff.response_action,
         name="response_action"),
    path("staff/touchpoints/", views_staff.touchpoints, name="touchpoints"),
    path("staff/touchpoints/new/", views_surveys.touchpoint_new, name="touchpoint_new"),
    path("staff/surveys/", views_surveys.surveys, name="surveys"),
    path("staff/surveys/<int:survey_id>/", views_surveys.survey_detail, name="survey_detail"),
    path("staff/touchpoints/<int:touchpoint_id>/invite/", views_staff.invitation_send,
         name="invitation_send"),
    path("staff/a11/", views_a11.a11_list, name="a11_list"),
]
urlpatterns += [
    path("staff/a11/prepare/", views_a11.a11_prepare, name="a11_prepare"),
    path("staff/a11/<int:submission_id>/", views_a11.a11_detail, name="a11_detail"),
    path("staff/a11/<int:submission_id>/action/", views_a11.a11_action, name="a11_action"),
    path("staff/a11/<int:submission_id>/download/<str:kind>.csv", views_a11.a11_download,
         name="a11_download"),
    path("staff/touchpoints/<int:touchpoint_id>/import/", views_import.import_responses,
         name="import_responses"),
]
urlpatterns += [
    path("staff/imports/<int:job_id>/", views_import.import_job, name="import_job"),
    path("staff/imports/<int:job_id>/status.json", views_import.import_job_status,
         name="import_job_status"),
]
urlpatterns += [
    path("staff/themes/", views_themes.theme_list, name="themes"),
    path("staff/themes/<int:theme_id>/", views_themes.theme_detail, name="theme_detail"),
    path("staff/themes/<int:theme_id>/action/", views_themes.theme_action, name="theme_action"),
]

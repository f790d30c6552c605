from django.urls import path

from govcx.feedback import views_a11, views_public, views_staff

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
    path("staff/touchpoints/<int:touchpoint_id>/invite/", views_staff.invitation_send,
         name="invitation_send"),
    path("staff/a11/", views_a11.a11_list, name="a11_list"),
]

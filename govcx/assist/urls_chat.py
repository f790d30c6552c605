"""The assistant's public chat API (see govcx/assist/views_chat.py)."""

from django.urls import path

from govcx.assist import views_chat as v

P = "assist/<slug:agency_slug>/chat/"
urlpatterns = [
    path(P, v.chat_start, name="chat_start"),
    path(P + "<slug:public_id>/messages/", v.chat_messages, name="chat_messages"),
    path(P + "<slug:public_id>/messages/<int:message_id>/rating/", v.chat_rating,
         name="chat_rating"),
    path(P + "<slug:public_id>/handover/", v.chat_handover, name="chat_handover"),
    path(P + "<slug:public_id>/close/", v.chat_close, name="chat_close"),
]

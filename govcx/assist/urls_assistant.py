"""Staff pages of the assistant (see govcx/assist/views_assistant.py)."""

from django.urls import path

from govcx.assist import views_assistant as v

P = "staff/assistant/"
urlpatterns = [
    path(P, v.report, name="assistant_report"),
    path(P + "conversations/", v.conversations, name="assistant_conversations"),
    path(P + "conversations/<int:conversation_id>/", v.conversation,
         name="assistant_conversation"),
    path(P + "intents/", v.intents, name="assistant_intents"),
    path(P + "intents/new/", v.intent_new, name="assistant_intent_new"),
    path(P + "intents/<int:intent_id>/", v.intent_edit, name="assistant_intent"),
    path(P + "intents/<int:intent_id>/examples/", v.intent_example_add,
         name="assistant_example_add"),
    path(P + "intents/<int:intent_id>/examples/<int:example_id>/delete/",
         v.intent_example_remove, name="assistant_example_remove"),
    path(P + "models/", v.models, name="assistant_models"),
]

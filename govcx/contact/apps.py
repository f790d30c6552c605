from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "govcx.contact"
    label = "contact"
    default_auto_field = "django.db.models.BigAutoField"

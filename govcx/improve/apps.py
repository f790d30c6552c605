from django.apps import AppConfig


class ImproveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "govcx.improve"
    verbose_name = "Insights, actions and CX maturity"

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kechuang.policies"
    label = "policies"
    default_auto_field = "django.db.models.BigAutoField"

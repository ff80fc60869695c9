from django.apps import AppConfig


class TextConfig(AppConfig):
    name = "kechuang.text"
    label = "text"
    default_auto_field = "django.db.models.BigAutoField"

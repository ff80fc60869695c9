from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "kechuang.achievements"
    label = "achievements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import search  # noqa: F401  (declares the supply's search index)

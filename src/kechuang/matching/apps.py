from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kechuang.matching"
    label = "matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the index leftovers check)
            search,  # noqa: F401  (declares the demand and expert search indexes)
            subscribers,
        )

        subscribers.connect()

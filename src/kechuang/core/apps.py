from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "kechuang.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .reference import load_reference_data

        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="core-reference-data")

import os
from typing import Any

from django.apps import AppConfig


def _resume_in_worker(**kwargs: Any) -> None:
    """Under `kechuang serve` the task worker, not the web processes, embeds what the index holds
    without vectors (one process per data dir: engine.resume_background_embedding's lock)."""
    if os.environ.get("KECHUANG_EMBED_RESUME") == "worker":
        from .engine import resume_background_embedding

        resume_background_embedding()


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

        from kechuang.core.jobs import worker_started

        worker_started.connect(_resume_in_worker, dispatch_uid="matching-resume-embedding")

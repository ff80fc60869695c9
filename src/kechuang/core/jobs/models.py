"""A long piece of work a person started: what, who, how far, how it ended (see core/jobs/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(texts: dict[str, str] | None) -> str:
    """The text of a {language: text} dict in the current language (Chinese when missing)."""
    if not texts:
        return ""
    lang = get_language() or settings.LANGUAGE_CODE
    return texts.get(lang) or texts.get(lang.split("-")[0]) or next(iter(texts.values()), "")


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: Any) -> JobQuerySet:
        """Whoever started a job sees it, and so does platform staff; nobody else."""
        from kechuang.core.permissions import is_staff

        if user is None or not user.is_authenticated:
            return self.none()
        if is_staff(user):
            return self
        return self.filter(user=user)

    def active(self) -> JobQuerySet:
        return self.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])


class Job(models.Model):
    """One run of a background task on behalf of a user, with its progress and outcome.

    The task queue (django-tasks) carries only the job's id; this row is what pages, the API and
    the reaper read. Texts (title, progress message, error) are stored in every language of the
    site, since the worker that writes them serves no particular user."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    kind = models.CharField(_("task"), max_length=200)  # the task's module path
    title = models.JSONField(_("title"), default=dict)
    params = models.JSONField(_("parameters"), default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.JSONField(_("progress message"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    result_url = models.CharField(_("link to the result"), max_length=300, blank=True)
    result_label = models.JSONField(_("result label"), default=dict, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    error = models.JSONField(_("error"), default=dict, blank=True)
    error_detail = models.TextField(_("technical detail"), blank=True)  # staff only
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=2)
    task_id = models.CharField(_("queue id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Last sign of life: set when queued and, while running, every JOB_HEARTBEAT_SECONDS.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="core_job_state_heartbeat")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title_text}"

    @property
    def title_text(self) -> str:
        return in_language(self.title) or self.kind

    @property
    def message_text(self) -> str:
        return in_language(self.message)

    @property
    def error_text(self) -> str:
        return in_language(self.error)

    @property
    def result_label_text(self) -> str:
        return in_language(self.result_label)

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the amount of work is unknown."""
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return max(0, min(100, int(100 * self.done / self.total)))

"""Sign-in throttling support (django-axes): the client's address and the lockouts listed."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The address a sign-in attempt comes from.

    Behind a reverse proxy (KECHUANG_BEHIND_PROXY=1), each of the KECHUANG_PROXY_COUNT proxies in
    front appends the address it saw to X-Forwarded-For: the client is that many entries from the
    right. Entries further left were written by the client itself and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    count = max(1, int(getattr(settings, "PROXY_COUNT", 1)))
    return forwarded[-count] if len(forwarded) >= count else remote


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str
    failures: int
    last_attempt: object
    locked: bool


def lockouts(locked_only: bool = True) -> list[Lockout]:
    """Failed sign-in records, newest first: locked ones (at the failure limit, within the
    cool-off time) or, with locked_only=False, every record still counted."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    out = []
    for a in AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time"):
        locked = a.failures_since_start >= settings.AXES_FAILURE_LIMIT
        if locked or not locked_only:
            out.append(
                Lockout(a.username or "", a.ip_address or "", a.failures_since_start, a.attempt_time, locked)
            )
    return out


def lockout_response(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): a page in the user's
    language that says for how long and what to do, with status 429 and Retry-After."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response

"""The in-platform inbox: which notifications a user sees, and marking them read.

A notification is addressed to one user, or to an organisation (``user`` empty) and then every user
of that organisation sees it. Reading is recorded on the notification itself, so when one colleague
reads an organisation-wide message it is read for the whole organisation: the inbox is shared, like
a team mailbox, and nobody acts twice on the same notice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import audit
from .models import Notification, User


def visible_to(user: User) -> QuerySet[Notification]:
    """The notifications addressed to `user` or to their organisation as a whole, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    addressed = Q(user=user)
    if user.organisation_id is not None:
        addressed |= Q(organisation_id=user.organisation_id, user__isnull=True)
    return Notification.objects.filter(addressed).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return visible_to(user).filter(read_at__isnull=True).count()


@transaction.atomic
def mark_read(actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications (or all unread ones when `ids` is None) read for `actor`.

    Ids the actor may not see are ignored rather than refused: the result is the same as if
    they did not exist, and nothing about other people's inboxes is revealed. Returns how many
    notifications changed.
    """
    unread = visible_to(actor).filter(read_at__isnull=True).select_for_update()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    now = timezone.now()
    changed = 0
    for note in unread:
        note.read_at = now
        note.save(update_fields=["read_at"])
        audit.record(actor, "notification.read", note, {"read_at": None}, {"read_at": now.isoformat()},
                     note.organisation)  # fmt: skip
        changed += 1
    return changed

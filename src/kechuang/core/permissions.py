"""Who may see and change what. One place, used by views, the API and the CLI alike."""

from __future__ import annotations

from typing import Any

from .models import Organisation, User


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_staff)


def is_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_superuser or user.role == User.Role.ADMIN)
    )


def belongs_to(user: Any, organisation: Organisation | int | None) -> bool:
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return user.organisation_id is not None and user.organisation_id == org_id


def can_view_private(user: Any, organisation: Organisation | int | None) -> bool:
    """Private data (annual facts, finances, drafts) is for the organisation's own users and staff."""
    return is_staff(user) or belongs_to(user, organisation)


def can_edit_organisation(user: Any, organisation: Organisation | int | None) -> bool:
    return is_staff(user) or belongs_to(user, organisation)

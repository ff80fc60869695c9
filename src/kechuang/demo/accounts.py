"""Demo step `accounts`: one user per role, bound to the showcase organisations.

The passwords are simple on purpose (a local demo); they are printed by `kechuang demo` and listed
in docs/demo-data.md.
"""

from __future__ import annotations

from typing import Any

from kechuang.core import services
from kechuang.core.models import Organisation, User

from . import showcase
from .context import DemoContext

VERSION = 1
DEPENDS = ["core"]

PASSWORD = "kechuang2022"

# username, role, credit code of the organisation it acts for (None: no organisation)
ACCOUNTS: list[tuple[str, str, str | None]] = [
    ("visitor", User.Role.VISITOR, None),
    ("enterprise", User.Role.ENTERPRISE, showcase.ENTERPRISE_USCC),
    ("institution", User.Role.INSTITUTION, showcase.UNIVERSITY_USCC),
    ("provider", User.Role.SERVICE_PROVIDER, showcase.PROVIDER_USCC),
    ("reviewer", User.Role.REVIEWER, None),
    ("analyst", User.Role.ANALYST, None),
    ("admin", User.Role.ADMIN, None),
]


def load(ctx: DemoContext) -> dict[str, int]:
    created = 0
    for username, role, uscc in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue  # someone made this account by hand: keep it as it is
        org = Organisation.objects.get(uscc=uscc) if uscc else None
        services.create_user(
            None,
            username,
            PASSWORD,
            role,
            org,
            # The documented demo password would fail the platform's password rules (it is a word
            # and a year on purpose): the demo loader alone may set it, for a local demo.
            check_password=False,
            first_name=str(User.Role(role).label),
            email=f"{username}@demo.kechuang.invalid",
        )
        created += 1
    return {"users": created}


def unload(ctx: DemoContext) -> None:
    User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).delete()


def demo_accounts() -> dict[str, Any]:
    """The demo users by role (only those that exist)."""
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    return {role: users[name] for name, role, _ in ACCOUNTS if name in users}


def account_table() -> list[tuple[str, str, str, str]]:
    """(username, password, role, organisation) for printing."""
    rows = []
    for username, role, _uscc in ACCOUNTS:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is None:
            continue
        org = user.organisation.name if user.organisation else "-"
        rows.append((username, PASSWORD, str(User.Role(role).label), org))
    return rows

"""Template context shared by every page: the navigation, built from what the user may see."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import is_admin, is_staff

# (url name, label, who sees it). Apps add their entries here as they gain pages.
NAV_ITEMS: list[tuple[str, Any, str]] = [
    ("core:organisation_list", _("Organisations"), "public"),
    ("core:person_list", _("Experts"), "public"),
    ("core:carrier_list", _("Innovation carriers"), "public"),
    ("achievements:supply_list", _("Technology supply"), "public"),
    ("matching:demand_list", _("Technology demands"), "public"),
    ("matching:call_list", _("Open calls"), "public"),
    ("matching:lead_list", _("My leads"), "user"),
    ("matching:city_funnel", _("Marketplace funnel"), "staff"),
    ("rights:figures", _("Rights and valuation"), "public"),
    ("contracts:statistics", _("Technology market statistics"), "public"),
    ("contracts:list", _("My technology contracts"), "user"),
    ("contracts:queue", _("Review queue"), "staff"),
    ("policies:library", _("Policies"), "public"),
    ("policies:proactive", _("Proactive delivery"), "staff"),
    ("policies:simulate", _("What-if"), "staff"),
    ("core:job_list", _("My tasks"), "user"),
    ("core:audit_log", _("Audit log"), "admin"),
]
# Pages of another address that belong under an entry: expert profiles are where experts are
# searched by their work, though they live under the marketplace's /matching/.
NAV_ALSO: dict[str, list[str]] = {"core:person_list": ["matching:expert_list"]}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items = []
    for name, label, audience in NAV_ITEMS:
        if audience == "staff" and not is_staff(user):
            continue
        if audience == "admin" and not is_admin(user):
            continue
        if audience == "user" and not user.is_authenticated:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        prefixes = [url]
        for also in NAV_ALSO.get(name, []):
            with contextlib.suppress(NoReverseMatch):
                prefixes.append(reverse(also))
        items.append({"url": url, "label": label, "active": False, "prefixes": prefixes})
    # One current entry: the one with the longest address that this page's starts with (/matching/
    # is the demands' list, but /matching/calls/ belongs to open calls, not to demands too).
    best = max(
        (
            (len(prefix), n)
            for n, i in enumerate(items)
            for prefix in i["prefixes"]
            if request.path.startswith(prefix)
        ),
        default=None,
    )
    if best is not None:
        items[best[1]]["active"] = True
    return {"nav_items": items}

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from kechuang.api import api


def moved(to: str) -> Callable[..., HttpResponsePermanentRedirect]:
    """A permanent redirect of everything under an old address to `to` + the rest of the path, query
    string kept. 308 keeps the method and body, so a form or API client posting to the old address
    still posts; the new address makes its own checks (CSRF, permissions), so this one is exempt."""

    @csrf_exempt
    def view(request: HttpRequest, rest: str = "") -> HttpResponsePermanentRedirect:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(
            to + rest + (f"?{query}" if query else ""), preserve_request=True
        )

    return view


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Results' rights moved from achievements to their own app: old links keep working.
    re_path(r"^achievements/rights/(?P<rest>.*)$", moved("/rights/")),
    re_path(r"^api/v1/achievements/rights/(?P<rest>.*)$", moved("/api/v1/rights/")),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("kechuang.core.urls")),
]

# Each domain app with web pages contributes urls.py, mounted under its own prefix.
for _app in ("matching", "achievements", "policies", "contracts", "rights", "credit", "vouchers", "finance",
             "programmes", "indicators", "demo"):  # fmt: skip
    try:
        urlpatterns.append(path(f"{_app}/", include(f"kechuang.{_app}.urls")))
    except ModuleNotFoundError as exc:
        if exc.name != f"kechuang.{_app}.urls":
            raise

# Uploaded files are never served directly: each app serves its own after a permission check.

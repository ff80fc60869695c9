from django.contrib import admin
from django.urls import include, path

from kechuang.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("kechuang.core.urls")),
]

# Each domain app with web pages contributes urls.py, mounted under its own prefix.
for _app in ("matching", "achievements", "policies", "contracts", "credit", "vouchers", "finance",
             "programmes", "indicators", "demo"):  # fmt: skip
    try:
        urlpatterns.append(path(f"{_app}/", include(f"kechuang.{_app}.urls")))
    except ModuleNotFoundError as exc:
        if exc.name != f"kechuang.{_app}.urls":
            raise

# Uploaded files are never served directly: each app serves its own after a permission check.

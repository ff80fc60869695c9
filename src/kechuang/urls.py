from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kechuang.api import api
from kechuang.core.forms import AuditedPasswordChangeForm, AuditedSetPasswordForm

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Setting one's own password goes through the service (rules, audit); the rest is Django's.
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=AuditedPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=AuditedSetPasswordForm),
        name="password_reset_confirm",
    ),
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

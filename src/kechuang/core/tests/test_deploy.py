"""Production settings: `kechuang django-check --deploy` is clean under the environment that
docs/deploy.md documents, and the security headers are on every answer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import client_for

DOCS = Path(__file__).resolve().parents[4] / "docs" / "deploy.md"


def documented_environment() -> dict[str, str]:
    """The KECHUANG_* variables of the example in docs/deploy.md's production section."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- production-environment -->", 2)[1]
    return dict(re.findall(r"^(KECHUANG_[A-Z_]+)=(\S*)$", block, flags=re.M))


def _deploy_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Not the test run's own settings (nor the browser tests' async switch, async.E001).
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KECHUANG_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    full = base | env | {"KECHUANG_DATA_DIR": str(tmp_path)}
    if "KECHUANG_DATABASE_URL" in os.environ:
        full["KECHUANG_DATABASE_URL"] = os.environ["KECHUANG_DATABASE_URL"]
    cmd = [sys.executable, "-m", "kechuang.cli", "django-check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = documented_environment()
    assert {
        "KECHUANG_SECRET_KEY",
        "KECHUANG_ALLOWED_HOSTS",
        "KECHUANG_HTTPS",
        "KECHUANG_BEHIND_PROXY",
    } <= set(env)
    env["KECHUANG_SECRET_KEY"] = "x7!" + "k" * 20 + "Q9#" + "z" * 30  # the docs show a placeholder
    result = _deploy_check(env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_the_production_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _deploy_check({}, tmp_path)
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert code in result.stderr + result.stdout


def test_every_answer_carries_the_csp_and_permissions_policy(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("core:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "style-src 'self'" in csp
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    assert "Server" not in response
    # No inline script in the page itself (the browser test checks every page under the policy).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", response.content.decode().replace(
        '<script id="chart-data" type="application/json">', ""))  # fmt: skip


def test_private_pages_and_api_answers_are_never_stored(enterprise_user, own_org, api_for) -> None:  # type: ignore[no-untyped-def]
    public = Client().get(reverse("core:home"))
    assert "no-store" not in public.get("Cache-Control", "")
    signed_in = client_for(enterprise_user)
    for url in (
        reverse("core:home"),
        reverse("core:organisation_detail", args=[own_org.pk]),
        reverse("core:inbox"),
    ):
        assert "no-store" in signed_in.get(url)["Cache-Control"], url
    api = api_for(enterprise_user)
    for path in (f"/api/v1/core/organisations/{own_org.pk}", "/api/v1/core/regions"):
        assert "no-store" in api.get(path)["Cache-Control"], path
    assert "no-store" in Client().get("/api/v1/core/regions")["Cache-Control"]


@pytest.mark.parametrize("secure", [True])
def test_https_settings_send_hsts_and_redirect(settings, secure, db) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/").status_code == 301
    response = Client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200 and "max-age=31536000" in response["Strict-Transport-Security"]

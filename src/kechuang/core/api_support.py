"""Shared pieces of the API: token authentication, the error shape, bilingual messages, pagination."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext
from ninja.security import HttpBearer

from .models import ApiToken, User

TOKEN_PREFIX_LEN = 8


def bilingual(message: Any) -> dict[str, str]:
    """Render a (lazy) translatable message in both languages."""
    out: dict[str, str] = {}
    for key, lang in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(lang):
            out[key] = gettext(message) if isinstance(message, str) else str(message)
    return out


def error_body(code: str, message: dict[str, str], fields: dict[str, list[dict[str, str]]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _render_django_error(err: ValidationError) -> list[dict[str, str]]:
    rendered = []
    for e in err.error_list:
        entry = {}
        for key, lang in (("zh", "zh-hans"), ("en", "en")):
            with translation.override(lang):
                msg = str(e.message)
                if e.params:
                    msg = msg % e.params
                entry[key] = msg
        rendered.append(entry)
    return rendered


def validation_error_fields(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    if hasattr(exc, "error_dict"):
        return {field: _render_django_error(ValidationError(errors)) for field, errors in exc.error_dict.items()}
    return {"__all__": _render_django_error(exc)}


def ninja_validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    fields: dict[str, list[dict[str, str]]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        name = ".".join(loc) or "__all__"
        en = err.get("msg", "Invalid value.")
        with translation.override("zh-hans"):
            zh = gettext("Invalid value: %(detail)s") % {"detail": en}
        fields.setdefault(name, []).append({"zh": zh, "en": en})
    return fields


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:TOKEN_PREFIX_LEN], digest=hashlib.sha256(key.encode()).hexdigest()
    )
    return token, key


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user

"""Shared pieces of the API: token authentication, the error shape, bilingual messages, pagination."""

from __future__ import annotations

import hashlib
import math
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from ninja import Schema
from ninja.pagination import PageNumberPagination
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


def error_body(
    code: str, message: dict[str, str], fields: dict[str, list[dict[str, str]]] | None = None
) -> dict:
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
        return {
            field: _render_django_error(ValidationError(errors)) for field, errors in exc.error_dict.items()
        }
    return {"__all__": _render_django_error(exc)}


# The API's own messages (in the core catalogue, so they come out in Chinese and English).
MSG_INVALID = gettext_lazy("The data is not valid.")
MSG_FORBIDDEN = gettext_lazy("You do not have permission to do this.")
MSG_UNAUTHENTICATED = gettext_lazy("Please sign in or send an API token.")
MSG_NOT_FOUND = gettext_lazy("Not found.")

# Pydantic error types we can say better than its English message, in both languages.
_PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "decimal_parsing": gettext_lazy("Enter a number, for example 1234.50."),
    "decimal_type": gettext_lazy("Enter a number, for example 1234.50."),
    "float_parsing": gettext_lazy("Enter a number, for example 1234.50."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date like 2022-12-31."),
    "date_parsing": gettext_lazy("Enter a date like 2022-12-31."),
    "date_type": gettext_lazy("Enter a date like 2022-12-31."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "greater_than_equal": gettext_lazy("The value cannot be negative."),
    "string_type": gettext_lazy("Enter text."),
    "list_type": gettext_lazy("Enter a list."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
}


def ninja_validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    fields: dict[str, list[dict[str, str]]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        # ninja nests query parameter groups (e.g. pagination) under their schema name.
        loc = [p for p in loc if p not in ("ninja_pagination", "filters")]
        name = ".".join(loc) or "__all__"
        known = _PYDANTIC_MESSAGES.get(str(err.get("type", "")))
        if known is not None:
            entry = bilingual(known)
        else:
            en = str(err.get("msg", "Invalid value."))
            with translation.override("zh-hans"):
                zh = gettext("Invalid value: %(detail)s") % {"detail": en}
            entry = {"zh": zh, "en": en}
        fields.setdefault(name, []).append(entry)
    return fields


class Pages(PageNumberPagination):
    """Page pagination with one envelope for every list of the API::

        {"items": [...], "count": 123, "page": 1, "page_size": 50, "pages": 3}

    `?page=N&page_size=M` (page_size at most 200). A page past the end is empty, not an error.
    """

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def __init__(self, page_size: int = 50, max_page_size: int = 200, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        return {
            "items": queryset[offset : offset + page_size],
            "count": count,
            "page": pagination.page,
            "page_size": page_size,
            "pages": max(1, math.ceil(count / page_size)),
        }


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned key is shown once and only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:TOKEN_PREFIX_LEN], digest=hashlib.sha256(key.encode()).hexdigest()
    )
    return token, key


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; a revoked token or an inactive user is refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user

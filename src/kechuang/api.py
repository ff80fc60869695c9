"""The platform API: django-ninja at /api/v1/, one router per app, one error shape.

Errors always look like::

    {"error": {"code": "validation_error",
               "message": {"zh": "…", "en": "…"},
               "fields": {"uscc": [{"zh": "…", "en": "…"}]}}}
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from kechuang.core.api_support import (
    MSG_FORBIDDEN,
    MSG_INVALID,
    MSG_NOT_FOUND,
    MSG_UNAUTHENTICATED,
    TokenAuth,
    bilingual,
    error_body,
    ninja_validation_fields,
    validation_error_fields,
)

api = NinjaAPI(
    title="Kechuang API",
    version="1",
    description="科创 platform API. Authenticate with a session cookie or `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("validation_error", bilingual(MSG_INVALID), validation_error_fields(exc)),
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def _ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("validation_error", bilingual(MSG_INVALID), ninja_validation_fields(exc.errors)),
        status=422,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body("forbidden", bilingual(MSG_FORBIDDEN)), status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, error_body("unauthenticated", bilingual(MSG_UNAUTHENTICATED)), status=401
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", bilingual(MSG_NOT_FOUND)), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message: Any = exc.message
    return api.create_response(
        request,
        error_body("error", message if isinstance(message, dict) else bilingual(str(message))),
        status=exc.status_code,
    )


# Each domain app contributes `router` in its api.py; apps without an API yet are skipped.
for _app in ("core", "matching", "achievements", "policies", "contracts", "rights", "credit", "vouchers",
             "finance", "programmes", "indicators", "demo"):  # fmt: skip
    try:
        _module = importlib.import_module(f"kechuang.{_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"kechuang.{_app}.api":
            raise
        continue
    api.add_router(f"/{_app}/", _module.router, tags=[_app])

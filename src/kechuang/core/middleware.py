"""Chinese first: the interface is Chinese unless the user chose English with the switch."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language.

    The platform serves a Chinese public first: a visitor whose browser prefers English still sees
    Chinese until they press "English"; the switch's cookie (or an /i18n/ prefix) then decides.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set.

    - Permissions-Policy: the browser features the platform never uses are refused.
    - Cache-Control: no-store on every answer to a signed-in user and on every API answer (facts,
      NDA details, contracts, tokens: nothing private may stay in a shared or browser cache), unless
      the view chose its own caching.
    - No Server header from the application (the WSGI server's own is set outside Django).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        private = request.path.startswith("/api/") or bool(user is not None and user.is_authenticated)
        if private and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        if "Server" in response:
            del response["Server"]
        return response


class IdleSessionTimeoutMiddleware:
    """Signs a user out after settings.SESSION_IDLE_TIMEOUT seconds without a request.

    The time of the last request is written to the session at most once a minute (not on every
    request, which would be a database write per page), and the cookie's expiry moves with it.
    """

    KEY = "kechuang_seen"
    RESOLUTION = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(self.KEY)
            if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)  # the request goes on signed out: private pages send to sign-in
            elif not isinstance(seen, int) or now - seen >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)

"""Chinese first: the interface is Chinese unless the user chose English with the switch."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language.

    The platform serves a Chinese public first: a visitor whose browser prefers English still sees
    Chinese until they press "English"; the switch's cookie (or an /i18n/ prefix) then decides.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)

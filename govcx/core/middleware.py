"""Security headers that Django's SecurityMiddleware does not set; the staff pages'
language choice."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class SecureHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class StaffLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (the language cookie, then the browser's Accept-Language),
    plus the staff pages' language switch: `?lang=es` or `?lang=en` on a /staff/ page shows it
    in that language and remembers the choice in the language cookie. The public pages take
    `lang` themselves (their links carry it), and set no cookie: they are cached publicly."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        lang = request.GET.get("lang")
        if lang in ("en", "es") and request.path_info.startswith("/staff/"):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
            request._govcx_lang_chosen = lang  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponseBase
                         ) -> HttpResponseBase:
        response = super().process_response(request, response)
        chosen = getattr(request, "_govcx_lang_chosen", None)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

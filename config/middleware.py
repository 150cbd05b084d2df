"""Project-wide middleware: request ids, the default language, and no caching of pages."""

import uuid

from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from config.logging import request_id as logged_request_id


class RequestIdMiddleware:
    """Give each request an opaque id, shown on error pages and sent back as X-Request-ID.

    The id ties what a user reports to the log line, without either carrying personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        # Every log line written while the request is served carries the id (config/logging.py).
        token = logged_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            logged_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class DefaultLanguageMiddleware:
    """Polish unless the user chose another language with the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the staff of a Polish
    foundation expect Polish on any machine, so only an explicit choice changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Forbid caching of every page we render: pages may carry personal data.

    Static files are served by WhiteNoise before this middleware runs, so they stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response

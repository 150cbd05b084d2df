"""Session lifetime: sign out after a quiet spell (idle) and after a fixed span (absolute)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

STARTED = "_przystan_started_at"
SEEN = "_przystan_seen_at"
# Refresh the "last seen" time at most this often, to spare the session store a write per request.
SEEN_GRANULARITY = 30
# Sent by pages that refresh themselves (the bed board's htmx polling, `hx-headers`): such a
# request is not a person at the screen, so it does not keep an unattended session alive.
BACKGROUND_HEADER = "X-Przystan-Refresh"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                # htmx asks with HX-Request; it follows HX-Redirect rather than a 302.
                if request.headers.get("HX-Request") == "true":
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request) -> bool:
        now = time.time()
        session = request.session
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None or seen is None:
            session[STARTED] = session[SEEN] = now
            return False
        idle = now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
        too_old = now - started > settings.SESSION_MAX_AGE.total_seconds()
        if idle or too_old:
            return True
        background = request.headers.get(BACKGROUND_HEADER) == "true"
        if now - seen > SEEN_GRANULARITY and not background:
            session[SEEN] = now
        return False

"""Session lifetime: sign out after a quiet spell (idle) and after a fixed span (absolute)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from accounts.context_processors import SECOND_FACTOR_PASSED

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


# Pages a signed-in person reaches before giving the second factor: signing in and out, the
# second factor's own pages, the language switch, the health check (config/health.py), and the
# admin's sign-in and sign-out (the admin's other pages wait for the code like every page).
# Static files never reach Django's views in production (whitenoise answers them before any
# middleware of ours).
SECOND_FACTOR_EXEMPT = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:second-factor",
        "accounts:second-factor-enrol",
        "set_language",
        "healthz",
        "admin:login",
        "admin:logout",
    }
)


class SecondFactorMiddleware:
    """Until the session has given its second factor, every other page sends to its page.

    Who is asked is decided by accounts.second_factor.needs_verification: whoever has an
    authenticator app, and whoever's role or organisation requires one (they enrol first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts import second_factor

        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        if not second_factor.needs_verification(request.user):
            # The navigation (accounts.context_processors) reads this instead of asking again.
            setattr(request, SECOND_FACTOR_PASSED, True)
            return None
        target = resolve_url("accounts:second-factor")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        # Where the person was going, to be taken there after the code (same site only).
        return redirect_to_login(request.get_full_path(), target, "next")

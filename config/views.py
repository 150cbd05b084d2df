"""Error pages that leak nothing: no stack trace, no path, no personal data, only a request id."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    from accounts.reconfirm import ConfirmationLocked

    # Too many wrong passwords at a confirmation ended the session: say so on the sign-in page.
    if isinstance(exception, ConfirmationLocked):
        messages.error(request, _("Too many wrong passwords: sign in again."))
        return redirect(settings.LOGIN_URL)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No RequestContext: the context processors themselves may be what failed.
    template = loader.get_template("500.html")
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(template.render(context))

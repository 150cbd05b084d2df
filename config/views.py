"""Error pages that leak nothing: no stack trace, no path, no personal data, only a request id."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _

from accounts.roles import Role

# A role whose work never opens case files gets, under a client's address, a page that says
# what it does instead, rather than a bare "forbidden" or "not found". The page is the same
# for every id (existing, hidden or made up) and keeps the status the view answered, so it
# reveals nothing: (URL namespace, the URL's keyword naming the person, role) -> template.
REFUSED_FOR_ROLE = {
    ("cases", "client_id", Role.MANAGER): "cases/file_not_for_managers.html",
    ("cases", "client_id", Role.DPO): "privacy/file_not_for_dpo.html",
    ("cases", "client_id", Role.CLUSTER_DPO): "privacy/file_not_for_dpo.html",
}


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    from accounts.reconfirm import ConfirmationLocked
    from accounts.second_factor import SecondFactorLocked
    from privacy.restriction import ProcessingRestricted

    # Too many wrong codes, or passwords at a confirmation, ended the session: say so on the
    # sign-in page.
    if isinstance(exception, SecondFactorLocked):
        messages.error(request, _("Too many wrong codes: sign in again later."))
        return redirect(settings.LOGIN_URL)
    if isinstance(exception, ConfirmationLocked):
        messages.error(request, _("Too many wrong passwords: sign in again."))
        return redirect(settings.LOGIN_URL)
    # A restricted person's file (art. 18 GDPR): the refusal says why, and whom to ask.
    if isinstance(exception, ProcessingRestricted):
        return render(request, "restricted.html", {"message": str(exception)}, status=403)
    return render(request, _refusal_template(request, "403.html"), status=403)


def page_not_found(request, exception=None):
    return render(request, _refusal_template(request, "404.html"), status=404)


def _refusal_template(request, default: str) -> str:
    """The page for a refusal: the role's explanation under a person's address, else `default`."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return default
    for (namespace, keyword, role), template in REFUSED_FOR_ROLE.items():
        # Decided by the address and the role only, never by what the id points at.
        if match.namespace == namespace and keyword in match.kwargs and user.has_role(role):
            return template
    return default


def server_error(request):
    # No RequestContext: the context processors themselves may be what failed.
    template = loader.get_template("500.html")
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(template.render(context))

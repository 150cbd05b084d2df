"""The manager's programme pages: programmes of the organisation, their cohorts, the trades
workshops teach, and a CIS's own allowance rules.

Thin: load through activation.access (another organisation's programme answers 404, another
role 403), validate a form, call one service (activation.services), redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from activation import access, services
from activation.forms.programmes import CohortForm, ProgrammeForm, ProgrammeRuleForm, TradeForm
from activation.models import CohortCoach, Trade


def _form_error(form, error: ValidationError) -> None:
    """A service's refusal on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@role_required(Role.MANAGER)
def programme_list(request):
    """The organisation's programmes, running ones first, with their cohorts counted."""
    programmes = (
        access.programmes_managed_by(request.user)
        .select_related("trade")
        .annotate(cohort_count=Count("cohorts"))
        .order_by("-is_active", "name")
    )
    return render(request, "activation/programmes/list.html", {"programmes": programmes})


@role_required(Role.MANAGER)
def programme_create(request):
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The programme has been created: add its cohorts."))
            return redirect("activation:programme-detail", programme_id=programme.pk)
    return render(request, "activation/programmes/form.html", {"form": form})


@role_required(Role.MANAGER)
def programme_edit(request, programme_id):
    programme = access.get_programme_for_manager(request.user, programme_id)
    initial = {
        "name": programme.name,
        "kind": programme.kind,
        "trade": programme.trade_id,
        "leads_to": programme.leads_to,
        "is_active": programme.is_active,
    }
    form = ProgrammeForm(request.POST or None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(by=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("activation:programme-detail", programme_id=programme.pk)
    context = {"form": form, "programme": programme}
    return render(request, "activation/programmes/form.html", context)


@require_GET
@role_required(Role.MANAGER)
def programme_detail(request, programme_id):
    """A programme: its cohorts with their coaches, and for a CIS its own allowance rules."""
    programme = access.get_programme_for_manager(request.user, programme_id)
    cohorts = programme.cohorts.select_related("lead_coach").prefetch_related(
        Prefetch("coach_links", queryset=CohortCoach.objects.select_related("coach"))
    )
    context = {
        "programme": programme,
        "cohorts": cohorts,
        "rules": programme.allowance_rules.order_by("-valid_from") if programme.is_cis else [],
        "rule_form": ProgrammeRuleForm() if programme.is_cis else None,
    }
    return render(request, "activation/programmes/detail.html", context)


@require_POST
@role_required(Role.MANAGER)
def programme_rule_set(request, programme_id):
    """Set a CIS's own rules from a day (its regulations)."""
    programme = access.get_programme_for_manager(request.user, programme_id)
    form = ProgrammeRuleForm(request.POST)
    if form.is_valid():
        try:
            services.programme_allowance_rule_set(
                by=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The programme's allowance rule has been saved."))
            return redirect("activation:programme-detail", programme_id=programme.pk)
    cohorts = programme.cohorts.select_related("lead_coach")
    context = {
        "programme": programme,
        "cohorts": cohorts,
        "rules": programme.allowance_rules.order_by("-valid_from"),
        "rule_form": form,
    }
    return render(request, "activation/programmes/detail.html", context)


def _cohort_page(request, form, programme, cohort=None):
    context = {"form": form, "programme": programme, "cohort": cohort}
    return render(request, "activation/programmes/cohort_form.html", context)


def _save_coaches(by, cohort, chosen) -> None:
    """Coaches who take attendance besides the one in charge: add the new, remove the gone."""
    current = {link.coach for link in cohort.coach_links.select_related("coach")}
    wanted = set(chosen) - {cohort.lead_coach}
    for coach in wanted - current:
        services.cohort_coach_add(by=by, cohort=cohort, coach=coach)
    for coach in current - wanted:
        services.cohort_coach_remove(by=by, cohort=cohort, coach=coach)


@role_required(Role.MANAGER)
def cohort_create(request, programme_id):
    programme = access.get_programme_for_manager(request.user, programme_id)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        coaches = [c for c in data.pop("coaches") if c != data["lead_coach"]]
        try:
            services.cohort_create(by=request.user, programme=programme, coaches=coaches, **data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The cohort has been created."))
            return redirect("activation:programme-detail", programme_id=programme.pk)
    return _cohort_page(request, form, programme)


@role_required(Role.MANAGER)
def cohort_edit(request, cohort_id):
    cohort = access.get_cohort_for_manager(request.user, cohort_id)
    programme = cohort.programme
    initial = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "place": cohort.place,
        "lead_coach": cohort.lead_coach_id,
        "coaches": [link.coach_id for link in cohort.coach_links.all()],
    }
    form = CohortForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        coaches = data.pop("coaches")
        try:
            # The cohort and its coaches together, or nothing.
            with transaction.atomic():
                cohort = services.cohort_update(by=request.user, cohort=cohort, **data)
                _save_coaches(request.user, cohort, coaches)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("activation:programme-detail", programme_id=programme.pk)
    return _cohort_page(request, form, programme, cohort)


@role_required(Role.MANAGER)
def trade_list(request):
    """The trades workshops teach: a list every manager extends."""
    form = TradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trade_create(by=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The trade has been added."))
            return redirect("activation:trade-list")
    trades = Trade.objects.annotate(workshops=Count("programmes")).order_by("name")
    return render(request, "activation/programmes/trades.html", {"form": form, "trades": trades})

"""The manager's allowance pages: the month's list of a CIS (bonuses, closing, corrections,
CSV and PDF for payroll) and the dated rules (base amounts, the act's rules).

Thin: the CIS is loaded through activation.access (another organisation's programme, or one
that is not a CIS, answers 404; another role 403); the list is read by activation.payroll;
every write is one service of activation.services.allowances.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from activation import access, payroll, services
from activation.allowance import MissingRule
from activation.dates import month_end
from activation.forms.allowances import BaseForm, BonusForm, CloseForm, CorrectionForm, RateRuleForm
from activation.forms.attendance import chosen_month
from activation.models import AllowanceBase, AllowanceMonth, AllowanceRateRule, Enrolment
from audit.purposes import Purpose
from audit.services import access_log_write

MANAGER = (Role.MANAGER,)


def _last_month() -> datetime.date:
    """The month a manager closes: the one before today's."""
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _month_url(programme, month: datetime.date) -> str:
    url = reverse("activation:allowance-month", args=[programme.pk])
    return f"{url}?month={month:%Y-%m}"


@require_GET
@role_required(*MANAGER)
def allowance_index(request):
    """The CIS programmes of the manager's organisation, each one tap from last month's list."""
    programmes = [
        p for p in access.programmes_managed_by(request.user).order_by("name") if p.is_cis
    ]
    closed = {
        (row["programme_id"], row["month"])
        for row in AllowanceMonth.objects.filter(programme__in=programmes).values(
            "programme_id", "month"
        )
    }
    last = _last_month()
    rows = [{"programme": p, "last_closed": (p.pk, last) in closed} for p in programmes]
    return render(request, "activation/allowances/index.html", {"rows": rows, "last_month": last})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _load(request, programme_id, *, action: str):
    """The CIS, the chosen month, and its list (or the missing rule), with the log row."""
    programme = access.get_cis_for_manager(request.user, programme_id)
    form, month = chosen_month(request.GET, _last_month())
    # One cohort of the programme, when asked for (another programme's cohort is ignored).
    chosen = _int(request.GET.get("cohort"))
    cohort = programme.cohorts.filter(pk=chosen).first() if chosen else None
    try:
        data = payroll.month_payroll(programme, month, cohort=cohort)
    except MissingRule as error:
        return programme, form, month, None, error
    # The list names every participant with their money: one access-log row per render.
    access_log_write(
        actor=request.user, action=action, purpose=Purpose.ALLOWANCE_LIST, request=request
    )
    return programme, form, month, data, None


@require_GET
@role_required(*MANAGER)
def allowance_month(request, programme_id):
    """The month's list: per participant the base, each deduction with its reason, the bonus,
    the amount; bonuses and closing while open, corrections once closed."""
    programme, form, month, data, missing = _load(request, programme_id, action="view")
    return _month_page(request, programme, form, month, data, missing)


def _month_page(request, programme, form, month, data, missing, *, correction_form=None):
    today = timezone.localdate()
    participants = [(line.enrolment_id, line.name) for line in data.lines] if data else []
    if data is not None and data.closed and correction_form is None:
        correction_form = CorrectionForm(initial={"month": month}, participants=participants)
    context = {
        "programme": programme,
        "form": form,
        "month": month,
        "payroll": data,
        "missing": missing,
        "has_ended": month_end(month) < today,
        "cohorts": programme.cohorts.order_by("name"),
        "cohort": data.cohort if data is not None else None,
        "correction_form": correction_form,
    }
    return render(request, "activation/allowances/month.html", context)


def _download(request, programme_id, *, kind: str):
    programme, _form, month, data, missing = _load(
        request, programme_id, action="export" if kind == "csv" else "print"
    )
    if missing is not None:
        messages.error(request, missing.messages[0])
        return redirect(_month_url(programme, month))
    name = f"allowance-{programme.pk}-{month:%Y-%m}.{kind}"
    if kind == "csv":
        response = HttpResponse(payroll.payroll_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = HttpResponse(payroll.payroll_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*MANAGER)
def allowance_csv(request, programme_id):
    return _download(request, programme_id, kind="csv")


@require_GET
@role_required(*MANAGER)
def allowance_pdf(request, programme_id):
    return _download(request, programme_id, kind="pdf")


def _participant(programme, enrolment_id) -> Enrolment:
    """An enrolment of this CIS; another programme's answers 404."""
    enrolment = (
        Enrolment.objects.select_related("programme")
        .filter(pk=enrolment_id, programme=programme)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@role_required(*MANAGER)
def allowance_bonus(request, programme_id):
    """Grant (or change, or with 0 withdraw) a participant's motivation bonus for the month."""
    programme = access.get_cis_for_manager(request.user, programme_id)
    form = BonusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the bonus as an amount in złoty, e.g. 250,00."))
        month = form.cleaned_data.get("month") or _last_month()
        return redirect(_month_url(programme, month))
    month = form.cleaned_data["month"]
    enrolment = _participant(programme, form.cleaned_data["enrolment"])
    try:
        services.allowance_bonus_set(
            by=request.user,
            enrolment=enrolment,
            month=month,
            amount=form.cleaned_data["amount"],
            request=request,
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The bonus has been saved."))
    return redirect(_month_url(programme, month))


@require_POST
@role_required(*MANAGER)
def allowance_close(request, programme_id):
    """Close the month: its list is kept as it is now and changes only by corrections."""
    programme = access.get_cis_for_manager(request.user, programme_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the month with the calendar."))
        return redirect("activation:allowance-month", programme_id=programme.pk)
    month = form.cleaned_data["month"]
    try:
        services.allowance_month_close(
            by=request.user, programme=programme, month=month, request=request
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The month has been closed: download the list for payroll."))
    return redirect(_month_url(programme, month))


@require_POST
@role_required(*MANAGER)
def allowance_correction(request, programme_id):
    """Correct a closed month's amount for one participant, with the reason (logged)."""
    programme = access.get_cis_for_manager(request.user, programme_id)
    month_form = CloseForm(request.POST)
    if not month_form.is_valid():
        messages.error(request, _("Choose the month with the calendar."))
        return redirect("activation:allowance-month", programme_id=programme.pk)
    month = month_form.cleaned_data["month"]
    closed = AllowanceMonth.objects.filter(programme=programme, month=month).first()
    if closed is None:
        messages.error(request, _("Only a closed month is corrected; change an open one directly."))
        return redirect(_month_url(programme, month))
    data = payroll.month_payroll(programme, month)
    participants = [(line.enrolment_id, line.name) for line in data.lines]
    form = CorrectionForm(request.POST, participants=participants)
    if form.is_valid():
        try:
            services.allowance_correction_add(
                by=request.user,
                allowance_month=closed,
                enrolment=_participant(programme, form.cleaned_data["enrolment"]),
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The correction has been entered."))
            return redirect(_month_url(programme, month))
    access_log_write(
        actor=request.user, action="view", purpose=Purpose.ALLOWANCE_LIST, request=request
    )
    month_form, _month = chosen_month({"month": f"{month:%Y-%m}"}, month)
    return _month_page(request, programme, month_form, month, data, None, correction_form=form)


# --- The dated rules (any manager: they are the same for every CIS) ------------------------------


@role_required(*MANAGER)
def allowance_rules(request):
    """The base amounts and the act's rules in force from each day, and forms to add the next."""
    base_form = BaseForm(prefix="base")
    rule_form = RateRuleForm(prefix="rule")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "base":
                base_form = BaseForm(request.POST, prefix="base")
                if base_form.is_valid():
                    services.allowance_base_add(by=request.user, **base_form.cleaned_data)
                    messages.success(request, _("The base amount has been added."))
                    return redirect("activation:allowance-rules")
            elif kind == "rule":
                rule_form = RateRuleForm(request.POST, prefix="rule")
                if rule_form.is_valid():
                    services.allowance_rate_rule_add(by=request.user, **rule_form.cleaned_data)
                    messages.success(request, _("The allowance rule has been added."))
                    return redirect("activation:allowance-rules")
        except ValidationError as error:
            (base_form if kind == "base" else rule_form).add_error(None, error)
    context = {
        "bases": AllowanceBase.objects.order_by("-valid_from"),
        "rules": AllowanceRateRule.objects.order_by("-valid_from"),
        "base_form": base_form,
        "rule_form": rule_form,
    }
    return render(request, "activation/allowances/rules.html", context)

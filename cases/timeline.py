"""A client's timeline: intake, assessments, plans, notes, referrals, episodes, in date order.

Other apps add their events (stays, enrolments) by registering a provider function that takes
the ClientAccess and returns (date, kind, text) tuples.
"""

from django.utils.translation import gettext as _

PROVIDERS = []


def register(provider):
    PROVIDERS.append(provider)
    return provider


def client_timeline(access) -> list[dict]:
    events = []
    for provider in PROVIDERS:
        for when, kind, text in provider(access):
            events.append({"when": when, "kind": kind, "text": text})
    events.sort(key=lambda e: e["when"], reverse=True)
    return events


@register
def _case_events(access):
    client = access.client
    yield client.registered_on, _("Intake"), _("Registered")
    for episode in client.episodes.all():
        if episode.closed_on:
            yield episode.closed_on, _("Case closed"), episode.get_outcome_display()
    for assessment in client.assessments.all():
        yield assessment.assessed_on, _("Assessment"), assessment.get_kind_display()
    for plan in client.plans.all():
        yield plan.starts_on, _("Plan"), str(plan)
    for step in client.pathway.all():
        yield step.on, _("Pathway"), step.get_stage_display()
    for referral in client.referrals.select_related("partner"):
        yield (
            referral.sent_on,
            _("Referral"),
            f"{referral.partner} · {referral.get_status_display()}",
        )
    notes = client.notes.values_list("noted_on", "kind", "is_sensitive", "is_important")
    labels = dict(client.notes.model.Kind.choices)
    for noted_on, kind, is_sensitive, is_important in notes:
        # Sensitive notes stay invisible to any way that does not read them, even as a date.
        if is_sensitive and not access.sees_sensitive:
            continue
        yield noted_on, _("Note"), str(labels[kind]) + (" ⚑" if is_important else "")

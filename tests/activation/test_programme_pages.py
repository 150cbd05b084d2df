"""The manager's programme pages: programmes, cohorts and their coaches, trades, a CIS's rules."""

import datetime

import pytest
from django.urls import reverse

from activation.models import Cohort, CohortCoach, Programme, ProgrammeAllowanceRule, Trade
from tests.factories import UserFactory

D = datetime.date


def test_the_manager_lists_the_organisation_s_programmes_only(client, manager, cis, other_manager):
    from activation import services

    services.programme_create(by=other_manager, name="CIS Obcy", kind="cis")
    client.force_login(manager)
    html = client.get(reverse("activation:programme-list")).content.decode()
    assert "CIS Przystań" in html and "CIS Obcy" not in html


def test_a_programme_is_created_with_no_kind_preselected(client, manager):
    client.force_login(manager)
    html = client.get(reverse("activation:programme-create")).content.decode()
    assert '<option value="" selected>— wybierz —</option>' in html
    response = client.post(
        reverse("activation:programme-create"), {"name": "KIS Przystań", "kind": "kis"}
    )
    programme = Programme.objects.get(name="KIS Przystań")
    assert response.url == reverse("activation:programme-detail", args=[programme.pk])
    assert programme.organisation == manager.organisation and programme.kind == "kis"


def test_a_workshop_without_a_trade_is_refused_and_nothing_is_saved(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("activation:programme-create"), {"name": "Stolarnia", "kind": "workshop"}
    )
    assert response.status_code == 200
    assert "Warsztat musi mieć zawód" in response.content.decode()
    assert not Programme.objects.filter(name="Stolarnia").exists()


def test_a_workshop_with_its_trade_is_created_and_edited(client, manager):
    client.force_login(manager)
    carpentry = Trade.objects.get(code="carpentry")
    client.post(
        reverse("activation:programme-create"),
        {"name": "Stolarnia", "kind": "workshop", "trade": carpentry.pk, "leads_to": "Certyfikat"},
    )
    workshop = Programme.objects.get(name="Stolarnia")
    assert workshop.trade == carpentry
    client.post(
        reverse("activation:programme-edit", args=[workshop.pk]),
        {"name": "Stolarnia meblowa", "kind": "workshop", "trade": carpentry.pk},
    )
    workshop.refresh_from_db()
    assert workshop.name == "Stolarnia meblowa" and workshop.is_active is False


def test_the_manager_extends_the_trades(client, manager):
    client.force_login(manager)
    response = client.post(reverse("activation:trade-list"), {"name": "Tapicerstwo"})
    assert response.status_code == 302
    assert Trade.objects.filter(name="Tapicerstwo").exists()
    assert "Tapicerstwo" in client.get(reverse("activation:trade-list")).content.decode()


def test_a_cohort_is_opened_with_its_coaches_and_edited(client, manager, cis, job_coach):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    client.force_login(manager)
    url = reverse("activation:cohort-create", args=[cis.pk])
    response = client.post(
        url,
        {
            "name": "Grupa wiosenna",
            "starts_on": "2026-03-02",
            "ends_on": "2026-12-18",
            "capacity": "12",
            "place": "ul. Warsztatowa 3",
            "lead_coach": job_coach.pk,
            "coaches": [second.pk],
        },
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Grupa wiosenna")
    assert cohort.lead_coach == job_coach
    assert list(cohort.coach_links.values_list("coach", flat=True)) == [second.pk]
    # The date inputs carry ISO values.
    html = client.get(reverse("activation:cohort-edit", args=[cohort.pk])).content.decode()
    assert 'value="2026-03-02"' in html
    client.post(
        reverse("activation:cohort-edit", args=[cohort.pk]),
        {
            "name": "Grupa wiosenna",
            "starts_on": "2026-03-02",
            "capacity": "10",
            "lead_coach": job_coach.pk,
        },
    )
    cohort.refresh_from_db()
    assert cohort.capacity == 10 and cohort.ends_on is None
    assert not CohortCoach.objects.filter(cohort=cohort).exists()
    detail = client.get(reverse("activation:programme-detail", args=[cis.pk])).content.decode()
    assert "Grupa wiosenna" in detail


def test_a_cohort_ending_before_it_starts_is_refused(client, manager, cis, job_coach):
    client.force_login(manager)
    response = client.post(
        reverse("activation:cohort-create", args=[cis.pk]),
        {
            "name": "Zła",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-01",
            "capacity": "5",
            "lead_coach": job_coach.pk,
        },
    )
    assert response.status_code == 200
    assert not Cohort.objects.filter(name="Zła").exists()


def test_the_cis_s_own_rules_are_set_from_a_day(client, manager, cis):
    client.force_login(manager)
    response = client.post(
        reverse("activation:programme-rule-set", args=[cis.pk]),
        {
            "valid_from": "2026-01-01",
            "forfeit_after_unexcused_days": "",
            "days_off_limit": "4",
            "source": "Regulamin § 7",
        },
    )
    assert response.status_code == 302
    rule = ProgrammeAllowanceRule.objects.get(programme=cis)
    assert rule.forfeit_after_unexcused_days is None and rule.days_off_limit == 4


@pytest.mark.parametrize("role", ["social_worker", "job_coach", "shelter_staff", "partner", "dpo"])
def test_other_roles_are_refused_the_programme_pages(client, personas, cis, cohort, role):
    client.force_login(personas[role])
    for url in (
        reverse("activation:programme-list"),
        reverse("activation:programme-create"),
        reverse("activation:programme-detail", args=[cis.pk]),
        reverse("activation:cohort-edit", args=[cohort.pk]),
        reverse("activation:trade-list"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("activation:programme-create"), {"name": "X", "kind": "kis"})
    assert response.status_code == 403
    assert not Programme.objects.filter(name="X").exists()


def test_another_organisation_s_manager_gets_404(client, other_manager, cis, cohort):
    client.force_login(other_manager)
    assert client.get(reverse("activation:programme-detail", args=[cis.pk])).status_code == 404
    assert client.get(reverse("activation:programme-edit", args=[cis.pk])).status_code == 404
    assert client.get(reverse("activation:cohort-edit", args=[cohort.pk])).status_code == 404
    response = client.post(
        reverse("activation:programme-rule-set", args=[cis.pk]),
        {"valid_from": "2026-01-01", "days_off_limit": "4"},
    )
    assert response.status_code == 404
    assert not ProgrammeAllowanceRule.objects.exists()
    assert client.get(reverse("activation:attendance-sheet", args=[cohort.pk])).status_code == 404


def test_the_manager_opens_a_cohort_s_monthly_sheet(client, manager, cohort):
    client.force_login(manager)
    response = client.get(reverse("activation:attendance-sheet", args=[cohort.pk]))
    assert response.status_code == 200


def test_anonymous_visitors_go_to_login(client, db):
    response = client.get(reverse("activation:programme-list"))
    assert response.status_code == 302 and response.url.startswith("/login/")

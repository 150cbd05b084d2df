"""A restricted person (GDPR art. 18) still gets a bed for the night: the check-in is allowed,
the staff are warned, and the stay's history and the log row name the legal basis."""

import pytest

from audit.models import AccessLogEntry
from privacy.models import Subject
from privacy.restriction import restriction_set
from shelters import services
from shelters.models import Stay


@pytest.fixture
def restricted_woman(woman, dpo, evening, staff_of_a, facility_a):
    # On the waitlist of facility A (so the check-in page offers her), then restricted.
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=woman, reason="R")
    restriction_set(
        by=dpo,
        subject=Subject.objects.get(pk=woman.pk),
        reason="objection",
        restricted_on=evening.date(),
    )
    return woman


def test_a_restricted_person_is_checked_in_with_the_legal_basis_recorded(
    staff_of_a, facility_a, restricted_woman
):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=restricted_woman)
    assert stay.ended_at is None
    row = AccessLogEntry.objects.filter(actor=staff_of_a, subject_id=restricted_woman.pk).last()
    # Art. 18(2) GDPR: vital interests; the way is the facility's staff.
    assert (row.purpose, row.way) == ("check_in_restricted", "facility_staff")
    assert stay.history.first().history_change_reason == "check-in-art-18-2"


def test_an_unrestricted_check_in_is_logged_as_usual(staff_of_a, facility_a, woman, evening):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=woman)
    row = AccessLogEntry.objects.filter(actor=staff_of_a, subject_id=woman.pk).last()
    assert row.purpose == "check_in"


def test_the_check_in_page_warns_and_admits(client, staff_of_a, facility_a, restricted_woman):
    client.force_login(staff_of_a)
    form = client.get(f"/shelters/{facility_a.pk}/check-in/", {"client": restricted_woman.pk})
    assert "art. 18" in form.content.decode()
    response = client.post(
        f"/shelters/{facility_a.pk}/check-in/", {"client": restricted_woman.pk}, follow=True
    )
    assert Stay.objects.filter(client=restricted_woman, ended_at__isnull=True).exists()
    assert "ograniczone" in response.content.decode()

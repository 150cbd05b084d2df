"""Double-booking is impossible on PostgreSQL: concurrent check-ins race for the same rows."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext

from shelters import services
from shelters.models import Stay
from tests.factories import make_client

THREADS = 20


def race(worker, count: int) -> tuple[list, list]:
    """Run `worker(n)` in `count` threads released at once; return (results, errors)."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run(number: int) -> None:
        try:
            start.wait()
            results.append(worker(number))
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            # Each thread has its own connection; close it so the test database can be dropped.
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_race_for_the_last_free_bed_and_exactly_one_gets_it(staff_of_a, facility_a):
    last_bed = facility_a.beds.get(label="1.1")
    # Every other bed of the men's room is taken already.
    for label in ("1.2", "1.3"):
        services.stay_check_in(
            by=staff_of_a,
            facility=facility_a,
            client=make_client(first_name="Ryszard", surname=f"Zajęty{label}", sex="male"),
            bed=facility_a.beds.get(label=label),
        )
    clients = [
        make_client(first_name="Bogdan", surname=f"Cisowski{n}", sex="male") for n in range(THREADS)
    ]

    def check_in(number: int):
        return services.stay_check_in(
            by=staff_of_a, facility=facility_a, client=clients[number], bed=last_bed
        )

    results, errors = race(check_in, THREADS)

    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, ValidationError) for e in errors), errors
    taken = gettext("This bed has just been taken: choose another one.")
    assert {e.code for e in errors} == {"taken"}
    assert {e.messages[0] for e in errors} == {taken}
    # Nothing half-written: one open stay in the bed, its client's, and no other stays at all.
    in_bed = Stay.objects.filter(bed=last_bed)
    assert in_bed.count() == 1
    assert in_bed.get().client_id == results[0].client_id
    assert Stay.objects.count() == 3
    for stay in Stay.objects.all():
        assert stay.history.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_client_checked_into_many_beds_at_once_gets_exactly_one(staff_of_a, facility_a, beds):
    man = make_client(first_name="Zdzisław", surname="Kalinowski", sex="male")
    men_beds = [beds[label] for label in ("1.1", "1.2", "1.3")]

    def check_in(number: int):
        return services.stay_check_in(
            by=staff_of_a, facility=facility_a, client=man, bed=men_beds[number % 3]
        )

    results, errors = race(check_in, 9)

    assert len(results) == 1
    assert len(errors) == 8
    assert {e.code for e in errors} == {"client_overlap"}
    assert Stay.objects.filter(client=man).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlapping_stays_that_bypass_the_services(
    staff_of_a, facility_a, beds
):
    """The exclusion constraint holds even for closed, overlapping periods written directly."""
    import datetime

    from django.db import IntegrityError, transaction
    from django.utils import timezone

    man = make_client(first_name="Zdzisław", surname="Kalinowski", sex="male")
    other = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    start = timezone.now() - datetime.timedelta(days=3)
    common = {"facility": facility_a, "bed": beds["1.1"], "night_of": start.date()}
    # A new row with encrypted values is saved in a transaction (sealed with its id after the
    # INSERT); the constraint still refuses the second at its INSERT.
    with transaction.atomic():
        Stay.objects.create(
            client=man,
            subject_id=man.pk,
            started_at=start,
            ended_at=start + datetime.timedelta(days=2),
            last_seen_on=start.date(),
            **common,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            client=other,
            subject_id=other.pk,
            started_at=start + datetime.timedelta(days=1),
            ended_at=start + datetime.timedelta(days=1, hours=5),
            last_seen_on=start.date(),
            **common,
        )

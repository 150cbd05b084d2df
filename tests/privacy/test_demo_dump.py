"""A raw look at the demo database: no demo client's personal data appears anywhere in clear."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cases.models import Client


def all_cells():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    if cell is None:
                        continue
                    yield (
                        table,
                        bytes(cell)
                        if isinstance(cell, (bytes, memoryview))
                        else str(cell).encode(),
                    )


@override_settings(DEMO=True)
@pytest.mark.django_db
def test_the_demo_database_holds_no_personal_data_in_clear():
    call_command("seed_demo")
    clients = list(Client.objects.with_keys())
    assert len(clients) >= 20
    secrets = set()
    for person in clients:
        secrets |= {
            person.first_name,
            person.surname,
            person.pesel,
            person.phone,
            person.contact_note,
        }
        if person.birth_date:
            secrets.add(person.birth_date.isoformat())
    from cases.models import CaseNote, HouseholdMember, Plan, Referral

    secrets |= {n.text for n in CaseNote.objects.with_keys()}
    secrets |= {p.situation for p in Plan.objects.with_keys()}
    secrets |= {r.summary for r in Referral.objects.with_keys()}
    secrets |= {m.first_name for m in HouseholdMember.objects.with_keys()}
    assert CaseNote.objects.exists() and HouseholdMember.objects.exists()
    secrets = {s.encode() for s in secrets if s and len(s) >= 4}
    assert any(len(s) == 11 for s in secrets), "the demo should include PESELs"
    leaks = [(table, s) for table, cell in all_cells() for s in secrets if s in cell]
    assert leaks == []

"""The printed plan (issue 10, item 10): the organisation's name on top of every page, pages
numbered "Strona 1 z 3", and a due date that never wraps in its column. Read back with pypdf."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from cases import plans
from cases.services import plans as plan_services
from tests.factories import make_client

DUE = datetime.date(2026, 11, 27)


@pytest.fixture
def long_plan(social_worker):
    """A plan long enough for several pages, every step with a due date."""
    person = make_client(first_name="Zdzisław", surname="Łęczycki", holder=social_worker)
    plan = plan_services.plan_create(
        by=social_worker,
        client=person,
        kind="ipwzb",
        starts_on=datetime.date(2026, 11, 2),
        situation="Nocuje w pustostanie. " * 40,
    )
    for number in range(12):
        goal = plan_services.goal_add(by=social_worker, plan=plan, text=f"Cel numer {number}")
        for _step in range(3):
            plan_services.step_add(
                by=social_worker,
                goal=goal,
                party="client",
                text="Złożyć wniosek o dowód osobisty w urzędzie " * 2,
                due_on=DUE,
            )
    return plan


def pages_of(plan) -> list[str]:
    reader = PdfReader(io.BytesIO(plans.plan_pdf(plan)))
    return [page.extract_text() for page in reader.pages]


def test_every_page_carries_the_organisations_name_and_its_number(long_plan, foundation):
    pages = pages_of(long_plan)
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert foundation.name in text
        assert f"Strona {number} z {total}" in text
    # On top: the organisation's name is the first line of the first page.
    assert pages[0].splitlines()[0].strip() == foundation.name


def test_a_due_date_is_never_wrapped(long_plan):
    text = "\n".join(pages_of(long_plan))
    # 36 steps, each with its date whole on one line (a wrapped one reads "27.11.202" and "6").
    assert text.count("27.11.2026") == 36
    assert not re.search(r"27\.11\.20?2?\s*\n", text)


def test_the_page_numbers_are_translated(long_plan):
    from django.utils import translation

    with translation.override("en"):
        pages = pages_of(long_plan)
    assert f"Page 1 of {len(pages)}" in pages[0]

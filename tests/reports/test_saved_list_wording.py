"""One English word, two Polish ones: "Open" the verb (a link) and "Open" the state (a goal's).

The saved reports' link once read "Otwarty" (the goal's state); it now has a context of its own
(pgettext, msgctxt in the .po), as has the state of one case in the manager's list of files.
"""

from django.utils import translation
from django.utils.translation import gettext, pgettext

from cases.models import PlanGoal
from reports.models import SavedReport

YEAR_2025 = {"period": "year", "on": "2025-06-01"}


def test_open_is_a_verb_on_the_saved_reports_link_and_a_state_on_a_goal():
    with translation.override("pl"):
        assert pgettext("verb: open a saved report", "Open") == "Otwórz"
        assert str(PlanGoal.Status.OPEN.label) == "Otwarty"
        assert gettext("Open") == "Otwarty"
        # One case, in the column "Sprawa": feminine.
        assert pgettext("one case's state", "open") == "otwarta"
        assert pgettext("one case's state", "closed") == "zamknięta"


def test_the_saved_reports_list_says_otworz(client, manager):
    client.force_login(manager)
    assert client.post("/reports/save/", YEAR_2025).status_code == 302
    saved = SavedReport.objects.get()
    html = client.get("/reports/saved/").content.decode()
    assert f'<a href="/reports/saved/{saved.pk}/">Otwórz</a>' in html
    assert "Otwarty" not in html

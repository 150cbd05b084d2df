from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.navigation import NavItem
from accounts.roles import Role


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Outcome statistics")

    demo_seed = "reports.demo.seed"

    navigation = [
        NavItem(
            "reports:dashboard",
            _("Outcome statistics"),
            frozenset({Role.MANAGER}),
            _(
                "Clients served, bed-nights, occupancy, exits, returns and employment for a "
                "period, with charts and downloads; saved reports."
            ),
            order=60,
        ),
        NavItem(
            "reports:import-upload",
            _("Import past records"),
            frozenset({Role.ADMINISTRATOR}),
            _(
                "Upload a ZIP of CSV files from the spreadsheets kept before Przystań: "
                "facilities, clients, stays, programmes, enrolments, placements, follow-ups."
            ),
            order=910,
        ),
        NavItem(
            "reports:people",
            _("The people behind the figures"),
            frozenset({Role.SOCIAL_WORKER}),
            _(
                "Which of your clients the outcome statistics count: served, exits, returns, "
                "first stays and jobs started, for a period."
            ),
            order=60,
        ),
    ]

    def ready(self) -> None:
        # The episodes table follows every write of a stay (reports.episodes).
        from reports import episodes

        episodes.connect()

"""The printable plan (IPWzB / social contract) for both signatures, as a PDF.

The plan's writes are services (cases.services.plans); they are importable from here too, as
`from cases import plans` always allowed.
"""

import datetime

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from cases.models import Plan
from cases.services.plans import (  # noqa: F401 - the plan services, by their old address
    goal_add,
    goal_update,
    plan_approve,
    plan_create,
    plan_new_version,
    plan_review,
    plan_submit,
    progress_recordable,
    step_add,
    step_update,
)
from cases.wording import every_days
from config import pdf

# The page's width within config.pdf's margins.
TABLE_WIDTH = A4[0] - pdf.LEFT_MARGIN - pdf.RIGHT_MARGIN
CELL_PADDING = 4


def plan_pdf(plan: Plan) -> bytes:
    """The plan as a PDF in Polish, with places for the client's and the worker's signatures."""
    client = plan.client
    # The widest date in the small style, with its padding and a point to spare.
    date_column = pdf.text_width("00.00.0000", size=8) + 2 * CELL_PADDING + 2

    title = plan.get_kind_display()
    story = [
        pdf.para(title, "title"),
        pdf.para(
            _("Client: %(name)s, born %(born)s")
            % {
                "name": client.full_name,
                "born": client.birth_date.strftime("%d.%m.%Y")
                if isinstance(client.birth_date, datetime.date)
                else "—",
            }
        ),
        pdf.para(
            _("Version %(version)s · from %(start)s to %(end)s · status: %(status)s")
            % {
                "version": plan.version,
                "start": plan.starts_on.strftime("%d.%m.%Y"),
                "end": plan.ends_on.strftime("%d.%m.%Y") if plan.ends_on else "—",
                "status": plan.get_status_display(),
            }
        ),
        Spacer(1, 4 * mm),
        pdf.para(_("Situation"), "h2"),
        pdf.para(plan.situation or "—"),
        pdf.para(_("Causes"), "h2"),
        pdf.para(plan.causes or "—"),
        pdf.para(_("Goals and steps"), "h2"),
    ]
    goals = plan.goals.prefetch_related("steps__responsible").with_keys()
    for number, goal in enumerate(goals, start=1):
        story.append(pdf.para(f"{number}. {goal.text}", "body"))
        story.append(pdf.para(_("Status: %(status)s") % {"status": goal.get_status_display()}))
        if goal.outcome:
            story.append(pdf.para(_("Outcome: %(outcome)s") % {"outcome": goal.outcome}))
        rows = [
            [
                pdf.para(_("Who acts"), "small"),
                pdf.para(_("Step"), "small"),
                pdf.para(_("Responsible"), "small"),
                pdf.para(_("Due"), "small"),
                pdf.para(_("Status"), "small"),
            ]
        ]
        for step in goal.steps.all():
            rows.append(
                [
                    pdf.para(step.get_party_display(), "small"),
                    pdf.para(step.text, "small"),
                    pdf.para(step.responsible or "—", "small"),
                    # A plain string, not a paragraph: a table cell's string never wraps.
                    step.due_on.strftime("%d.%m.%Y") if step.due_on else "—",
                    pdf.para(step.get_status_display(), "small"),
                ]
            )
        # The date column is as wide as a date (27.11.2026) and its padding: never wrapped.
        step_width = TABLE_WIDTH - 28 * mm - 34 * mm - date_column - 22 * mm
        table = Table(
            rows,
            colWidths=[28 * mm, step_width, 34 * mm, date_column, 22 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (3, 1), (3, -1), pdf.FONT, 8),
                    ("LEFTPADDING", (3, 0), (3, -1), CELL_PADDING),
                    ("RIGHTPADDING", (3, 0), (3, -1), CELL_PADDING),
                ]
            )
        )
        story += [table, Spacer(1, 3 * mm)]
    story += [
        pdf.para(
            _("Reviews %(every)s; next review: %(next)s")
            % {
                "every": every_days(plan.review_every_days),
                "next": plan.next_review_on.strftime("%d.%m.%Y") if plan.next_review_on else "—",
            }
        ),
        Spacer(1, 16 * mm),
    ]
    signatures = Table(
        [
            [
                pdf.para("....................................", "body"),
                pdf.para("....................................", "body"),
                pdf.para("....................................", "body"),
            ],
            [
                pdf.para(_("Client's signature"), "small"),
                pdf.para(_("Social worker's signature"), "small"),
                pdf.para(_("Approved by (head of the centre)"), "small"),
            ],
        ],
        colWidths=[58 * mm, 58 * mm, 58 * mm],
    )
    story.append(signatures)

    # The organisation that wrote the plan heads every page; pages are numbered ("Page 1 of 3").
    organisation = plan.created_by.organisation if plan.created_by_id else None
    return pdf.build(
        story, title=str(title), header=organisation.name if organisation else "", numbered=True
    )

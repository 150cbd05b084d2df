"""What the shelters put into a person's data package (privacy.export): the kinds of record.

Stays, bans (with their reasons), the waitlist and holds, selected by the person's own subject;
a household member's stays in a family room only when the DPO exports everything of the children.
"""

from django.utils.translation import gettext_lazy as _

from privacy.export import Kind
from shelters.models import Ban, Hold, MemberStay, Stay, WaitlistEntry


def _of_subject(model, *, order=("pk",)):
    def rows(subject, options):
        return model.objects.filter(subject_id=subject.pk).order_by(*order)

    return rows


def _member_stays(subject, options):
    return MemberStay.objects.filter(allocation__household__head_id=subject.pk).order_by("pk")


KINDS = [
    Kind(
        key="stays",
        title=_("Stays"),
        model=Stay,
        fields=(
            "facility",
            "bed",
            "started_at",
            "ended_at",
            "night_of",
            "last_night",
            "exit_destination",
            "transferred_from_id",
            "notes",
            "override_reason",
            "checked_in_by",
            "checked_out_by",
        ),
        rows=_of_subject(Stay, order=("started_at", "pk")),
        lifecycle=("ended_at", "last_night", "exit_destination", "checked_out_by"),
    ),
    Kind(
        key="household_stays",
        title=_("Stays of the household members"),
        model=MemberStay,
        fields=("member_id", "facility", "room", "started_at", "ended_at"),
        rows=_member_stays,
        child_data=True,
        lifecycle=("ended_at",),
    ),
    Kind(
        key="bans",
        title=_("Bans"),
        model=Ban,
        fields=(
            "facility",
            "starts_on",
            "ends_on",
            "reason",
            "created_by",
            "lifted_at",
            "lifted_by",
            "lift_reason",
        ),
        rows=_of_subject(Ban, order=("starts_on", "pk")),
        lifecycle=("ends_on", "lifted_at", "lifted_by", "lift_reason"),
    ),
    Kind(
        key="waitlist",
        title=_("Waitlist"),
        model=WaitlistEntry,
        fields=(
            "facility",
            "added_on",
            "priority",
            "reason",
            "contact_note",
            "status",
            "offered_hold_id",
            "created_by",
        ),
        rows=_of_subject(WaitlistEntry, order=("added_on", "pk")),
        lifecycle=("status", "priority", "offered_hold_id"),
    ),
    Kind(
        key="holds",
        title=_("Beds held"),
        model=Hold,
        fields=("facility", "bed", "referral", "starts_at", "ends_at", "created_by"),
        rows=_of_subject(Hold, order=("starts_at", "pk")),
        lifecycle=("ends_at",),
    ),
]

"""The household (members, each a data subject of their own) and the do-not-disclose list.

Both are the sensitive part of a file: children's names and the people a client hides from.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.reach import Part
from audit.purposes import Purpose
from audit.record import record
from audit.services import access_log_write
from cases.access import require_change
from cases.models import Client, DoNotDisclose, Household, HouseholdMember
from privacy import vault


def household_member_add(
    *,
    by,
    client: Client,
    first_name: str,
    surname: str = "",
    birth_date=None,
    relationship: str,
    sex: str = "not_known",
    request=None,
) -> HouseholdMember:
    """Add a member (e.g. a child) to the client's household; each member has their own key."""
    require_change(by, client.pk)
    require_change(by, client.pk, Part.SENSITIVE)
    with transaction.atomic():
        household = Household.objects.filter(head=client).first()
        if household is None:
            household = Household(head=client)
            household._history_user = by
            household._change_reason = "household_member_add"
            household.save()
        subject = vault.subject_create(kind="household_member")
        member = HouseholdMember(
            subject=subject,
            household=household,
            first_name=first_name,
            surname=surname,
            birth_date=birth_date,
            relationship=relationship,
            sex=sex,
        )
        record(
            member,
            by=by,
            reason="household_member_add",
            subject_id=client.pk,
            purpose=Purpose.HOUSEHOLD,
            request=request,
        )
        access_log_write(
            actor=by,
            action="create",
            subject_id=subject.pk,
            purpose=Purpose.HOUSEHOLD_MEMBER,
            request=request,
        )
    return member


def do_not_disclose_add(
    *, by, client: Client, person_name: str, other_client=None, note: str = "", request=None
) -> DoNotDisclose:
    """Record someone the client's presence must never be disclosed to."""
    require_change(by, client.pk)
    require_change(by, client.pk, Part.SENSITIVE)
    if other_client is not None and other_client.pk == client.pk:
        raise ValidationError(_("A client cannot be on their own do-not-disclose list."))
    with transaction.atomic():
        entry = DoNotDisclose(
            client=client,
            person_name=person_name,
            other_client=other_client,
            note=note,
            created_by=by,
        )
        record(
            entry,
            by=by,
            reason="do_not_disclose_add",
            subject_id=client.pk,
            purpose=Purpose.DO_NOT_DISCLOSE,
            request=request,
        )
    return entry

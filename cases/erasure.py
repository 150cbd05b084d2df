"""What cases tells the DPO's erasure page (registered with privacy.related in apps.py).

- A client's household members are related subjects: each is shown to the DPO by relationship
  and age band (never a name) and erased with the client or not, as the DPO decides.
- Notices: who holds the file; that a member belongs to a client's household (whose data stays);
  how many other files' do-not-disclose lists point at the person (those entries stay: they
  protect the other person, whose worker decides what to change).
- The finder: the DPO finds a person by PESEL, or by surname with a first name or a birth date,
  as social workers do; the erasure page shows only when they were registered and which
  organisation holds the file, the DPO's search also the name and year of birth.
- The describer: the same facts for given ids (the DPO's person page and access log).
"""

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Assignment, Client, DoNotDisclose, HouseholdMember, WalkIn
from cases.selectors import client_search, current_holders
from privacy.related import Found, Notice, RelatedSubject, age_band


def household_related(subject):
    """The members of the household `subject` heads, and notices about the file."""
    today = timezone.localdate()
    # The youngest first: children are the DPO's first question.
    members = HouseholdMember.objects.filter(household__head_id=subject.pk).order_by(
        F("birth_year").desc(nulls_last=True), "pk"
    )
    for member in members.with_keys():
        relationship = member.get_relationship_display()
        if not member.is_active:
            relationship = _("%(relationship)s (no longer in the household)") % {
                "relationship": relationship
            }
        yield RelatedSubject(
            subject_id=member.pk,
            relationship=str(relationship),
            age_band=age_band(birth_date=member.birth_date, birth_year=member.birth_year, on=today),
        )
    holder = current_holders([subject.pk]).get(subject.pk)
    if holder is not None:
        yield Notice(
            _("A client's file, held by %(organisation)s since %(date)s.")
            % {
                "organisation": holder.worker.organisation.name,
                "date": date_format(
                    timezone.localtime(holder.started_at).date(), "SHORT_DATE_FORMAT"
                ),
            }
        )
    if HouseholdMember.objects.filter(pk=subject.pk).exists():
        yield Notice(
            _(
                "A member of a client's household: the client's own data stays; only this "
                "person's data is erased."
            )
        )
    mentions = DoNotDisclose.objects.filter(other_client_id=subject.pk).count()
    if mentions:
        yield Notice(
            ngettext(
                "%(count)d other person's do-not-disclose list points at this person. That entry "
                "stays: it protects the other person; ask their social worker to review it.",
                "%(count)d other people's do-not-disclose lists point at this person. Those "
                "entries stay: they protect the other people; ask their social workers to "
                "review them.",
                mentions,
            )
            % {"count": mentions}
        )


def find_for_dpo(
    *, pesel: str = "", surname: str = "", first_name: str = "", birth_date=None
) -> list[Found]:
    """Clients matching a PESEL, or a surname with a first name or a birth date: their name,
    year of birth, registration date and holding organisation."""
    clients = client_search(
        pesel=pesel, surname=surname, first_name=first_name, birth_date=birth_date
    )
    return _found(clients)


def describe_for_dpo(subject_ids) -> dict:
    """{id: Found} for the not erased clients among `subject_ids` (the DPO's pages name them).

    Four queries whatever the number: the clients, their keys, their holders, the walk-ins.
    """
    clients = (
        Client.objects.filter(pk__in=list(subject_ids), subject__erased_at__isnull=True)
        .select_related("subject")
        .with_keys()
    )
    return {found.subject_id: found for found in _found(list(clients))}


def _found(clients) -> list[Found]:
    holders = current_holders(c.pk for c in clients)
    # Walk-ins whose year of birth is an estimate: one query whatever the number.
    estimated = set(
        WalkIn.objects.filter(
            client_id__in=[c.pk for c in clients], birth_year_estimated=True
        ).values_list("client_id", flat=True)
    )
    found = []
    for client in clients:
        holder = holders.get(client.pk)
        held_by = holder.worker.organisation.name if holder is not None else _("nobody")
        found.append(
            Found(
                subject_id=client.pk,
                registered_on=client.registered_on,
                held_by=held_by,
                name=client.full_name,
                birth_year=client.birth_year,
                birth_year_estimated=client.pk in estimated,
            )
        )
    return found


def subjects_of_organisation(organisation_id):
    """The data subjects an organisation holds through case work (privacy/scope.py): clients
    whose file one of its workers holds or held, walk-ins registered at its facilities, and the
    household members of those clients (of any organisation, for None). One column of ids, no
    ordering (it goes into a UNION).
    """
    held = Assignment.objects.all()
    walk_ins = WalkIn.objects.all()
    if organisation_id is not None:
        held = held.held_in(organisation_id)
        walk_ins = walk_ins.filter(organisation_id=organisation_id)
    held = held.values("client_id")
    walk_ins = walk_ins.values("client_id")
    members = HouseholdMember.objects.filter(household__head_id__in=held).values("pk")
    return (held.order_by(), walk_ins.order_by(), members.order_by())

"""The ways activation reaches a person, registered in the rule book (accounts.reach).

Registered from ActivationConfig.ready(). Each query reads indexed columns only and runs nothing
by itself: the rule book nests it into its own one query.
- job_coach: a job coach reaches the participants (any enrolment, applied to completed) of the
  cohorts they lead or coach: who they are and their activation (enrolment, attendance, the
  IPZS, placements and follow-ups); never case notes, assessments, documents or stays;
- cooperative: a partner organisation's user reaches the people placed with their organisation
  (a placement whose employer is it), while the client's consent to share with that
  organisation holds today: a withdrawal cuts the access in the same request. Their pages show
  only their own placements and follow-ups of those people.
The social worker holding the file reads and changes activation through the caseload's ways
(cases.ways: the holder's and the team's parts include Part.ACTIVATION). A manager reaches the
organisation's programmes and allowance lists through activation.access, no person file.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import reach
from accounts.reach import Part, Way
from accounts.roles import Role
from activation.access import cohorts_coached_by
from activation.models import Enrolment, Placement
from cases.models import Consent

# The consents that let a cooperative see its placed workers (as a referral's do).
SHARING_CONSENTS = (Consent.Purpose.SHARE_PARTNER, Consent.Purpose.REFERRAL)


def _job_coach(user, *, person_id):
    """Clients enrolled (in any status) in a cohort the user leads or coaches."""
    enrolments = Enrolment.objects.filter(cohort__in=cohorts_coached_by(user).values("pk"))
    if person_id is not None:
        enrolments = enrolments.filter(client_id=person_id)
    # No ordering: the rule book may join this query with others in a UNION.
    return enrolments.order_by().values("client_id")


def placements_shared_with(organisation_id, on=None):
    """Placements with `organisation_id` as employer whose client's consent to share with it
    holds on the day (today by default)."""
    if organisation_id is None:
        return Placement.objects.none()
    day = on or timezone.localdate()
    consent = Consent.objects.filter(
        client=OuterRef("client"),
        partner_id=organisation_id,
        purpose__in=SHARING_CONSENTS,
        given_on__lte=day,
    ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
    return Placement.objects.filter(employer_organisation_id=organisation_id).filter(
        Exists(consent)
    )


def _cooperative(user, *, person_id):
    """Clients placed with the user's organisation, while their consent to share holds."""
    placements = placements_shared_with(user.organisation_id)
    if person_id is not None:
        placements = placements.filter(client_id=person_id)
    return placements.order_by().values("client_id")


JOB_COACH = reach.register(
    Way(
        code="job_coach",
        label=_("a participant of a cohort the coach runs"),
        roles=frozenset({Role.JOB_COACH}),
        reads=frozenset({Part.IDENTITY, Part.ACTIVATION}),
        writes=frozenset({Part.ACTIVATION}),
        reach=_job_coach,
    )
)
COOPERATIVE = reach.register(
    Way(
        code="cooperative",
        label=_("placed with the partner organisation, with consent"),
        roles=frozenset({Role.PARTNER}),
        reads=frozenset({Part.IDENTITY, Part.ACTIVATION}),
        reach=_cooperative,
    )
)

"""The questions activation's services (and, later, its pages) ask about a user's reach.

One condition per line, each commented, so that moving them into the rule book of reach
(accounts/reach.py, being built) is mechanical: the job coach's and the cooperative's ways of
reaching a person are registered there by this app when it lands. Until then:
- a job coach reaches the cohorts they lead or coach, and through them their participants;
- a manager reaches the programmes of their own organisation;
- a social worker reaches their caseload (cases.access.clients_visible_to, write=True).
Reads of a person's data write an access-log row in the functions that load them for a page.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from activation.models import Cohort, Enrolment, FollowUp, Programme
from cases.models import Assignment, Client


def _active(user) -> bool:
    # Anonymous or deactivated users reach nothing.
    return user.is_authenticated and user.is_active


def cohorts_coached_by(user) -> QuerySet[Cohort]:
    """Cohorts `user` leads or coaches (a job coach's reach)."""
    if not _active(user):
        return Cohort.objects.none()
    # Only job coaches coach; a role change takes the cohorts away with the role.
    if not user.has_role(Role.JOB_COACH):
        return Cohort.objects.none()
    # The coach in charge, or one of the coaches who take attendance.
    return Cohort.objects.filter(Q(lead_coach=user) | Q(coach_links__coach=user)).distinct()


def coaches_cohort(user, cohort: Cohort) -> bool:
    """Whether `user` may take the cohort's attendance and follow its participants."""
    return cohorts_coached_by(user).filter(pk=cohort.pk).exists()


def coaches_client(user, client: Client) -> bool:
    """Whether `client` takes (or took) part in a cohort `user` coaches."""
    return Enrolment.objects.filter(client=client, cohort__in=cohorts_coached_by(user)).exists()


def manages_organisation(user, organisation_id) -> bool:
    """Whether `user` is a manager of the organisation."""
    # Only managers manage.
    if not (_active(user) and user.has_role(Role.MANAGER)):
        return False
    # Their own organisation only.
    return organisation_id is not None and user.organisation_id == organisation_id


def manages_programme(user, programme: Programme) -> bool:
    """Whether `user` manages the organisation that runs the programme."""
    return manages_organisation(user, programme.organisation_id)


def holds_client(user, client: Client) -> bool:
    """Whether `client` is in `user`'s caseload with the right to change the file."""
    from cases.access import clients_visible_to

    # The caseload grants (holder or team), never break-glass: that is read-only.
    return clients_visible_to(user, write=True).filter(pk=client.pk).exists()


def may_enrol(user, client: Client, cohort: Cohort) -> bool:
    """Enrolment is asked for by the client's social worker or by a job coach of the cohort."""
    # The social worker who holds the file.
    if holds_client(user, client):
        return True
    # A coach of the cohort, for someone already among their participants.
    return coaches_cohort(user, cohort) and coaches_client(user, client)


def may_decide_enrolment(user, enrolment: Enrolment) -> bool:
    """Accepting, refusing, starting, suspending and completing are the programme's decisions."""
    # The programme's manager.
    if manages_programme(user, enrolment.programme):
        return True
    # A coach of the cohort.
    return enrolment.cohort is not None and coaches_cohort(user, enrolment.cohort)


def may_withdraw_enrolment(user, enrolment: Enrolment) -> bool:
    """Dropping out may also be recorded by the client's social worker."""
    # Whoever decides for the programme.
    if may_decide_enrolment(user, enrolment):
        return True
    # The social worker who holds the file.
    return holds_client(user, enrolment.client)


def may_take_attendance(user, cohort: Cohort) -> bool:
    """A cohort's attendance is taken by its coaches (the coach in charge included)."""
    return coaches_cohort(user, cohort)


def may_manage_allowance(user, programme: Programme) -> bool:
    """Bonuses, the programme's allowance rules, closing a month and corrections: its manager."""
    # Only a CIS pays the integration allowance.
    if not programme.is_cis:
        return False
    # The manager of the organisation running it.
    return manages_programme(user, programme)


def programmes_managed_by(user) -> QuerySet[Programme]:
    """Programmes of the organisation `user` manages (none for anyone else)."""
    # Only a manager, of their own organisation.
    if not manages_organisation(user, getattr(user, "organisation_id", None)):
        return Programme.objects.none()
    return Programme.objects.of_organisation(user.organisation_id)


def get_programme_for_manager(user, programme_id) -> Programme:
    """A programme `user` manages; 404 alike for a missing one and another organisation's."""
    programme = programmes_managed_by(user).select_related("trade").filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    return programme


def get_cis_for_manager(user, programme_id) -> Programme:
    """A CIS `user` manages (the allowance pages); any other programme answers 404."""
    programme = get_programme_for_manager(user, programme_id)
    # Only a CIS pays the integration allowance: another kind has no such page.
    if not may_manage_allowance(user, programme):
        raise Http404
    return programme


def get_cohort_for_coach(user, cohort_id) -> Cohort:
    """A cohort whose attendance `user` takes; 404 alike for missing and someone else's."""
    cohort = cohorts_coached_by(user).select_related("programme").filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    return cohort


def get_cohort_for_sheet(user, cohort_id) -> Cohort:
    """A cohort whose monthly sheet `user` may print: its coaches, and the manager of the
    organisation running it (who signs the list); 404 alike for everyone else."""
    cohort = Cohort.objects.select_related("programme").filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    # The manager of the programme's organisation.
    if manages_programme(user, cohort.programme):
        return cohort
    # A coach of the cohort.
    if coaches_cohort(user, cohort):
        return cohort
    raise Http404


def get_cohort_for_manager(user, cohort_id) -> Cohort:
    """A cohort of a programme `user` manages (editing it); 404 alike otherwise."""
    cohort = (
        Cohort.objects.select_related("programme")
        .filter(pk=cohort_id, programme__in=programmes_managed_by(user))
        .first()
    )
    if cohort is None:
        raise Http404
    return cohort


def may_record_placement(user, client: Client) -> bool:
    """Placements are recorded by the client's social worker or by their job coach."""
    # The social worker who holds the file.
    if holds_client(user, client):
        return True
    # A job coach of a cohort the client takes (or took) part in.
    return coaches_client(user, client)


def may_answer_follow_up(user, follow_up: FollowUp) -> bool:
    """Follow-ups are on the list of the job coach or social worker who follows the client."""
    return may_record_placement(user, follow_up.client)


def partner_consent_needed(client: Client, programme: Programme) -> bool:
    """Whether enrolment shares the client with a partner: the programme is run by another
    organisation than the one holding the file, so the client's consent is needed first."""
    holder_organisations = Assignment.objects.filter(
        client=client, ended_at__isnull=True
    ).values_list("worker__organisation_id", flat=True)
    # No current holder: nobody in the cluster holds the file, so anyone else is a partner.
    return programme.organisation_id not in set(holder_organisations)

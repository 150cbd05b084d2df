"""Who may see which outcome statistics. Role and scope decisions live here and nowhere else.

Managers see the aggregates of their own organisation: its facilities' stays and its
programmes' enrolments (and the placements and assessments of the people those reach). A
manager of the cluster's coordinating organisation (kind "foundation", the cluster's
coordinator: GLOSSARY.md) sees every organisation together. Managers see no names: the
dashboard shows suppressed figures only.

The drill-down from a cell to its people is for those who could open the people's files
anyway (social workers, through their caseload): it lists only the files the case file view
would open for them (cases.access, one rule book), and nothing else of the cell.
"""

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Organisation
from accounts.roles import Role
from activation.models import Programme
from cases.access import clients_visible_to
from cases.models import Client
from reports.models import ImportJob, SavedReport
from reports.sql import EVERYTHING, Scope
from shelters.models import Facility

DASHBOARD_ROLES = (Role.MANAGER,)
# Who may open a cell's people: the role that opens case files (cases/urls.py, client-detail).
# A manager who is nothing else is refused; one who also keeps files comes in as a social worker.
DRILL_DOWN_ROLES = (Role.SOCIAL_WORKER,)


def is_coordinator(user) -> bool:
    """A manager of the coordinating foundation: the whole cluster's statistics."""
    # Managers only: the dashboard's role check has let only them in already.
    if not user.has_role(Role.MANAGER):
        return False
    # The cluster is coordinated by its foundation (GLOSSARY.md, "The cluster").
    organisation = user.organisation
    return organisation is not None and organisation.kind == Organisation.Kind.FOUNDATION


def facilities_for_reports(user):
    """Facilities whose figures `user` may see (the dashboard's facility filter)."""
    facilities = Facility.objects.order_by("name")
    # The coordinator sees every organisation's.
    if is_coordinator(user):
        return facilities
    # A manager sees their organisation's.
    if user.has_role(Role.MANAGER) and user.organisation_id:
        return facilities.of_organisation(user.organisation_id)
    return facilities.none()


def programmes_for_reports(user):
    """Programmes whose figures `user` may see (the dashboard's programme filter)."""
    programmes = Programme.objects.order_by("name")
    if is_coordinator(user):
        return programmes
    if user.has_role(Role.MANAGER) and user.organisation_id:
        return programmes.of_organisation(user.organisation_id)
    return programmes.none()


def scope_for(user, *, facility=None, programme=None) -> Scope:
    """The records a report of `user` reads, narrowed to one facility or programme if chosen."""
    everything = is_coordinator(user)
    if everything and facility is None and programme is None:
        return EVERYTHING
    facility_ids = tuple(facilities_for_reports(user).values_list("pk", flat=True))
    programme_ids = tuple(programmes_for_reports(user).values_list("pk", flat=True))
    # A filter narrows to one record of the user's reach, and then to that kind of record:
    # a facility's report is about its stays, a programme's about its enrolments.
    if facility is not None:
        facility_ids = tuple(pk for pk in facility_ids if pk == facility.pk)
        programme_ids = () if programme is None else programme_ids
    if programme is not None:
        programme_ids = tuple(pk for pk in programme_ids if pk == programme.pk)
        facility_ids = () if facility is None else facility_ids
    return Scope(facility_ids=facility_ids, programme_ids=programme_ids)


def saved_reports_for(user):
    """Saved reports `user` may list and open: their organisation's (all, for the coordinator)."""
    reports = SavedReport.objects.select_related("created_by")
    if is_coordinator(user):
        return reports
    if user.has_role(Role.MANAGER) and user.organisation_id:
        return reports.of_organisation(user.organisation_id)
    return reports.none()


def get_saved_report_for_user(user, pk: int) -> SavedReport:
    """A saved report of `user`'s reach; 404 alike for missing and out of reach."""
    try:
        return saved_reports_for(user).get(pk=pk)
    except (SavedReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


IMPORT_ROLES = (Role.ADMINISTRATOR,)


def import_jobs_for(user):
    """Uploaded imports `user` may follow: those into their organisation, for an administrator."""
    jobs = ImportJob.objects.all()
    # Administrators import; nobody else sees an import's page.
    if not user.has_role(Role.ADMINISTRATOR):
        return jobs.none()
    # Their own organisation's imports only (of_organisation gives none without one).
    return jobs.of_organisation(user.organisation_id)


def get_import_job_for_user(user, pk) -> ImportJob:
    """An import job of `user`'s reach; 404 alike for missing and out of reach."""
    try:
        return import_jobs_for(user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def files_opened_by(user, client_ids) -> set:
    """Which of `client_ids` are in `user`'s caseload, whose files they open: the case file
    view's rule book (cases.access, accounts.reach), asked once for them all.

    The caseload's ways only (the holder and the team): an emergency access opens one file for
    an emergency, not for a list drawn from statistics.
    """
    # The files the user opens (a caseload: a few hundred at most) met with the cell's ids in
    # Python: never the cell's ids as SQL parameters (a cluster's cell can have thousands).
    reached = clients_visible_to(user).values_list("pk", flat=True)
    return set(reached) & set(client_ids)


def people_visible_to(user, client_ids) -> list[Client]:
    """The clients of `client_ids` whose file `user` may open, with their names; nothing about
    the others, not even how many they are, so a hidden small cell stays hidden."""
    clients = Client.objects.filter(pk__in=files_opened_by(user, client_ids))
    clients = clients.select_related("subject").with_keys()
    return sorted(clients, key=lambda c: (str(c.surname), str(c.first_name), str(c.pk)))

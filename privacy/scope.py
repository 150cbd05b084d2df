"""Whom a data protection officer acts for: their organisation's data subjects, or everyone.

A DPO (Role.DPO) acts for the data subjects of their own organisation; a cluster DPO
(Role.CLUSTER_DPO, a separate role handed out by administrators only) for every data subject
of the cluster. "An organisation's data subjects" is the union of what the apps register here
from their AppConfig.ready() (privacy imports no domain app), each a query of subject ids for
an organisation id:
- cases: clients whose file a worker of the organisation holds now or held before (the
  organisation keeps that file's records), walk-ins registered at its facilities, and the
  household members of those clients;
- shelters: people who stayed at one of its facilities.
A person of two organisations (a file handed over) is in both: each DPO answers for what their
organisation holds. Every DPO page that names a person asks `get_subject_for_dpo` (404 alike
for missing and out of scope) or filters by `dpo_reaches_among`.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role
from privacy.models import Subject

SubjectsOf = Callable[[int], QuerySet | tuple[QuerySet, ...]]

_SOURCES: list[SubjectsOf] = []


def register(source: SubjectsOf) -> SubjectsOf:
    """Add a source: `source(organisation_id)` is a query (or a tuple of queries) of one
    column of subject ids, without ordering."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def acts_for_cluster(user) -> bool:
    """Whether `user` is the cluster's DPO (every data subject)."""
    return user.has_role(Role.CLUSTER_DPO)


def subject_ids_of(user) -> QuerySet | None:
    """The ids of the subjects `user` acts for as a DPO, as one sub-query; None for everyone
    (the cluster DPO). A user who is no DPO, or of no organisation, acts for nobody."""
    if acts_for_cluster(user):
        return None
    if not user.has_role(Role.DPO) or user.organisation_id is None:
        return Subject.objects.none().values("pk")
    queries: list[QuerySet] = []
    for source in _SOURCES:
        found = source(user.organisation_id)
        queries += [found] if isinstance(found, QuerySet) else list(found)
    if not queries:
        return Subject.objects.none().values("pk")
    first, *rest = queries
    return first.union(*rest) if rest else first


def dpo_subjects(user) -> QuerySet[Subject]:
    """The subjects `user` acts for as a DPO."""
    ids = subject_ids_of(user)
    subjects = Subject.objects.all()
    return subjects if ids is None else subjects.filter(pk__in=ids)


def dpo_reaches(user, subject_id) -> bool:
    """Whether `user` acts as a DPO for the subject (one query)."""
    return dpo_subjects(user).filter(pk=subject_id).exists()


def dpo_reaches_among(user, subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the ids `user` acts for as a DPO (one query)."""
    ids = list(subject_ids)
    if not ids:
        return set()
    return set(dpo_subjects(user).filter(pk__in=ids).values_list("pk", flat=True))


def get_subject_for_dpo(user, subject_id) -> Subject:
    """A subject `user` acts for as a DPO; 404 alike for missing and another organisation's."""
    found = dpo_subjects(user).filter(pk=subject_id).first()
    if found is None:
        raise Http404
    return found

"""Roles are Django groups, one per kind of work; each group's name is the role's code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    JOB_COACH = "job_coach", _("Job coach")
    MANAGER = "manager", _("Manager")
    DPO = "dpo", _("Data protection officer")
    # The DPO of the whole cluster: acts for every organisation's data subjects (privacy/scope.py).
    CLUSTER_DPO = "cluster_dpo", _("Data protection officer of the cluster")
    PARTNER = "partner", _("Partner organisation user")
    ADMINISTRATOR = "administrator", _("Administrator")


# What each role is for, shown on its landing page.
ROLE_DESCRIPTIONS = {
    Role.SOCIAL_WORKER: _(
        "You keep case files: intake, assessments, the individual plan, notes, documents, "
        "consent and referrals for the clients of your caseload."
    ),
    Role.SHELTER_STAFF: _(
        "You run your facility: the bed board, check-in and check-out, holds, the waitlist "
        "and bans."
    ),
    Role.JOB_COACH: _(
        "You run programmes and workshops: enrolment, attendance, placements and follow-ups "
        "of their participants."
    ),
    Role.MANAGER: _(
        "You see outcome statistics and reports, manage your organisation's staff and review "
        "access to case files."
    ),
    Role.DPO: _(
        "You watch over personal data: access logs, subject exports, erasure and key rotation."
    ),
    Role.CLUSTER_DPO: _(
        "You watch over personal data in every organisation of the cluster: access logs, "
        "subject exports, restrictions, erasure and key rotation."
    ),
    Role.PARTNER: _(
        "You see the clients referred to your organisation, while their consent holds."
    ),
    Role.ADMINISTRATOR: _("You configure the system: organisations, staff accounts and roles."),
}

# Roles that may manage staff accounts, and which roles each may hand out.
STAFF_MANAGERS = {Role.MANAGER, Role.ADMINISTRATOR}
ASSIGNABLE_BY = {
    Role.ADMINISTRATOR: set(Role),
    # A manager may not create administrators or data protection officers.
    Role.MANAGER: set(Role) - {Role.ADMINISTRATOR, Role.DPO, Role.CLUSTER_DPO},
}

# The data protection officers: of one organisation, or of the cluster (privacy/scope.py says
# whom each acts for).
DPO_ROLES = (Role.DPO, Role.CLUSTER_DPO)

import uuid

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role


class Organisation(models.Model):
    """A partner of the cluster: the foundation, an NGO, the welfare centre, a cooperative..."""

    class Kind(models.TextChoices):
        FOUNDATION = "foundation", _("Foundation")
        NGO = "ngo", _("Non-governmental organisation")
        WELFARE_CENTRE = "welfare_centre", _("Municipal welfare centre (MOPS/GOPS)")
        SOCIAL_COOPERATIVE = "social_cooperative", _("Social cooperative")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        EMPLOYER = "employer", _("Employer")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Administrators, managers and data protection officers always sign in with a second
    # factor (accounts.second_factor.REQUIRED_ROLES); this asks it of everyone else here too.
    requires_second_factor = models.BooleanField(
        _("second factor required of all staff"),
        default=False,
        help_text=_(
            "Everyone of this organisation signs in with a code from an authenticator app. "
            "Administrators, managers and data protection officers always do."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


def _organisation_id(organisation) -> int | None:
    """An organisation, its id, or None, as an id (or None)."""
    return getattr(organisation, "pk", organisation)


class OrganisationScoped:
    """The one organisation filter of a queryset whose rows carry `organisation_id`.

    `of_organisation(organisation)` takes an Organisation or its id and gives the rows of that
    organisation; for None it gives none (never every row): the scoping rule of every list.
    """

    def of_organisation(self, organisation):
        organisation_id = _organisation_id(organisation)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)


class UserQuerySet(OrganisationScoped, models.QuerySet):
    def with_role(self, *roles: str):
        """Staff holding one of `roles` (their role group)."""
        return self.filter(groups__name__in=roles).distinct()


class StaffManager(UserManager.from_queryset(UserQuerySet)):
    """Django's UserManager (create_user...) with the staff's queryset methods."""

    use_in_migrations = True


class User(AbstractUser):
    """A member of staff. Deactivated, never deleted: history keeps who did what."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = StaffManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def delete(self, *args, **kwargs):
        raise RuntimeError(
            "Users are deactivated, never deleted (accounts.services.user_deactivate)."
        )

    @property
    def roles(self) -> set[str]:
        """The role codes of this user's groups, read once per request."""
        if not hasattr(self, "_roles_cache"):
            if not self.is_authenticated or not self.pk:
                self._roles_cache = set()
            else:
                # groups.all() uses a prefetch when the list view made one.
                names = {group.name for group in self.groups.all()}
                self._roles_cache = names & set(Role.values)
        return self._roles_cache

    @property
    def role(self) -> str | None:
        """The user's role: staff hold one role each (the staff page sets exactly one)."""
        for code in Role.values:
            if code in self.roles:
                return code
        return None

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else str(_("no role"))

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.roles & set(roles))


# Team groups are named with this prefix and an opaque id: never a role code, never the team's name.
TEAM_GROUP_PREFIX = "team:"


class TeamQuerySet(OrganisationScoped, models.QuerySet):
    """Teams; `of_organisation` gives an organisation's teams."""


class Team(models.Model):
    """A team of social workers of one organisation, sharing the files assigned to the team.

    Membership is membership of the team's own group (never a role group, see TEAM_GROUP_PREFIX):
    a client assigned with a team is readable and writable by every member, through guardian's
    group permissions, for as long as they stay in the group.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    name = models.CharField(_("name"), max_length=100)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="team", editable=False
    )
    history = HistoricalRecords()
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_team_name_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_group_name() -> str:
        return f"{TEAM_GROUP_PREFIX}{uuid.uuid4()}"

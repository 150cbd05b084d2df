"""Who may reach each URL: the declarations every app's urls.py keeps beside its patterns.

Each urls.py has a module-level `ACCESS` dict, URL name → declaration, for instance

    ACCESS = {
        "caseload": allow(Role.SOCIAL_WORKER),
        "client-detail": allow(Role.SOCIAL_WORKER, reach=Reach.FILE),
        "client-edit": allow(Role.SOCIAL_WORKER, reach=Reach.FILE_CHANGE),
        "consents": allow(Role.SOCIAL_WORKER, reach=Reach.FILE, post=Reach.FILE_CHANGE),
        "board": allow(Role.SHELTER_STAFF, Role.MANAGER, reach=Reach.OPERATES),
        "staff-edit": allow(Role.MANAGER, reach=Reach.ORGANISATION) | allow(Role.ADMINISTRATOR),
    }

A declaration is a promise, not a check: the views enforce it (role_required, the access
modules), and tests/security/test_authorization_matrix.py walks every named URL and asks it of
every role and of objects in every relation to the user (docs/architecture.md, "The
authorization matrix"). What a declaration says:
- a role not named answers 403 (anonymous users go to the sign-in page);
- a role named with a `reach` answers 404 for an object out of that reach (missing and hidden
  look the same), and 403 when the object is seen through a lesser reach (`SEEN_THROUGH`: a
  file opened by break-glass may be read, not changed);
- a page that shows on GET and writes on POST names with `post` the reach its POST needs, when
  more than its GET's (the consents of a file are read by break-glass, not recorded);
- `public()` pages answer everyone, `signed_in()` every role; `admin_site(*roles)` is a page of
  Django's admin: it lets in members of `roles`, refuses other staff (administrators are the
  only staff accounts) with 403 and sends everyone else to the admin's sign-in page.
"""

from dataclasses import dataclass
from enum import StrEnum

from accounts.roles import Role


class Reach(StrEnum):
    """How the object in a URL must relate to the user for the URL to answer."""

    # The client's file is readable: the holder, their team, an emergency access (break-glass).
    FILE = "file"
    # The client's file may be changed: the holder or their team (never break-glass).
    FILE_CHANGE = "file_change"
    # The user works in the object's facility (its object permission).
    OPERATES = "operates"
    # The object belongs to the user's organisation (a file held there, a facility, a staff
    # account, a team, a handover request or a plan to decide, an emergency access to review;
    # for a DPO, a person who is one of the organisation's data subjects: privacy/scope.py).
    ORGANISATION = "organisation"
    # A referral sent to the user's organisation whose client's consent holds today.
    REFERRED = "referred"
    # A programme, cohort or enrolment of a cohort the job coach leads or coaches.
    COACHES = "coaches"
    # The person's activation may be read and changed (their programmes, enrolments,
    # placements, follow-ups, the ladder): the holder of the file, their team, a job coach of a
    # cohort the person takes part in; never an emergency access (break-glass shows no
    # activation). Said of a person in the URL, and of the enrolment, placement or follow-up in
    # it through its person (activation's pages load the row, then the person's reach).
    ACTIVATION = "activation"
    # A walk-in of the user's organisation that nobody has taken yet (the new-walk-ins list).
    WALK_IN = "walk_in"
    # The user's own role (its landing page).
    OWN_ROLE = "own_role"
    # The object has a page on the site to be sent to (no model of ours has one: the admin's
    # "view on site" answers 404).
    ON_SITE = "on_site"


# Who holds the right on the left only through the lesser reach on the right is answered 403
# (the object is no secret to them), not 404.
SEEN_THROUGH = {Reach.FILE_CHANGE: Reach.FILE}
# Out of reach answers 404 (missing and hidden look the same), except where the object is no
# secret: another role's landing page is refused like any other role's page.
REFUSED_WITH = {Reach.OWN_ROLE: 403}


@dataclass(frozen=True)
class Rule:
    """Members of `roles` may reach the URL, for objects in `reach` of them (any, if None), and
    POST to it for objects in `post` of them (the same as `reach`, if None)."""

    roles: frozenset[str]
    reach: Reach | None = None
    post: Reach | None = None


@dataclass(frozen=True)
class Access:
    """A URL's declaration: the rules that let a user through (the first naming their role
    decides), or everyone (`public`), or Django's admin (`admin`)."""

    rules: tuple[Rule, ...] = ()
    public: bool = False
    admin: bool = False

    def __or__(self, other: "Access") -> "Access":
        return Access(rules=self.rules + other.rules)

    def rule_for(self, role: str | None) -> Rule | None:
        """The rule that decides for `role`, or None (the role is refused)."""
        for rule in self.rules:
            if role in rule.roles:
                return rule
        return None


def allow(*roles: str, reach: Reach | None = None, post: Reach | None = None) -> Access:
    """Members of `roles`, for objects in `reach` of them (any object, or none, if None); a POST
    needs `post` where it needs more than a GET."""
    if not roles:
        raise ValueError("allow() needs at least one role")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"allow(): unknown roles {sorted(unknown)}")
    return Access(rules=(Rule(roles=frozenset(roles), reach=reach, post=post),))


def signed_in(*, reach: Reach | None = None) -> Access:
    """Every role (a page of one's own: the password, the start page)."""
    return allow(*Role.values, reach=reach)


def public() -> Access:
    """Everyone, signed in or not (the sign-in page, the language switch)."""
    return Access(public=True)


def admin_site(*roles: str, reach: Reach | None = None) -> Access:
    """A page of Django's admin, open to members of `roles` (none: its model permissions give
    it to nobody); the admin's own staff check sends everyone else to its sign-in page."""
    rules = (Rule(roles=frozenset(roles), reach=reach),) if roles else ()
    return Access(rules=rules, admin=True)

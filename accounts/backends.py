"""Signing in with a username and password: Django's ModelBackend, with one statement per request.

The signed-in person's row is read on every request (django.contrib.auth's middleware asks
`get_user`), and then, before any page, their roles (their groups) and whether their session may
owe a second factor (accounts.second_factor.needs_verification): three statements, three round
trips on PostgreSQL. Here the row comes with both answers, in one statement built once a process
(config/compiled.py). The rules are unchanged and written once: the roles are the user's groups
named as a role (`User.roles`), and the second factor's condition is `second_factor.MAY_OWE_CODE`.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.roles import Role
from accounts.second_factor import LOADED_MAY_OWE_CODE, MAY_OWE_CODE
from config.compiled import Compiled

# A bit per role, in the order of the Role choices.
ROLE_CODES = tuple(Role.values)
# Annotations of the loaded user (the roles read here; the second factor's by needs_verification).
ROLE_BITS = "signed_in_role_bits"


def _signed_in_query(user_id: int):
    role_bits = (
        User.groups.through.objects.filter(user_id=OuterRef("pk"))
        .values("user_id")
        .annotate(
            bits=Sum(
                Case(
                    *(
                        When(group__name=code, then=Value(1 << n))
                        for n, code in enumerate(ROLE_CODES)
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )
        .values("bits")
    )
    return User._default_manager.filter(pk=user_id).annotate(
        **{
            ROLE_BITS: Coalesce(Subquery(role_bits), Value(0), output_field=IntegerField()),
            LOADED_MAY_OWE_CODE: Exists(
                User.objects.filter(pk=OuterRef("pk")).filter(MAY_OWE_CODE)
            ),
        }
    )


_signed_in = Compiled(_signed_in_query, ids=("user_id",))


def roles_from_bits(bits: int) -> set[str]:
    return {code for n, code in enumerate(ROLE_CODES) if bits >> n & 1}


class StaffBackend(ModelBackend):
    """Django's ModelBackend; `get_user` reads the roles and the second factor's condition too.

    Django's own ModelBackend stays listed after this one, for the sessions signed in before
    (a session names the backend that signed it in). So that it never checks a refused password
    a second time (a second Argon2 hash), a refusal here ends the sign-in: PermissionDenied,
    which `authenticate()` turns into the same failure (and the same `user_login_failed`).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _signed_in.objects(user_id=pk)
        if not found:
            return None
        user = found[0]
        # What User.roles would read from the groups, for this request's object only.
        user._roles_cache = roles_from_bits(user.__dict__.pop(ROLE_BITS))
        return user if self.user_can_authenticate(user) else None

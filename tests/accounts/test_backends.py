"""The signed-in person's row, roles and second factor's condition in one statement a request
(accounts/backends.py, issue 14): the same answers as the groups and the second factor's query."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import StaffBackend
from accounts.models import User
from accounts.roles import Role
from accounts.second_factor import needs_verification
from tests.factories import TEST_PASSWORD


def _signed_in(user):
    """The user as django.contrib.auth's middleware loads them on each request (and django-otp's
    middleware marks them: no device verified in this session)."""
    loaded = StaffBackend().get_user(user.pk)
    if loaded is not None:
        loaded.is_verified = lambda: False
    return loaded


def test_the_user_comes_with_roles_and_the_second_factor_s_answer_in_one_statement(
    social_worker,
):
    with CaptureQueriesContext(connection) as queries:
        user = _signed_in(social_worker)
        roles = user.roles
        # An organisation that does not require it, no app: nothing owed.
        owes = needs_verification(user)
    assert len(queries) == 1
    assert roles == {Role.SOCIAL_WORKER}
    assert owes is False
    # The loaded answer serves once: a later question in the same request asks the database.
    with CaptureQueriesContext(connection) as queries:
        assert needs_verification(user) is False
    assert len(queries) == 1


def test_an_organisation_that_requires_it_or_an_app_of_one_s_own_is_read_with_the_user(
    social_worker,
):
    organisation = social_worker.organisation
    organisation.requires_second_factor = True
    organisation.save()
    assert needs_verification(_signed_in(social_worker)) is True
    organisation.requires_second_factor = False
    organisation.save()
    assert needs_verification(_signed_in(social_worker)) is False
    # An unconfirmed app owes nothing yet; a confirmed one does.
    device = TOTPDevice.objects.create(user=social_worker, name="app", confirmed=False)
    assert needs_verification(_signed_in(social_worker)) is False
    device.confirmed = True
    device.save()
    assert needs_verification(_signed_in(social_worker)) is True


def test_every_role_group_is_read_and_no_other_group_is_taken_for_a_role(social_worker):
    # Two roles (no staff page makes this, but the rule reads every group), a team and a
    # group whose name only resembles a role.
    social_worker.groups.add(
        Group.objects.get(name=Role.MANAGER),
        Group.objects.create(name="team:abc"),
        Group.objects.create(name="manager "),
    )
    user = _signed_in(social_worker)
    assert user.roles == {Role.SOCIAL_WORKER, Role.MANAGER}
    # The same as the groups' own reading.
    fresh = type(social_worker).objects.get(pk=social_worker.pk)
    assert user.roles == fresh.roles
    # A change of role between requests is seen by the next request.
    social_worker.groups.clear()
    assert _signed_in(social_worker).roles == set()


@pytest.mark.parametrize("user_id", [None, "x", 987_654_321, 2**64])
def test_a_session_of_nobody_signs_nobody_in(db, user_id):
    assert StaffBackend().get_user(user_id) is None


def test_a_deactivated_user_is_signed_out(social_worker):
    social_worker.is_active = False
    social_worker.save()
    assert _signed_in(social_worker) is None


def test_a_session_signed_in_before_the_staff_backend_stays_signed_in(client, social_worker):
    # Such a session names Django's ModelBackend, still listed for it.
    client.force_login(social_worker, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("accounts:home"))
    assert response.wsgi_request.user.pk == social_worker.pk


def test_a_wrong_password_is_checked_once_and_refused(rf, social_worker, monkeypatch):
    checked = []
    original = User.check_password

    def counting(user, raw):
        checked.append(user.pk)
        return original(user, raw)

    monkeypatch.setattr(User, "check_password", counting)
    request = rf.post("/login/")
    request.session = {}
    failed = []
    user_login_failed.connect(lambda **kw: failed.append(kw), weak=False, dispatch_uid="t")
    try:
        assert authenticate(request, username=social_worker.username, password="wrong") is None
    finally:
        user_login_failed.disconnect(dispatch_uid="t")
    # One hash, not one per listed backend; the failure is signalled (django-axes counts it).
    assert checked == [social_worker.pk]
    assert len(failed) == 1
    checked.clear()
    signed_in = authenticate(request, username=social_worker.username, password=TEST_PASSWORD)
    assert signed_in == social_worker
    assert signed_in.backend == "accounts.backends.StaffBackend"
    assert checked == [social_worker.pk]

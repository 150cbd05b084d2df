"""Organisation scoping is one queryset method per model, which the access modules and forms use."""

from accounts.access import staff_visible_to, team_member_candidates, teams_visible_to
from accounts.models import Team, User
from accounts.roles import Role
from shelters.models import Facility
from tests.factories import UserFactory, make_facility


def test_staff_of_an_organisation_are_only_its_own(
    foundation, welfare_centre, social_worker, manager, outside_worker
):
    assert set(User.objects.of_organisation(foundation)) == {social_worker, manager}
    # An id does as well as the organisation.
    assert list(User.objects.of_organisation(welfare_centre.pk)) == [outside_worker]


def test_no_organisation_scopes_to_nobody(social_worker):
    unattached = UserFactory(username="nikt", organisation=None, role=Role.SOCIAL_WORKER)
    assert unattached.organisation_id is None
    assert not User.objects.of_organisation(None).exists()
    assert not Team.objects.of_organisation(None).exists()
    assert not Facility.objects.of_organisation(None).exists()


def test_staff_with_a_role_are_the_members_of_its_group(
    foundation, social_worker, other_social_worker, manager
):
    workers = User.objects.of_organisation(foundation).with_role(Role.SOCIAL_WORKER)
    assert set(workers) == {social_worker, other_social_worker}


def test_teams_and_facilities_of_an_organisation(team, outside_team, foundation, welfare_centre):
    assert list(Team.objects.of_organisation(foundation)) == [team]
    assert list(Team.objects.of_organisation(welfare_centre.pk)) == [outside_team]
    own = make_facility(organisation=foundation, name="Noclegownia F")
    make_facility(organisation=welfare_centre, name="Noclegownia M")
    assert list(Facility.objects.of_organisation(foundation)) == [own]


def test_the_access_functions_scope_through_them(
    manager, other_manager, team, outside_team, social_worker, outside_worker
):
    # A manager's staff list and teams are their organisation's; candidates for a team too.
    assert outside_worker not in staff_visible_to(manager)
    assert social_worker in staff_visible_to(manager)
    assert list(teams_visible_to(other_manager)) == [outside_team]
    assert outside_worker not in team_member_candidates(team)
    assert social_worker in team_member_candidates(team)

"""The volunteer register and teams: who may register, update, deactivate; refusals change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent, UserSecurity
from gongzhi.volunteers.actions.register import (
    do_add_team_member,
    do_create_team,
    do_deactivate_volunteer,
    do_reactivate_volunteer,
    do_register_volunteer,
    do_remove_team_member,
    do_set_team_leader,
    do_update_volunteer,
)
from gongzhi.volunteers.models import SignUp, TeamMember, Volunteer
from tests.serviceloop.world import World
from tests.volunteers.conftest import counts, make_activity

pytestmark = pytest.mark.django_db


def test_community_staff_register_a_resident_with_a_sign_in_that_must_change_its_password(world: World) -> None:
    # given a grid2 resident who is not yet a volunteer
    person = world.people.places["grid2"].residents[0]
    # when the community's staff register them with skills and an account
    volunteer, temporary = do_register_volunteer(
        actor=world.user("community"),
        person=person,
        community=world.community,
        skills=["ELD01", "FIX02"],
        available_days=0b1100000,
        monthly_capacity=2,
        username="newvol",
    )
    # then the volunteer is on the register, with the building of their home, and the account must change its password
    volunteer.refresh_from_db()
    assert volunteer.person == person and volunteer.community == world.community
    assert volunteer.skills == ["ELD01", "FIX02"] and volunteer.available_days == 0b1100000
    assert volunteer.building is not None and volunteer.building == person.room.unit.building  # type: ignore[union-attr]
    assert volunteer.user is not None and volunteer.user.username == "newvol"
    assert volunteer.user.check_password(temporary) and len(temporary) >= 12
    assert UserSecurity.objects.get(user=volunteer.user).must_change_password
    assert AuditEvent.objects.filter(action="volunteer.register", object_id=str(volunteer.pk)).exists()


def test_register_without_account_returns_no_password(world: World) -> None:
    person = world.people.places["grid2"].residents[1]
    volunteer, temporary = do_register_volunteer(actor=world.user("street"), person=person, community=world.community)
    assert temporary == "" and volunteer.user is None


@pytest.mark.parametrize(
    ("username", "place", "exc"),
    [
        ("grid", "grid2", PermissionDenied),  # grid workers see services but do not manage them
        ("leader", "grid2", PermissionDenied),  # district leader: services.view only
        ("dept", "grid2", NotFound),  # departments see no services at all
        ("sysadmin", "grid2", NotFound),
        ("wang", "grid2", NotFound),  # a volunteer holds no staff role
    ],
)
def test_register_refused_without_the_capability(world: World, username: str, place: str, exc: type) -> None:
    person = world.people.places[place].residents[0]
    before = counts()
    with pytest.raises(exc):
        do_register_volunteer(actor=world.user(username), person=person, community=world.community, username="x1")
    assert counts() == before
    assert not User.objects.filter(username="x1").exists()


def test_register_out_of_scope_is_not_found_and_changes_nothing(world: World) -> None:
    # 尧化门 staff may not register anyone into 新尧社区, nor a 新尧 resident they cannot see
    other = world.people.tree.community2
    person = world.people.places["grid3"].residents[0]
    before = counts()
    with pytest.raises(NotFound):
        do_register_volunteer(actor=world.user("community"), person=person, community=other)
    with pytest.raises(NotFound):
        do_register_volunteer(actor=world.user("community"), person=person, community=world.community)
    assert counts() == before


def test_register_validation_errors_come_together_and_write_nothing(world: World) -> None:
    person = world.volunteers["wang"].person  # already a volunteer
    before = counts()
    with pytest.raises(DomainError) as caught:
        do_register_volunteer(
            actor=world.user("community"),
            person=person,
            community=world.community,
            skills=["NOPE9"],
            available_days=0,
            monthly_capacity=0,
            username="wang",  # taken
        )
    codes = {(i.field, i.code) for i in caught.value.items}
    assert codes == {
        ("skills", "unknown_category"),
        ("available_days", "invalid"),
        ("monthly_capacity", "out_of_range"),
        ("person", "duplicate"),
        ("username", "taken"),
    }
    assert counts() == before


def test_update_in_scope_and_refusals(world: World) -> None:
    wang = world.volunteers["wang"]
    # when the secretary changes skills and capacity
    do_update_volunteer(actor=world.user("secretary"), volunteer=wang, skills=["MED01"], monthly_capacity=8)
    wang.refresh_from_db()
    assert wang.skills == ["MED01"] and wang.monthly_capacity == 8
    # a grid worker sees but may not manage → 403; a 新尧 volunteer is out of 尧化门 staff's sight → NotFound
    before = counts()
    with pytest.raises(PermissionDenied):
        do_update_volunteer(actor=world.user("grid"), volunteer=wang, skills=["ELD01"])
    # zhao lives in 马群 but serves in 尧化门: 尧化门 staff see zhao but only 马群 manages zhao
    with pytest.raises(PermissionDenied):
        do_update_volunteer(actor=world.user("community"), volunteer=world.volunteers["zhao"], monthly_capacity=1)
    with pytest.raises(NotFound):
        do_update_volunteer(actor=world.user("community"), volunteer=world.volunteers["sun"], monthly_capacity=1)
    with pytest.raises(DomainError):
        do_update_volunteer(actor=world.user("community"), volunteer=wang, skills=["BAD"])
    assert counts() == before
    wang.refresh_from_db()
    assert wang.skills == ["MED01"]


def test_deactivate_cancels_upcoming_sign_ups_and_can_be_undone(world: World) -> None:
    from gongzhi.volunteers.actions.activities import do_sign_up

    wang = world.volunteers["wang"]
    activity = make_activity(world)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    # refused first: out of scope, no capability
    before = counts()
    with pytest.raises(NotFound):
        do_deactivate_volunteer(actor=world.user("dept"), volunteer=wang)
    with pytest.raises(PermissionDenied):
        do_deactivate_volunteer(actor=world.user("grid"), volunteer=wang)
    assert counts() == before
    # when the community deactivates wang
    do_deactivate_volunteer(actor=world.user("community"), volunteer=wang, reason="搬离")
    wang.refresh_from_db()
    assert not wang.is_active
    assert SignUp.objects.get(activity=activity, volunteer=wang).status == "cancelled"
    # and reactivating brings the volunteer back (the sign-up stays cancelled)
    do_reactivate_volunteer(actor=world.user("community"), volunteer=wang)
    wang.refresh_from_db()
    assert wang.is_active
    assert Volunteer.objects.filter(is_active=True).count() == 5


def test_teams_create_add_remove_leader(world: World) -> None:
    staff = world.user("community")
    team = do_create_team(
        actor=staff,
        community=world.community,
        name="尧化门银龄服务队",
        leader=world.volunteers["wang"],
        skills=["ELD01"],
    )
    assert list(team.members.values_list("volunteer_id", flat=True)) == [world.volunteers["wang"].pk]
    # zhao serves here by registration and may join; sun's registration is pending and may not
    do_add_team_member(actor=staff, team=team, volunteer=world.volunteers["zhao"])
    before = counts()
    with pytest.raises(DomainError) as caught:
        do_add_team_member(actor=staff, team=team, volunteer=world.volunteers["sun"])
    assert caught.value.items[0].code == "not_in_community"
    with pytest.raises(DomainError):
        do_add_team_member(actor=staff, team=team, volunteer=world.volunteers["zhao"])  # already a member
    with pytest.raises(PermissionDenied):
        do_add_team_member(actor=world.user("grid"), team=team, volunteer=world.volunteers["wu"])
    with pytest.raises(NotFound):
        do_add_team_member(actor=world.user("dept"), team=team, volunteer=world.volunteers["wu"])
    with pytest.raises(DomainError):
        do_create_team(actor=staff, community=world.community, name="尧化门银龄服务队")  # same name
    assert counts() == before
    # leader changes, then the old leader leaves
    do_set_team_leader(actor=staff, team=team, volunteer=world.volunteers["zhao"])
    do_remove_team_member(actor=staff, team=team, volunteer=world.volunteers["zhao"])
    team.refresh_from_db()
    assert team.leader is None
    assert list(TeamMember.objects.filter(team=team).values_list("volunteer_id", flat=True)) == [
        world.volunteers["wang"].pk
    ]


def test_unit_team_needs_a_unit_of_the_community(world: World) -> None:
    staff = world.user("street")
    assert world.unit is not None
    team = do_create_team(actor=staff, community=world.community, name="物业志愿队", unit=world.unit)
    assert team.unit == world.unit
    far_unit = world.people.places["grid3"].unit  # a 新尧 unit, not registered with 尧化门
    with pytest.raises(DomainError) as caught:
        do_create_team(actor=staff, community=world.community, name="外单位队", unit=far_unit)
    assert caught.value.items[0].field == "unit"

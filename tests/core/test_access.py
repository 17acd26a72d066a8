"""Every branch of the scope rules in core.access."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from gongzhi.core.access import capability_scope, has_capability, region_scope
from gongzhi.core.capabilities import ADMIN_ROLES, CAPABILITIES, Cap
from gongzhi.core.models import Membership, Role
from gongzhi.regions.models import Region
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


def _user(name: str, *grants: tuple[str, Region | None]) -> User:
    user = User.objects.create_user(name, password="x")
    for role, region in grants:
        Membership.objects.create(user=user, role=role, region=region)
    return user


def test_anonymous_and_inactive_users_see_nothing(small_tree: SmallTree) -> None:
    inactive = _user("gone", (Role.DISTRICT_LEADER, small_tree.district))
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), inactive):
        assert region_scope(user).prefixes == () and not region_scope(user).everything
        assert not has_capability(user, Cap.PEOPLE_VIEW)


def test_a_user_without_memberships_sees_nothing(small_tree: SmallTree) -> None:
    user = _user("nobody")
    assert not region_scope(user).covers("320113001001001")
    assert not has_capability(user, Cap.REGIONS_VIEW)


def test_a_grid_worker_sees_only_their_grid(small_tree: SmallTree) -> None:
    user = _user("gw", (Role.GRID_WORKER, small_tree.grid1))
    scope = capability_scope(user, Cap.PEOPLE_VIEW)
    assert scope.prefixes == ("320113001001001",)
    assert scope.covers("320113001001001") and not scope.covers("320113001001002")


def test_nested_memberships_collapse_to_the_outer_prefix(small_tree: SmallTree) -> None:
    user = _user("both", (Role.COMMUNITY_STAFF, small_tree.community), (Role.COMMUNITY_STAFF, small_tree.street))
    assert capability_scope(user, Cap.PEOPLE_VIEW).prefixes == ("320113001",)


def test_a_city_membership_scopes_by_the_four_digit_city_prefix(small_tree: SmallTree) -> None:
    user = _user("mayor", (Role.CITY_LEADER, small_tree.city))
    assert capability_scope(user, Cap.PEOPLE_VIEW).prefixes == ("3201",)


def test_a_capability_the_role_lacks_gives_no_scope(small_tree: SmallTree) -> None:
    leader = _user("leader", (Role.DISTRICT_LEADER, small_tree.district))
    assert has_capability(leader, Cap.PEOPLE_VIEW)
    assert not has_capability(leader, Cap.PEOPLE_UNMASK)
    assert not has_capability(leader, Cap.PEOPLE_EDIT)


def test_only_memberships_whose_role_grants_the_capability_count(small_tree: SmallTree) -> None:
    # Secretary of one community (may unmask), plain worker of another (may not).
    user = _user(
        "mixed", (Role.COMMUNITY_SECRETARY, small_tree.community), (Role.COMMUNITY_STAFF, small_tree.community2)
    )
    assert capability_scope(user, Cap.PEOPLE_UNMASK).prefixes == ("320113001001",)
    assert set(capability_scope(user, Cap.PEOPLE_VIEW).prefixes) == {"320113001001", "320113001002"}


def test_region_less_admin_roles_act_city_wide_on_their_own_capability_only(small_tree: SmallTree) -> None:
    sysadmin = _user("sys", (Role.SYSTEM_ADMIN, None))
    assert capability_scope(sysadmin, Cap.REGIONS_EDIT).everything
    assert region_scope(sysadmin).everything
    assert not has_capability(sysadmin, Cap.PEOPLE_VIEW)
    assert not has_capability(sysadmin, Cap.AUDIT_VIEW)


def test_superuser_flag_grants_no_capability(small_tree: SmallTree) -> None:
    root = User.objects.create_superuser("root", password="x")
    assert region_scope(root).everything  # reference data only
    for cap in Cap:
        assert not has_capability(root, cap), cap


def test_the_three_administrators_share_no_capability() -> None:
    sets = [CAPABILITIES[role] for role in ADMIN_ROLES]
    assert all(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    assert CAPABILITIES[Role.SECURITY_ADMIN] == {Cap.ACCOUNTS_MANAGE}
    assert CAPABILITIES[Role.AUDIT_ADMIN] == {Cap.AUDIT_VIEW}
    personal = {Cap.PEOPLE_VIEW, Cap.PEOPLE_UNMASK, Cap.PEOPLE_EXPORT, Cap.AUDIT_VIEW, Cap.ACCOUNTS_MANAGE}
    assert not (CAPABILITIES[Role.SYSTEM_ADMIN] & personal)


def test_every_role_has_an_entry_in_the_capability_table() -> None:
    assert set(CAPABILITIES) == set(Role.values)

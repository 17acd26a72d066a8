"""三员分立 and the other grant rules, enforced in the actions whoever calls them.

Every refused grant leaves memberships and the audit trail exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from gongzhi.core import actions
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent, Membership, Role
from tests.conftest import SmallTree
from tests.web.users import make_user

pytestmark = pytest.mark.django_db

ADMINS = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]


@pytest.fixture
def secadmin(db: None) -> User:
    return make_user("sec", Role.SECURITY_ADMIN)


@contextmanager
def refused(code: str) -> Iterator[None]:
    """The block raises DomainError `code` and writes nothing."""
    memberships = list(Membership.objects.order_by("id").values_list("id", "user_id", "role", "region_id"))
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.items[0].code == code, info.value.items
    assert list(Membership.objects.order_by("id").values_list("id", "user_id", "role", "region_id")) == memberships
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("first", ADMINS)
@pytest.mark.parametrize("second", ADMINS)
def test_one_person_holds_at_most_one_administrator_role(secadmin: User, first: str, second: str) -> None:
    target = make_user("someone")
    actions.do_grant_role(actor=None, user=target, role=first)

    with refused("second_admin_role"):
        actions.do_grant_role(actor=secadmin, user=target, role=second)


@pytest.mark.parametrize("admin_role", ADMINS)
def test_an_administrator_gets_no_business_role(secadmin: User, small_tree: SmallTree, admin_role: str) -> None:
    target = make_user("someone", admin_role)

    with refused("business_role_for_admin"):
        actions.do_grant_role(actor=secadmin, user=target, role=Role.GRID_WORKER, region=small_tree.grid1)


@pytest.mark.parametrize("admin_role", ADMINS)
def test_a_business_user_gets_no_administrator_role(secadmin: User, small_tree: SmallTree, admin_role: str) -> None:
    target = make_user("someone", Role.COMMUNITY_STAFF, small_tree.community)

    with refused("admin_with_business_role"):
        actions.do_grant_role(actor=secadmin, user=target, role=admin_role)


@pytest.mark.parametrize("role", [*ADMINS, Role.GRID_WORKER])
def test_the_security_admin_cannot_grant_to_themselves(secadmin: User, small_tree: SmallTree, role: str) -> None:
    region = small_tree.grid1 if role == Role.GRID_WORKER else None
    with refused("own_roles"):
        actions.do_grant_role(actor=secadmin, user=secadmin, role=role, region=region)


def test_nobody_makes_themselves_an_administrator(db: None) -> None:
    root = User.objects.create_superuser("root", password="x" * 12)

    with refused("own_roles"):
        actions.do_grant_role(actor=root, user=root, role=Role.AUDIT_ADMIN)


def test_nobody_revokes_their_own_role(secadmin: User) -> None:
    membership = Membership.objects.get(user=secadmin)

    with refused("own_roles"):
        actions.do_revoke_role(actor=secadmin, membership=membership)


def test_only_account_managers_grant(small_tree: SmallTree) -> None:
    leader = make_user("leader", Role.DISTRICT_LEADER, small_tree.district)
    auditor = make_user("auditor", Role.AUDIT_ADMIN)
    target = make_user("someone")

    for actor in (leader, auditor, make_user("sys", Role.SYSTEM_ADMIN)):
        with pytest.raises(PermissionDenied):
            actions.do_grant_role(actor=actor, user=target, role=Role.GRID_WORKER, region=small_tree.grid1)
    assert not Membership.objects.filter(user=target).exists()


def test_the_security_admin_grants_and_revokes_with_an_audit_trail(secadmin: User, small_tree: SmallTree) -> None:
    target = make_user("someone")

    membership = actions.do_grant_role(
        actor=secadmin, user=target, role=Role.GRID_WORKER, region=small_tree.grid1, title="专职网格员"
    )
    actions.do_revoke_role(actor=secadmin, membership=membership)

    create, delete = AuditEvent.objects.filter(object_type="core.membership").order_by("id")
    assert create.action == "membership.create" and create.actor == secadmin
    assert create.changes["role"] == [None, "grid_worker"] and create.changes["region"] == [None, "320113001001001"]
    assert create.changes["title"] == [None, "专职网格员"]
    assert delete.action == "membership.delete" and delete.changes["role"] == ["grid_worker", None]
    assert not Membership.objects.filter(user=target).exists()


def test_administrator_roles_are_city_wide(secadmin: User, small_tree: SmallTree) -> None:
    target = make_user("someone")

    with refused("admin_role_placed"):
        actions.do_grant_role(actor=secadmin, user=target, role=Role.AUDIT_ADMIN, region=small_tree.district)
    membership = actions.do_grant_role(actor=secadmin, user=target, role=Role.AUDIT_ADMIN)
    assert membership.region is None


@pytest.mark.parametrize(
    ("role", "attr"),
    [
        (Role.GRID_WORKER, "community"),
        (Role.COMMUNITY_STAFF, "grid1"),
        (Role.COMMUNITY_SECRETARY, "street"),
        (Role.STREET_STAFF, "district"),
        (Role.DISTRICT_LEADER, "street"),
        (Role.CITY_LEADER, "district"),
    ],
)
def test_each_business_role_sits_at_its_level(secadmin: User, small_tree: SmallTree, role: str, attr: str) -> None:
    target = make_user("someone")

    with refused("wrong_level"):
        actions.do_grant_role(actor=secadmin, user=target, role=role, region=getattr(small_tree, attr))


def test_a_business_role_needs_a_region(secadmin: User) -> None:
    with refused("region_required"):
        actions.do_grant_role(actor=secadmin, user=make_user("someone"), role=Role.STREET_STAFF)


def test_an_unknown_role_is_refused(secadmin: User) -> None:
    with refused("role_unknown"):
        actions.do_grant_role(actor=secadmin, user=make_user("someone"), role="emperor")


def test_the_same_grant_twice_is_refused(secadmin: User, small_tree: SmallTree) -> None:
    target = make_user("someone", Role.GRID_WORKER, small_tree.grid1)

    with refused("duplicate"):
        actions.do_grant_role(actor=secadmin, user=target, role=Role.GRID_WORKER, region=small_tree.grid1)


def test_a_second_business_role_is_fine(secadmin: User, small_tree: SmallTree) -> None:
    target = make_user("someone", Role.GRID_WORKER, small_tree.grid1)

    actions.do_grant_role(actor=secadmin, user=target, role=Role.GRID_WORKER, region=small_tree.grid2)

    assert Membership.objects.filter(user=target).count() == 2


def test_department_staff_belong_to_a_department(secadmin: User, small_tree: SmallTree) -> None:
    from gongzhi.people.models import Department

    department = Department.objects.create(region=small_tree.district, code="D001", name="城管局")
    target = make_user("someone")

    with refused("department_required"):
        actions.do_grant_role(actor=secadmin, user=target, role=Role.DEPARTMENT_STAFF, region=small_tree.district)
    with refused("department_not_allowed"):
        actions.do_grant_role(
            actor=secadmin, user=target, role=Role.STREET_STAFF, region=small_tree.street, department=department
        )
    membership = actions.do_grant_role(actor=secadmin, user=target, role=Role.DEPARTMENT_STAFF, department=department)
    assert membership.region == small_tree.district  # the department's own region


def test_the_cli_may_bootstrap_the_first_administrators(db: None) -> None:
    first = make_user("first")

    actions.do_grant_role(actor=None, user=first, role=Role.SECURITY_ADMIN)

    event = AuditEvent.objects.get(action="membership.create")
    assert event.actor is None and event.source == "cli"


# ---------------------------------------------------------------- accounts


def test_the_security_admin_cannot_touch_superuser_accounts(secadmin: User) -> None:
    root = User.objects.create_superuser("root", password="x" * 12)

    for call in (
        lambda: actions.do_reset_password(actor=secadmin, user=root),
        lambda: actions.do_set_user_active(actor=secadmin, user=root, active=False),
        lambda: actions.do_disable_totp(actor=secadmin, user=root),
    ):
        with refused("superuser_account"):
            call()
    root.refresh_from_db()
    assert root.is_active and root.check_password("x" * 12)


def test_nobody_deactivates_or_resets_themselves_here(secadmin: User) -> None:
    with refused("own_account"):
        actions.do_set_user_active(actor=secadmin, user=secadmin, active=False)
    with refused("own_account"):
        actions.do_reset_password(actor=secadmin, user=secadmin)


def test_create_user_gives_a_temporary_password_to_change(secadmin: User) -> None:
    user, temporary = actions.do_create_user(actor=secadmin, username="lisi", full_name="李四")

    assert user.check_password(temporary) and user.first_name == "李四"
    assert user.security.must_change_password
    event = AuditEvent.objects.get(action="user.create")
    assert temporary not in repr(event.changes) and event.actor == secadmin


@pytest.mark.parametrize(("username", "code"), [("", "required"), ("li si", "invalid"), ("SEC", "taken")])
def test_create_user_refuses_bad_names(secadmin: User, username: str, code: str) -> None:
    with refused(code):
        actions.do_create_user(actor=secadmin, username=username)


def test_deactivation_ends_the_account_s_sessions(secadmin: User) -> None:
    target = make_user("someone")
    c = Client()
    c.force_login(target)

    actions.do_set_user_active(actor=secadmin, user=target, active=False)

    assert c.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(target.pk)).exists()
    actions.do_set_user_active(actor=secadmin, user=target, active=True)
    assert AuditEvent.objects.filter(action="user.activate").count() == 1

"""The admin: the tree and the audit trail can be looked at; only role grants can be changed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent, Membership, Role
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client, small_tree: SmallTree) -> Client:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    return client


@pytest.mark.parametrize(
    "model", ["regions/region", "regions/compound", "regions/building", "core/membership"]
)
def test_changelists_open(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/{model}/").status_code == 200


def test_the_superuser_flag_does_not_open_the_audit_trail(admin_client_: Client) -> None:
    # 三员分立: reading the trail is the audit administrator's alone.
    assert admin_client_.get("/admin/core/auditevent/").status_code == 403
    assert "core/auditevent" not in admin_client_.get("/admin/").content.decode()


@pytest.mark.parametrize("model", ["regions/region", "regions/building", "core/auditevent"])
def test_read_only_models_cannot_be_added(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/{model}/add/").status_code == 403


def test_region_opens_view_only(admin_client_: Client, small_tree: SmallTree) -> None:
    url = reverse("admin:regions_region_change", args=[small_tree.grid1.pk])

    response = admin_client_.get(url)

    assert response.status_code == 200
    assert "第一网格" in response.content.decode()
    name_before = small_tree.grid1.name
    admin_client_.post(url, {"name": "改名"})
    small_tree.grid1.refresh_from_db()
    assert small_tree.grid1.name == name_before


def test_audit_events_cannot_be_deleted_from_the_admin(admin_client_: Client) -> None:
    event = AuditEvent.objects.first()
    assert event is not None

    assert admin_client_.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    changelist = admin_client_.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_granting_and_revoking_a_role_is_audited(admin_client_: Client, small_tree: SmallTree) -> None:
    worker = User.objects.create_user("wang", password="x" * 12)

    admin_client_.post(
        reverse("admin:core_membership_add"),
        {"user": worker.pk, "role": Role.GRID_WORKER, "region": small_tree.grid1.pk},
    )
    membership = Membership.objects.get(user=worker)
    admin_client_.post(reverse("admin:core_membership_delete", args=[membership.pk]), {"post": "yes"})

    events = list(AuditEvent.objects.filter(object_type="core.membership").order_by("id"))
    assert [e.action for e in events] == ["membership.create", "membership.delete"]
    assert events[0].changes["region"] == [None, "320113001001001"]
    assert events[0].actor is not None and events[0].actor.username == "root"
    assert not Membership.objects.filter(user=worker).exists()

"""The audit trail: only the audit administrator searches it, and nothing can change it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.views import APIView

from gongzhi.core import audit, context
from gongzhi.core.models import AuditEvent, Role
from gongzhi.core.web import audit_views
from tests.conftest import SmallTree
from tests.core.signin import force_login_verified
from tests.web.users import make_user

pytestmark = pytest.mark.django_db

LIST = "/audit/"


@pytest.fixture
def auditor(db: None) -> User:
    return make_user("auditor", Role.AUDIT_ADMIN)


@pytest.fixture
def audit_client(client: Client, auditor: User) -> Client:
    return force_login_verified(client, auditor)


@pytest.fixture
def trail(auditor: User) -> dict[str, AuditEvent]:
    """Four events with distinct actors, actions, objects, request ids and sources."""
    actor = make_user("zhang")
    with context.bind("web", "req-aaa"):
        login = audit.record(actor=actor, action="auth.login", obj=actor, changes={"ip": "10.0.0.1"})
    with context.bind("api", "req-bbb"):
        failed = audit.record(actor=None, action="auth.login_failed", changes={"username": "x", "ip": "10.0.0.2"})
    with context.bind("cli", "req-ccc"):
        created = audit.record(actor=actor, action="user.create", obj=auditor, changes={"username": "auditor"})
    with context.bind("task", "req-ddd"):
        task = audit.record(actor=None, action="region.create", object_repr="第一网格", changes={"code": "1"})
    return {"login": login, "failed": failed, "created": created, "task": task}


def rows(client: Client, **params: str) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [e.action for e in response.context["events"]]


# ---------------------------------------------------------------- who may look


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SYSTEM_ADMIN, None),
        (Role.SECURITY_ADMIN, None),
        (Role.GRID_WORKER, "grid1"),
        (Role.COMMUNITY_STAFF, "community"),
        (Role.COMMUNITY_SECRETARY, "community"),
        (Role.STREET_STAFF, "street"),
        (Role.DISTRICT_LEADER, "district"),
        (Role.CITY_LEADER, "city"),
    ],
)
def test_nobody_but_the_audit_admin_opens_the_audit_pages(
    client: Client, small_tree: SmallTree, role: str, where: str | None
) -> None:
    force_login_verified(client, make_user("other", role, getattr(small_tree, where) if where else None))
    event = AuditEvent.objects.first()
    assert event is not None

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{event.pk}/").status_code == 403


def test_department_staff_and_plain_users_are_refused(client: Client, small_tree: SmallTree) -> None:
    force_login_verified(client, make_user("plain"))
    assert client.get(LIST).status_code == 403


def test_a_superuser_is_refused_too(client: Client, db: None) -> None:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    assert client.get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    assert client.get(LIST)["Location"].startswith("/accounts/login/")


def test_the_audit_admin_searches(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    html = audit_client.get(LIST).content.decode()

    assert "审计日志" in html and "auth.login_failed" in html and "zhang" in html


# ---------------------------------------------------------------- filters


def test_filter_by_action_exact_and_prefix(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    assert set(rows(audit_client, action="auth.login")) == {"auth.login"}
    assert set(rows(audit_client, action="auth.*")) >= {"auth.login", "auth.login_failed"}
    assert "user.create" not in rows(audit_client, action="auth.*")


def test_filter_by_actor(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    assert rows(audit_client, actor="ZHANG") == ["user.create", "auth.login"]


def test_filter_by_object(audit_client: Client, trail: dict[str, AuditEvent], auditor: User) -> None:
    assert rows(audit_client, object_type="auth.user", object_id=str(auditor.pk), action="user.create") == [
        "user.create"
    ]
    assert rows(audit_client, object_type="no.such") == []


def test_filter_by_request_id_and_source(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    assert rows(audit_client, request_id="req-bbb") == ["auth.login_failed"]
    assert rows(audit_client, source="task") == ["region.create"]
    assert rows(audit_client, source="cli", action="user.create") == ["user.create"]


def test_filter_by_time_range(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    later = (now + timedelta(minutes=5)).strftime(fmt)
    earlier = (now - timedelta(minutes=5)).strftime(fmt)

    assert rows(audit_client, since=later) == []
    assert "auth.login" in rows(audit_client, since=earlier, until=later)
    assert rows(audit_client, until=earlier) == []
    bad = audit_client.get(LIST, {"since": later, "until": earlier})
    assert "结束时间必须晚于起始时间" in bad.content.decode() and bad.context["events"] == []


def test_pages_of_fifty_without_counting(audit_client: Client, auditor: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 3)
    for i in range(7):
        audit.record(actor=auditor, action="test.page", object_repr=str(i))

    first = audit_client.get(LIST, {"action": "test.page"})
    third = audit_client.get(LIST, {"action": "test.page", "page": "3"})
    beyond = audit_client.get(LIST, {"action": "test.page", "page": "9"})

    assert [e.object_repr for e in first.context["events"]] == ["6", "5", "4"]
    assert first.context["page"].has_more and "page=2" in first.content.decode()
    assert [e.object_repr for e in third.context["events"]] == ["0"] and not third.context["page"].has_more
    assert beyond.context["events"] == []
    assert audit_client.get(LIST, {"action": "test.page", "page": "x"}).context["events"][0].object_repr == "6"


def test_detail_shows_the_changes(audit_client: Client, trail: dict[str, AuditEvent]) -> None:
    event = trail["failed"]

    html = audit_client.get(f"{LIST}{event.pk}/").content.decode()

    assert "auth.login_failed" in html and "req-bbb" in html
    assert "&quot;ip&quot;: &quot;10.0.0.2&quot;" in html


def test_an_unknown_event_is_404(audit_client: Client) -> None:
    assert audit_client.get(f"{LIST}999999999/").status_code == 404


# ---------------------------------------------------------------- nothing can change the trail


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_pages_only_answer_get(audit_client: Client, trail: dict[str, AuditEvent], method: str) -> None:
    event = trail["login"]
    for url in (LIST, f"{LIST}{event.pk}/"):
        assert getattr(audit_client, method)(url).status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


def _all_patterns(resolver: URLResolver | None = None) -> list[URLPattern]:
    out: list[URLPattern] = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            out.extend(_all_patterns(entry))
        else:
            out.append(entry)
    return out


def test_no_api_view_serves_the_audit_trail_for_writing() -> None:
    for pattern in _all_patterns():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView):
            continue
        queryset = getattr(view_class, "queryset", None)
        model = getattr(queryset, "model", None)
        serializer = getattr(view_class, "serializer_class", None)
        serializer_model = getattr(getattr(serializer, "Meta", None), "model", None)
        if AuditEvent in (model, serializer_model):
            allowed = {m.lower() for m in getattr(view_class, "http_method_names", [])}
            assert allowed <= {"get", "head", "options"}, f"{pattern} can write the audit trail"


def test_the_orm_refuses_updates_and_deletes(trail: dict[str, AuditEvent]) -> None:
    event = trail["login"]

    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="auth.nothing")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    event.action = "auth.nothing"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger (core migration 0003) exists only on PostgreSQL; SQLite has no such guard",
)


@postgres_only
def test_postgresql_refuses_a_raw_update(trail: dict[str, AuditEvent]) -> None:
    event = trail["login"]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["auth.nothing", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@postgres_only
def test_postgresql_refuses_a_raw_delete(trail: dict[str, AuditEvent]) -> None:
    event = trail["login"]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()

"""Idle timeout: a browser session with no request for 30 minutes (configurable) is signed out."""

from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from gongzhi.core.models import AuditEvent, Role
from gongzhi.core.security import state
from gongzhi.core.security.middleware import ACTIVITY_GRANULARITY_SECONDS
from tests.conftest import SmallTree
from tests.web.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, small_tree: SmallTree) -> Client:
    # A role that may read the tree, so the API answers 200 until the session idles out.
    make_user("wang", role=Role.DISTRICT_LEADER, region=small_tree.district)
    assert client.post(reverse("login"), {"username": "wang", "password": PASSWORD}).status_code == 302
    return client


def idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[state.LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_the_login_stamps_the_session(signed_in: Client) -> None:
    assert abs(signed_in.session[state.LAST_ACTIVITY] - time.time()) < 5


def test_a_session_idle_for_less_than_30_minutes_stays(signed_in: Client) -> None:
    idle_for(signed_in, 29 * 60)

    assert signed_in.get(reverse("web:home")).status_code == 200


def test_a_session_idle_for_more_than_30_minutes_is_signed_out(signed_in: Client) -> None:
    idle_for(signed_in, 30 * 60 + 1)

    response = signed_in.get(reverse("web:home"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "30 分钟无操作" in response.content.decode()
    assert "_auth_user_id" not in signed_in.session
    event = AuditEvent.objects.get(action="auth.idle_timeout")
    assert event.actor is not None and event.actor.username == "wang"
    assert event.changes["idle_seconds"] >= 30 * 60


def test_the_timeout_is_configurable(signed_in: Client, settings: Settings) -> None:
    settings.GONGZHI_IDLE_TIMEOUT_MINUTES = 5
    idle_for(signed_in, 5 * 60 + 1)

    assert signed_in.get(reverse("web:home")).status_code == 302


def test_activity_moves_the_stamp_but_not_on_every_request(signed_in: Client) -> None:
    idle_for(signed_in, ACTIVITY_GRANULARITY_SECONDS - 10)
    before = signed_in.session[state.LAST_ACTIVITY]
    signed_in.get(reverse("web:home"))
    assert signed_in.session[state.LAST_ACTIVITY] == before  # not worth a session write yet

    idle_for(signed_in, 20 * 60)
    signed_in.get(reverse("web:home"))
    assert abs(signed_in.session[state.LAST_ACTIVITY] - time.time()) < 5


def test_a_session_without_a_stamp_counts_from_the_last_sign_in(client: Client, db: None) -> None:
    user = make_user("wang")
    client.force_login(user)  # not through the login page: no stamp
    assert client.get(reverse("web:home")).status_code == 200

    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(minutes=31))
    assert client.get(reverse("web:home")).status_code == 302


def test_the_api_through_the_session_times_out_too(signed_in: Client) -> None:
    assert signed_in.get("/api/v1/regions/").status_code == 200
    idle_for(signed_in, 31 * 60)

    assert signed_in.get("/api/v1/regions/").status_code in (401, 403)


def test_basic_auth_api_requests_are_unaffected(client: Client, small_tree: SmallTree, settings: Settings) -> None:
    make_user("wang", role=Role.DISTRICT_LEADER, region=small_tree.district)
    settings.GONGZHI_IDLE_TIMEOUT_MINUTES = 0  # every session would be idle at once
    token = base64.b64encode(f"wang:{PASSWORD}".encode()).decode()

    for _ in range(2):
        assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    assert not AuditEvent.objects.filter(action="auth.idle_timeout").exists()

"""API: the register, teams, activities, sign-up, check-in/out with the token, confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.volunteers.actions.activities import do_sign_up
from gongzhi.volunteers.models import Attendance, ServiceRecord, SignUp, Volunteer
from gongzhi.volunteers.tokens import Mode, make_token
from tests.core.signin import force_login_verified
from tests.serviceloop.world import World
from tests.volunteers.conftest import counts, make_activity

pytestmark = pytest.mark.django_db


def _api(w: World, key: str) -> Client:
    return force_login_verified(Client(), w.user(key))


def test_volunteer_list_and_register(world: World) -> None:
    api = _api(world, "community")
    listed = api.get("/api/v1/volunteers/").json()
    names = {row["person"]["name"] for row in listed["results"]}
    assert names == {"王建国", "吴敏", "赵建国", "李秀英"}
    assert all("*" in row["person"]["phone_masked"] for row in listed["results"])
    person = world.people.places["grid2"].residents[0]
    created = api.post(
        "/api/v1/volunteers/",
        {"person": person.pk, "community": world.community.code, "skills": ["FIX01"], "username": "apivol"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["username"] == "apivol" and body["temporary_password"] and created["Cache-Control"] == "no-store"
    assert Volunteer.objects.get(pk=body["id"]).skills == ["FIX01"]


def test_volunteer_api_refusals(world: World) -> None:
    before = counts()
    person = world.people.places["grid2"].residents[0]
    payload = {"person": person.pk, "community": world.community.code}
    assert _api(world, "dept").get("/api/v1/volunteers/").status_code == 403
    assert _api(world, "grid").post("/api/v1/volunteers/", payload, content_type="application/json").status_code == 403
    bad = _api(world, "community").post(
        "/api/v1/volunteers/", {**payload, "skills": ["XX"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "unknown_category"
    sun = world.volunteers["sun"]
    assert _api(world, "community").get(f"/api/v1/volunteers/{sun.pk}/").status_code == 404
    zhao = world.volunteers["zhao"]  # seen by registration, managed by 马群 only
    response = _api(world, "community").patch(
        f"/api/v1/volunteers/{zhao.pk}/", {"monthly_capacity": 9}, content_type="application/json"
    )
    assert response.status_code == 403
    assert counts() == before


def test_volunteer_update_and_deactivate(world: World) -> None:
    api = _api(world, "community")
    wang = world.volunteers["wang"]
    response = api.patch(f"/api/v1/volunteers/{wang.pk}/", {"monthly_capacity": 9}, content_type="application/json")
    assert response.status_code == 200 and response.json()["monthly_capacity"] == 9
    response = api.post(
        f"/api/v1/volunteers/{wang.pk}/deactivate/", {"reason": "迁出"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert AuditEvent.objects.filter(action="volunteer.deactivate").count() == 1


def test_team_api(world: World) -> None:
    api = _api(world, "street")
    created = api.post(
        "/api/v1/teams/",
        {"community": world.community.code, "name": "API队", "leader": world.volunteers["wang"].pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    team_id = created.json()["id"]
    added = api.post(
        f"/api/v1/teams/{team_id}/members/", {"volunteer": world.volunteers["wu"].pk}, content_type="application/json"
    )
    assert added.status_code == 201 and len(added.json()["members"]) == 2
    assert api.delete(f"/api/v1/teams/{team_id}/members/{world.volunteers['wu'].pk}/").status_code == 204
    assert (
        _api(world, "grid").delete(f"/api/v1/teams/{team_id}/members/{world.volunteers['wang'].pk}/").status_code == 403
    )


def test_activity_flow_over_the_api(world: World) -> None:
    staff = _api(world, "community")
    start = timezone.now() - dt.timedelta(minutes=5)
    created = staff.post(
        "/api/v1/activities/",
        {
            "community": world.community.code,
            "title": "API活动",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "place": "广场",
            "capacity": 1,
            "publish": True,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    activity_id = created.json()["id"]
    # participants: the list shows it, wang signs up, wu finds it full (409)
    wang, wu = _api(world, "wang"), _api(world, "wu")
    assert activity_id in [row["id"] for row in wang.get("/api/v1/activities/").json()["results"]]
    assert wang.post(f"/api/v1/activities/{activity_id}/sign-up/").status_code == 201
    full = wu.post(f"/api/v1/activities/{activity_id}/sign-up/")
    assert full.status_code == 409 and full.json()["errors"][0]["code"] == "full"
    assert _api(world, "sun").post(f"/api/v1/activities/{activity_id}/sign-up/").status_code == 404
    # check-in with the token shown on the organiser's phone
    from gongzhi.volunteers.models import Activity

    activity = Activity.objects.get(pk=activity_id)
    token_in = make_token(activity.qr_secret, activity_id, Mode.IN, timezone.now().timestamp())
    response = wang.post(
        f"/api/v1/activities/{activity_id}/check-in/", {"token": token_in}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["checked_in_at"]
    wrong = wang.post(
        f"/api/v1/activities/{activity_id}/check-out/", {"token": token_in}, content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "wrong_mode_out"
    token_out = make_token(activity.qr_secret, activity_id, Mode.OUT, timezone.now().timestamp())
    response = wang.post(
        f"/api/v1/activities/{activity_id}/check-out/", {"token": token_out}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["hours"] is not None
    # confirmation by the organiser, twice: one record
    assert (
        wang.post(f"/api/v1/activities/{activity_id}/confirm/", {}, content_type="application/json").status_code == 404
    )
    first = staff.post(f"/api/v1/activities/{activity_id}/confirm/", {}, content_type="application/json")
    assert first.status_code == 200 and len(first.json()["confirmed"]) == 1
    again = staff.post(f"/api/v1/activities/{activity_id}/confirm/", {}, content_type="application/json")
    assert again.json()["confirmed"] == []
    assert ServiceRecord.objects.filter(kind="activity", source_id=Attendance.objects.get().pk).count() == 1
    attendance = staff.get(f"/api/v1/activities/{activity_id}/attendance/").json()
    assert attendance[0]["confirmed_at"]


def test_api_token_errors(world: World) -> None:
    activity = make_activity(world, start=timezone.now() - dt.timedelta(minutes=5))
    other = make_activity(world, start=timezone.now() - dt.timedelta(minutes=5), title="别的")
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    wang = _api(world, "wang")
    now = timezone.now().timestamp()
    cases = {
        "expired": make_token(activity.qr_secret, activity.pk, Mode.IN, now - 900),
        "forged": make_token("f" * 64, activity.pk, Mode.IN, now),
        "wrong_activity": make_token(other.qr_secret, other.pk, Mode.IN, now),
    }
    for code, token in cases.items():
        response = wang.post(
            f"/api/v1/activities/{activity.pk}/check-in/", {"token": token}, content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == code
    assert not Attendance.objects.exists()
    assert SignUp.objects.count() == 1
    # staff may not scan
    token = make_token(activity.qr_secret, activity.pk, Mode.IN, now)
    staff = _api(world, "community").post(
        f"/api/v1/activities/{activity.pk}/check-in/", {"token": token}, content_type="application/json"
    )
    assert staff.status_code == 403

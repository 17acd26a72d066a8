"""Pages: the staff register, teams and activities; the organiser's QR page; the participant's phone pages."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from gongzhi.core.models import UserSecurity
from gongzhi.volunteers.actions.activities import do_sign_up
from gongzhi.volunteers.actions.register import do_create_team
from gongzhi.volunteers.models import Activity, Attendance, ServiceRecord, SignUp, Volunteer
from gongzhi.volunteers.tokens import Mode, make_token
from tests.core.signin import force_login_verified
from tests.serviceloop.world import World
from tests.volunteers.conftest import make_activity

pytestmark = pytest.mark.django_db


def _client(w: World, key: str) -> Client:
    return force_login_verified(Client(), w.user(key))


def _running(w: World, **kwargs: object) -> Activity:
    """An activity that started ten minutes ago and runs two hours: scans work now."""
    start = timezone.now() - dt.timedelta(minutes=10)
    return make_activity(w, start=start, **kwargs)  # type: ignore[arg-type]


# ── staff ────────────────────────────────────────────────────────────────────────────────────────


def test_staff_volunteer_list_shows_names_and_masked_phones_only(world: World) -> None:
    page = _client(world, "community").get("/volunteers/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "王建国" in text and "吴敏" in text and "赵建国" in text  # zhao serves here by registration
    assert "孙建国" not in text  # pending registration, another district
    for _id_number, phone in world.people.plaintext.values():
        assert phone not in text
    assert "139****" in text


def test_volunteer_pages_refuse_by_capability_and_scope(world: World) -> None:
    assert _client(world, "dept").get("/volunteers/").status_code == 403
    assert _client(world, "wang").get("/volunteers/").status_code == 403  # a participant, no staff role
    sun = world.volunteers["sun"]
    assert _client(world, "community").get(f"/volunteers/{sun.pk}/").status_code == 404
    wang = world.volunteers["wang"]
    assert _client(world, "grid").get(f"/volunteers/{wang.pk}/").status_code == 200  # sees, may not edit
    assert _client(world, "grid").get(f"/volunteers/{wang.pk}/edit/").status_code == 403
    assert _client(world, "grid").get("/volunteers/add/").status_code == 403


def test_register_page_finds_a_resident_and_shows_the_temporary_password_once(world: World) -> None:
    client = _client(world, "community")
    person = world.people.places["grid2"].residents[0]
    found = client.get("/volunteers/add/", {"q": person.name})
    assert f"?person={person.pk}" in found.content.decode()
    response = client.post(
        "/volunteers/add/",
        {
            "person": person.pk,
            "community": world.community.pk,
            "skills": ["ELD01"],
            "days": ["5", "6"],
            "monthly_capacity": "3",
            "username": "newbie",
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="temporary-password">([^<]+)<', response.content.decode())
    assert password is not None
    volunteer = Volunteer.objects.get(person=person)
    assert volunteer.available_days == 0b1100000 and volunteer.skills == ["ELD01"]
    user = User.objects.get(username="newbie")
    assert user.check_password(html.unescape(password.group(1)))
    assert UserSecurity.objects.get(user=user).must_change_password


def test_register_page_shows_errors_in_chinese(world: World) -> None:
    client = _client(world, "community")
    person = world.volunteers["wang"].person
    response = client.post(
        "/volunteers/add/",
        {"person": person.pk, "community": world.community.pk, "days": ["0"], "monthly_capacity": "3"},
    )
    assert response.status_code == 200
    assert "已登记为志愿者" in response.content.decode()


def test_team_pages_create_and_add_member(world: World) -> None:
    client = _client(world, "community")
    response = client.post(
        "/teams/add/", {"community": world.community.pk, "name": "尧化门先锋队", "leader": world.volunteers["wang"].pk}
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert "尧化门先锋队" in detail.content.decode() and "王建国" in detail.content.decode()
    team_id = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(f"/teams/{team_id}/members/add/", {"volunteer": world.volunteers["wu"].pk})
    assert set(world.volunteers["wu"].team_memberships.values_list("team_id", flat=True)) == {team_id}
    refused = _client(world, "grid").post(f"/teams/{team_id}/members/add/", {"volunteer": world.volunteers["li"].pk})
    assert refused.status_code == 403  # a grid worker sees the team but does not manage it
    assert not world.volunteers["li"].team_memberships.exists()


def test_staff_create_activity_and_see_it(world: World) -> None:
    client = _client(world, "secretary")
    start = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        "/activities/add/",
        {
            "community": world.community.pk,
            "title": "垃圾分类宣传",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "社区广场",
            "capacity": "5",
            "publish": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get(title="垃圾分类宣传")
    assert activity.status == "open"
    listing = client.get("/activities/").content.decode()
    assert "垃圾分类宣传" in listing and "0/5" in listing
    assert _client(world, "dept").get("/activities/").status_code == 403


# ── organiser ────────────────────────────────────────────────────────────────────────────────────


def test_organiser_qr_page_shows_an_inline_svg_of_a_valid_scan_url(world: World) -> None:
    activity = _running(world)
    page = _client(world, "community").get(f"/activities/{activity.pk}/qr/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "no-store" in page["Cache-Control"]
    assert 'hx-trigger="every 50s"' in text and 'http-equiv="refresh"' in text
    match = re.search(r"/activities/scan/(a\d+-in-\d+-[0-9a-f]{24})/", text)
    assert match is not None
    fragment = _client(world, "community").get(f"/activities/{activity.pk}/qr/code/?mode=out").content.decode()
    assert "<svg" in fragment and "-out-" in fragment
    # not for volunteers who do not organise it, nor for a grid worker (sees, does not organise)
    assert _client(world, "wang").get(f"/activities/{activity.pk}/qr/").status_code == 404
    assert _client(world, "grid").get(f"/activities/{activity.pk}/qr/").status_code == 403


def test_team_leader_runs_the_qr_page_and_confirms_with_masked_names(world: World) -> None:
    team = do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["li"])
    activity = _running(world, team=team)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    now = timezone.now()
    Attendance.objects.create(
        activity=activity, volunteer=world.volunteers["wang"], checked_in_at=now, checked_out_at=now, hours=1
    )
    li = _client(world, "li")
    assert li.get(f"/activities/{activity.pk}/qr/").status_code == 200
    detail = li.get(f"/activities/{activity.pk}/").content.decode()
    assert "王*国" in detail and "王建国" not in detail
    li.post(f"/activities/{activity.pk}/confirm/")
    assert ServiceRecord.objects.filter(volunteer=world.volunteers["wang"], kind="activity").count() == 1
    li.post(f"/activities/{activity.pk}/confirm/")  # again: nothing more
    assert ServiceRecord.objects.count() == 1
    me = li.get("/volunteers/me/").content.decode()
    assert "红马甲" in me and 'id="organised"' in me


def _activity_form(world: World, team: object, title: str) -> dict[str, object]:
    start = timezone.localtime() + dt.timedelta(days=3)
    return {
        "community": world.community.pk,
        "title": title,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "社区活动室",
        "capacity": "8",
        "organiser_team": getattr(team, "pk", ""),
        "publish": "on",
    }


def test_a_team_leader_creates_their_teams_activity_on_the_page(world: World) -> None:
    # given li leads 红马甲 (no staff role)
    team = do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["li"])
    li = _client(world, "li")
    # when li opens the activity list and the new-activity form
    assert "/activities/add/" in li.get("/activities/").content.decode()
    form = li.get("/activities/add/").content.decode()
    # then the form offers li's own team only, and creating publishes the team's activity
    assert "红马甲" in form
    response = li.post("/activities/add/", _activity_form(world, team, "义务理发"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    activity = Activity.objects.get(title="义务理发")
    assert activity.organiser_team_id == team.pk and activity.status == "open"


def test_a_leader_must_name_their_team_and_others_get_no_form(world: World) -> None:
    # given li leads a team, and wang leads none
    do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["li"])
    other = do_create_team(actor=None, community=world.community, name="夕阳红", leader=world.volunteers["wu"])
    li, wang = _client(world, "li"), _client(world, "wang")
    # when li leaves the team out, or names someone else's team
    missing = li.post("/activities/add/", _activity_form(world, None, "无队活动"))
    foreign = li.post("/activities/add/", _activity_form(world, other, "借队活动"))
    # then the form is shown again with the error, and wang may not open it at all
    assert missing.status_code == 200 and foreign.status_code == 200
    assert wang.get("/activities/add/").status_code == 403
    assert "/activities/add/" not in wang.get("/activities/").content.decode()
    assert not Activity.objects.filter(title__in=["无队活动", "借队活动"]).exists()


# ── participant ──────────────────────────────────────────────────────────────────────────────────


def test_participant_list_sign_up_and_cancel(world: World) -> None:
    activity = make_activity(world, start=timezone.now() + dt.timedelta(days=1), capacity=1)
    wu = _client(world, "wu")
    listing = wu.get("/activities/").content.decode()
    assert "社区环境清洁" in listing and "报名" in listing
    assert wu.post(f"/activities/{activity.pk}/sign-up/", {"back": "list"}).status_code == 302
    assert SignUp.objects.filter(activity=activity, volunteer=world.volunteers["wu"], status="signed_up").exists()
    # full now: wang sees no button and a direct post is refused with a message, no sign-up
    wang = _client(world, "wang")
    assert "名额已满" in wang.get("/activities/").content.decode()
    response = wang.post(f"/activities/{activity.pk}/sign-up/", follow=True)
    assert "名额已满" in response.content.decode()
    assert not SignUp.objects.filter(volunteer=world.volunteers["wang"]).exists()
    wu.post(f"/activities/{activity.pk}/cancel/")
    assert SignUp.objects.get(activity=activity, volunteer=world.volunteers["wu"]).status == "cancelled"
    # sun's registration is pending: the activity is not theirs to see
    sun = _client(world, "sun")
    assert "社区环境清洁" not in sun.get("/activities/").content.decode()
    assert sun.post(f"/activities/{activity.pk}/sign-up/").status_code == 404
    assert _client(world, "community").post(f"/activities/{activity.pk}/sign-up/").status_code == 403


def test_scan_landing_checks_in_and_out(world: World) -> None:
    activity = _running(world)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    wang = _client(world, "wang")
    token = make_token(activity.qr_secret, activity.pk, Mode.IN, timezone.now().timestamp())
    preview = wang.get(f"/activities/scan/{token}/")
    assert preview.status_code == 200 and "社区环境清洁" in preview.content.decode()
    assert not Attendance.objects.exists()  # looking changes nothing
    done = wang.post(f"/activities/scan/{token}/")
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    out = make_token(activity.qr_secret, activity.pk, Mode.OUT, timezone.now().timestamp())
    done = wang.post(f"/activities/scan/{out}/")
    assert "签退成功" in done.content.decode()
    attendance = Attendance.objects.get()
    assert attendance.checked_out_at is not None and attendance.hours is not None
    me = wang.get("/volunteers/me/").content.decode()
    assert "社区环境清洁" in me


def test_scan_refuses_expired_and_forged_codes_in_chinese(world: World) -> None:
    activity = _running(world)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    wang = _client(world, "wang")
    old = make_token(activity.qr_secret, activity.pk, Mode.IN, timezone.now().timestamp() - 600)
    response = wang.post(f"/activities/scan/{old}/")
    assert response.status_code == 400 and "已过期" in response.content.decode()
    forged = make_token("0" * 64, activity.pk, Mode.IN, timezone.now().timestamp())
    response = wang.get(f"/activities/scan/{forged}/")
    assert response.status_code == 400 and "无效" in response.content.decode()
    assert not Attendance.objects.exists()
    # the code of an activity one has not signed up for
    token = make_token(activity.qr_secret, activity.pk, Mode.IN, timezone.now().timestamp())
    response = _client(world, "wu").post(f"/activities/scan/{token}/")
    assert response.status_code == 400 and "尚未报名" in response.content.decode()
    assert _client(world, "community").get(f"/activities/scan/{token}/").status_code == 403


def test_navigation_by_role(world: World) -> None:
    staff = _client(world, "community").get("/activities/").content.decode()
    assert 'href="/volunteers/"' in staff and 'href="/teams/"' in staff and 'id="nav-volunteer-me"' not in staff
    mine = _client(world, "wang").get("/volunteers/me/").content.decode()
    assert 'id="nav-volunteer-me"' in mine and 'href="/teams/"' not in mine
    dept = _client(world, "dept").get("/").content.decode()
    assert 'id="nav-activities"' not in dept


# ── 补签退: a check-in with no check-out ─────────────────────────────────────────────────────────


def _forgot_to_scan_out(world: World) -> tuple[Activity, Attendance]:
    team = do_create_team(actor=None, community=world.community, name="红马甲", leader=world.volunteers["li"])
    activity = _running(world, team=team)
    do_sign_up(actor=world.user("wang"), activity_id=activity.pk)
    attendance = Attendance.objects.create(
        activity=activity, volunteer=world.volunteers["wang"], checked_in_at=timezone.now()
    )
    return activity, attendance


def test_the_organiser_records_a_forgotten_check_out_and_then_confirms_it(world: World) -> None:
    from gongzhi.core.models import AuditEvent

    # given wang checked in and went home without scanning out
    activity, attendance = _forgot_to_scan_out(world)
    li = _client(world, "li")
    assert f'data-check-out="{attendance.pk}"' in li.get(f"/activities/{activity.pk}/").content.decode()
    # when the leader records 1.5 hours with the reason, then confirms
    li.post(
        f"/activities/{activity.pk}/check-out/",
        {"attendance": attendance.pk, "hours": "1.5", "reason": "手机没电，未能扫码签退"},
    )
    li.post(f"/activities/{activity.pk}/confirm/", {"attendance": attendance.pk})
    # then the hours are credited once, and the reason is on the audit trail
    record = ServiceRecord.objects.get(volunteer=world.volunteers["wang"], kind="activity")
    assert record.hours == Decimal("1.5")
    logged = AuditEvent.objects.get(action="activity.check_out_recorded")
    assert logged.changes["reason"] == "手机没电，未能扫码签退"


@pytest.mark.parametrize(
    ("who", "hours", "reason"),
    [("li", "3", "超时"), ("li", "0", "没签退"), ("li", "1.25", "没签退"), ("li", "1", ""), ("wang", "1", "自己补")],
)
def test_a_recorded_check_out_out_of_bounds_or_by_others_changes_nothing(
    world: World, who: str, hours: str, reason: str
) -> None:
    # given a two-hour activity and an open check-in
    activity, attendance = _forgot_to_scan_out(world)
    # when hours beyond the activity, zero, not in half hours, no reason, or the volunteer himself
    response = _client(world, who).post(
        f"/activities/{activity.pk}/check-out/", {"attendance": attendance.pk, "hours": hours, "reason": reason}
    )
    # then nothing is recorded
    assert response.status_code in {302, 403, 404}
    fresh = Attendance.objects.get(pk=attendance.pk)
    assert fresh.checked_out_at is None and fresh.hours is None

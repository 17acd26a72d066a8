"""Volunteers tests: the shared `world`, an activity maker and a fixed clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from gongzhi.core.models import AuditEvent
from gongzhi.volunteers.actions.activities import do_create_activity
from gongzhi.volunteers.models import Activity, Attendance, ServiceRecord, SignUp, Team, TeamMember, Volunteer
from tests.serviceloop.world import World, world  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2030, 6, 1, 9, 0, tzinfo=SHANGHAI)  # a Saturday morning, far enough ahead to be "future"


def make_activity(
    w: World,
    *,
    start: dt.datetime = START,
    hours: float = 2,
    capacity: int = 3,
    publish: bool = True,
    title: str = "社区环境清洁",
    team: Team | None = None,
) -> Activity:
    return do_create_activity(
        actor=None,
        community=w.community,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        place="尧化门社区广场",
        capacity=capacity,
        organiser_team=team,
        publish=publish,
    )


def counts() -> dict[str, int]:
    """Rows that every refusal must leave alone."""
    return {
        "volunteers": Volunteer.objects.count(),
        "active": Volunteer.objects.filter(is_active=True).count(),
        "teams": Team.objects.count(),
        "members": TeamMember.objects.count(),
        "activities": Activity.objects.count(),
        "signups": SignUp.objects.filter(status="signed_up").count(),
        "attendances": Attendance.objects.count(),
        "records": ServiceRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
    }

"""Volunteer activities over the year: one to three a month in each community, run by its teams.

Past activities are finished (a few cancelled) with sign-ups, QR check-in and check-out times, hours by
`volunteers.hours.attendance_hours`, and the organiser's confirmation, which records the service and
earns the points as `do_confirm_all` would. The next three weeks hold activities open for sign-up.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from gongzhi.demo.services.rows import insert
from gongzhi.demo.services.texts import ACTIVITIES, FESTIVAL_ACTIVITIES
from gongzhi.demo.services.world import World, local
from gongzhi.regions.models import Region
from gongzhi.volunteers.hours import attendance_hours
from gongzhi.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    ServiceKind,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
)

CAPACITIES = (8, 10, 12, 15, 15, 20, 20, 25, 30, 40)
Spec = tuple[str, str, str, str, float]


@dataclass
class ActivityCounts:
    activities: int = 0
    open: int = 0
    signups: int = 0
    attendances: int = 0


def _place(spec_place: str, community: Region) -> str:
    return community.name + spec_place[2:] if spec_place.startswith("社区") else spec_place


def _start(world: World, day: dt.date, spec: Spec) -> dt.datetime:
    rng = world.rng
    if spec[1] == "四点半课堂":
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return local(day, 16, 30)
    if day.weekday() >= 5:
        return local(day, rng.choice((9, 9, 14)), rng.choice((0, 30)))
    return local(day, rng.choice((9, 14, 14, 19)), rng.choice((0, 30)))


def _spec(world: World, month: int, team: Team) -> Spec:
    rng = world.rng
    festival = FESTIVAL_ACTIVITIES.get(month)
    if festival is not None and rng.random() < 0.35:
        return festival
    suited = [s for s in ACTIVITIES if s[0] in team.skills or s[0][:3] in {c[:3] for c in team.skills}]
    return rng.choice(suited if suited and rng.random() < 0.7 else ACTIVITIES)


def seed_activities(world: World, scale: float = 1.0) -> ActivityCounts:
    rng = world.rng
    counts = ActivityCounts()
    activities: list[tuple[object, ...]] = []
    signups: list[tuple[object, ...]] = []
    attendances: list[tuple[object, ...]] = []
    demo = world.demo
    demo_id = demo.community.pk if demo.community is not None else None
    showcase_team = next(
        (t for t in world.teams.get(demo_id or 0, []) if demo.units and t.unit_id == demo.units[0].unit_id), None
    )
    staff = demo.user_id("community")
    for community_id in sorted(world.teams):
        community = world.communities[community_id]
        teams = world.teams[community_id]
        pool = world.serving.get(community_id, [])
        if not teams or len(pool) < 4:
            continue
        rate = scale * (rng.uniform(1.0, 3.0) if len(pool) >= 25 else rng.uniform(0.6, 1.5))
        plans: list[tuple[dt.date, Team]] = []
        day = world.start.date()
        while day < world.today:
            month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _i in range(n):
                span = max(1, (min(month_end, world.today) - day).days)
                plans.append((day + dt.timedelta(days=rng.randrange(span)), rng.choice(teams)))
            if community_id == demo_id and showcase_team is not None:
                span = max(1, (min(month_end, world.today) - day).days)
                plans.append((day + dt.timedelta(days=rng.randrange(span)), showcase_team))
            day = month_end
        for _i in range(rng.choice((1, 1, 2)) if community_id != demo_id else 3):
            plans.append((world.today + dt.timedelta(days=rng.randint(2, 20)), rng.choice(teams)))
        for when, team in plans:
            _one(world, community, team, when, pool, staff if community_id == demo_id else None,
                 showcase_team, activities, signups, attendances, counts)  # fmt: skip
    insert(
        Activity,
        ("id", "title", "description", "community_id", "region_code", "organiser_team_id", "organiser_volunteer_id",
         "organiser_user_id", "category_code", "starts_at", "ends_at", "place", "capacity", "status", "qr_secret",
         "created_at"),
        activities,
    )  # fmt: skip
    insert(SignUp, ("id", "activity_id", "volunteer_id", "status", "signed_up_at", "cancelled_at"), signups)
    insert(
        Attendance,
        ("id", "activity_id", "volunteer_id", "checked_in_at", "checked_out_at", "hours", "confirmed_at",
         "confirmed_by_id"),
        attendances,
    )  # fmt: skip
    return counts


def _one(
    world: World,
    community: Region,
    team: Team,
    day: dt.date,
    pool: list[Volunteer],
    staff: int | None,
    showcase_team: Team | None,
    activities: list[tuple[object, ...]],
    signups: list[tuple[object, ...]],
    attendances: list[tuple[object, ...]],
    counts: ActivityCounts,
) -> None:
    rng, as_of = world.rng, world.as_of
    spec = _spec(world, day.month, team)
    starts = _start(world, day, spec)
    ends = starts + dt.timedelta(minutes=int(spec[4] * 60))
    future = starts >= as_of
    created = starts - dt.timedelta(days=rng.randint(5, 14), hours=rng.randint(0, 8))
    if future:
        created = min(created, as_of - dt.timedelta(hours=rng.randint(2, 120)))
    capacity = rng.choice(CAPACITIES)
    if future:
        status = ActivityStatus.OPEN
    elif rng.random() < 0.04 and team is not showcase_team:
        status = ActivityStatus.CANCELLED
    else:
        status = ActivityStatus.DONE
    activity_id = world.ids.take(Activity)
    activities.append(
        (activity_id, spec[1], spec[2], community.pk, community.code, team.pk, team.leader_id, None, spec[0],
         starts, ends, _place(spec[3], community), capacity, status, secrets.token_hex(32), created)
    )  # fmt: skip
    counts.activities += 1
    counts.open += status == ActivityStatus.OPEN
    # Who signs up: the organising team first, then the community's volunteers; the demo's own people often.
    demo_ids = {v.pk for v in world.demo.participants()}
    roster = [v for v in world.people.team_members.get(team.pk, []) if v.is_active]
    chosen: dict[int, Volunteer] = {}
    wanted = round(capacity * (rng.uniform(0.2, 0.6) if future else rng.uniform(0.55, 1.0)))
    showcase = future or team is showcase_team
    for v in roster:
        if len(chosen) < wanted and (rng.random() < 0.6 or team is showcase_team):
            chosen[v.pk] = v
    if community.pk == (world.demo.community.pk if world.demo.community else None) and not future:
        for v in world.demo.participants():
            if len(chosen) < capacity and rng.random() < 0.4:
                chosen[v.pk] = v
    tries = 0
    while len(chosen) < min(wanted, len(pool)) and tries < 4 * wanted:
        v = rng.choice(pool)
        tries += 1
        if future and v.pk in demo_ids:
            continue  # the demo's own people find places left to sign up for
        chosen.setdefault(v.pk, v)
    window = max((min(starts, as_of) - created).total_seconds(), 3600.0)
    for v in chosen.values():
        signed = created + dt.timedelta(seconds=rng.uniform(600, window - 300))
        signups.append((world.ids.take(SignUp), activity_id, v.pk, SignUpStatus.SIGNED_UP, signed, None))
        counts.signups += 1
    for _i in range(1 if rng.random() < 0.3 else 0):
        v = rng.choice(pool)
        if v.pk not in chosen and v.pk not in demo_ids:
            signed = created + dt.timedelta(seconds=rng.uniform(600, window / 2))
            cancelled = signed + dt.timedelta(seconds=rng.uniform(300, window / 2 - 300))
            signups.append((world.ids.take(SignUp), activity_id, v.pk, SignUpStatus.CANCELLED, signed, cancelled))
    if status != ActivityStatus.DONE:
        return
    confirmed_at = ends + dt.timedelta(minutes=rng.randint(20, 36 * 60))
    confirmed = confirmed_at < as_of
    for v in chosen.values():
        if rng.random() > (0.97 if showcase else 0.88):
            continue  # signed up but did not come
        checked_in = starts + dt.timedelta(minutes=max(-30, min(40, round(rng.gauss(-8, 9)))))
        if rng.random() < 0.08 and not showcase:
            checked_out = ends - dt.timedelta(minutes=rng.randint(40, 90))
        else:
            checked_out = ends + dt.timedelta(minutes=rng.randint(-15, 20))
        if checked_out - checked_in < dt.timedelta(minutes=30):
            checked_out = checked_in + dt.timedelta(minutes=45)
        if rng.random() < 0.02 and not showcase:
            attendances.append((world.ids.take(Attendance), activity_id, v.pk, checked_in, None, None, None, None))
            counts.attendances += 1
            continue  # forgot to scan out: nothing to confirm
        hours = attendance_hours(checked_in, checked_out, starts, ends)
        attendance_id = world.ids.take(Attendance)
        attendances.append(
            (attendance_id, activity_id, v.pk, checked_in, checked_out, hours,
             confirmed_at if confirmed else None, staff if confirmed else None)
        )  # fmt: skip
        counts.attendances += 1
        if confirmed:
            world.record_service(
                kind=ServiceKind.ACTIVITY,
                source_id=attendance_id,
                community=community,
                served_on=checked_in.astimezone(starts.tzinfo).date(),
                summary=spec[1],
                at=confirmed_at,
                by=staff,
                volunteer=v,
                hours=hours,
            )

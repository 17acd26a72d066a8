"""双报到 over the year: liaison terms, the community's monthly contact with each unit, quarterly joint meetings.

Most units keep every rule; some are patchy about the monthly contact or skip a meeting, and some
(participants.py) keep no team, so the 五个一 board has a realistic mix. In the demo community the first
registered unit keeps everything, the second missed last month's contact, the third has no team.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.demo.services.rows import insert
from gongzhi.demo.services.texts import CONTACT_SUMMARIES, MEETING_MINUTES, MEETING_SUBJECTS
from gongzhi.demo.services.world import World, local
from gongzhi.registrations.models import (
    ContactChannel,
    JointMeeting,
    LiaisonTerm,
    MeetingAttendance,
    UnitContact,
    UnitRegistration,
)
from gongzhi.registrations.periods import Period

_CHANNELS = (ContactChannel.VISIT, ContactChannel.VISIT, ContactChannel.PHONE, ContactChannel.MEETING,
             ContactChannel.ONLINE)  # fmt: skip


def _months(first: dt.date, today: dt.date) -> list[Period]:
    out, month = [], Period.month(first.year, first.month)
    while month.start <= today:
        out.append(month)
        nxt = month.end + dt.timedelta(days=1)
        month = Period.month(nxt.year, nxt.month)
    return out


def _diligence(world: World, reg: UnitRegistration) -> tuple[float, float]:
    """(share of months with a contact, share of meetings attended) for a unit."""
    roll = world.rng.random()
    if roll < 0.7:
        return 0.97, 0.95
    if roll < 0.9:
        return 0.8, 0.75
    return 0.5, 0.5


def seed_units(world: World) -> tuple[int, int]:
    """Liaison terms, contacts and meetings with sign-ins; returns (contacts, meetings)."""
    rng, today = world.rng, world.today
    showcase = [r.pk for r in world.demo.units]
    previous = Period.current_month(today).start - dt.timedelta(days=1)
    demo_id = world.demo.community.pk if world.demo.community is not None else None
    staff = world.demo.user_id("community")
    terms, contacts = [], []
    habits: dict[int, tuple[float, float]] = {}
    for regs in world.units.values():
        for reg in regs:
            assert reg.liaison is not None and reg.decided_at is not None  # noqa: S101 - units with a liaison
            approved = timezone.localdate(reg.decided_at)
            terms.append((world.ids.take(LiaisonTerm), reg.pk, reg.liaison.pk, approved, None, None))
            habit = _diligence(world, reg)
            if reg.pk in showcase:
                habit = (1.0, 1.0)
            habits[reg.pk] = habit
            first = max(approved, world.start.date())
            for month in _months(first, today):
                last = min(month.end, today - dt.timedelta(days=1))
                if last < month.start:
                    continue
                if reg.pk in showcase[1:2] and month.contains(previous):
                    continue  # the demo community's second unit missed last month's contact
                if rng.random() > habit[0]:
                    continue
                day = month.start + dt.timedelta(days=rng.randint(0, (last - month.start).days))
                logged = local(day, rng.randint(9, 17), rng.randint(0, 59)) + dt.timedelta(hours=rng.randint(0, 30))
                code = world.communities[reg.community_id].code
                contacts.append(
                    (world.ids.take(UnitContact), reg.unit_id, reg.community_id, code,
                     day, rng.choice(_CHANNELS), rng.choice(CONTACT_SUMMARIES),
                     staff if reg.community_id == demo_id else None, min(logged, world.as_of - dt.timedelta(minutes=5)))
                )  # fmt: skip
    insert(LiaisonTerm, ("id", "registration_id", "volunteer_id", "started_on", "ended_on", "set_by_id"), terms)
    insert(
        UnitContact,
        ("id", "unit_id", "community_id", "region_code", "contacted_on", "channel", "summary", "logged_by_id",
         "logged_at"),
        contacts,
    )  # fmt: skip
    meetings, signed = [], []
    quarters = sorted({Period.quarter_of(m.start) for m in _months(world.start.date(), today)}, key=lambda q: q.start)
    for community_id, regs in sorted(world.units.items()):
        community = world.communities[community_id]
        for quarter in quarters:
            last = min(quarter.end, today - dt.timedelta(days=1))
            first = max(quarter.start, world.start.date())
            if last < first:
                continue
            running = quarter.end >= today
            if running and community_id != demo_id and rng.random() < 0.5:
                continue  # this quarter's meeting is still to come
            span = (last - first).days
            day = first + dt.timedelta(days=rng.randint(min(span, 20), span) if span > 20 else rng.randint(0, span))
            meeting_id = world.ids.take(JointMeeting)
            q = (quarter.start.month - 1) // 3 + 1
            held = local(day, 9, 30)
            meetings.append(
                (meeting_id, community_id, community.code, day, rng.choice(MEETING_SUBJECTS).format(q=q),
                 MEETING_MINUTES, staff if community_id == demo_id else None, held + dt.timedelta(hours=3))
            )  # fmt: skip
            for reg in regs:
                approved = timezone.localdate(reg.decided_at) if reg.decided_at else day
                if approved > day or rng.random() > habits[reg.pk][1]:
                    continue
                liaison = reg.liaison
                assert liaison is not None  # noqa: S101
                at = held + dt.timedelta(minutes=rng.randint(-20, 10))
                signed.append(
                    (world.ids.take(MeetingAttendance), meeting_id, reg.unit_id, world.names.get(liaison.pk, "")[:50],
                     liaison.pk, at, staff if community_id == demo_id else None)
                )  # fmt: skip
    insert(
        JointMeeting,
        ("id", "region_id", "region_code", "held_on", "subject", "minutes", "created_by_id", "created_at"),
        meetings,
    )
    insert(
        MeetingAttendance,
        ("id", "meeting_id", "unit_id", "attendee_name", "volunteer_id", "signed_at", "recorded_by_id"),
        signed,
    )
    return len(contacts), len(meetings)

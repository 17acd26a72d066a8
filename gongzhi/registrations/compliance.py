"""五个一 compliance of registered units and the yearly service hours of in-service members.

Nothing here is entered by hand: every item is computed from rows that record what happened
(liaison terms, logged contacts, meeting sign-ins, teams and their members, service records).
The rules, one month at a time (docs/registrations.md has the long form):

1. 一名联络员 (liaison)   — a liaison term of the approved registration overlaps the month.
2. 每月联系 (contact)     — at least one `UnitContact` between this community and the unit in the month.
3. 每季度联席会议 (meeting) — the unit signed in at a joint meeting of this community or its street
   in the month's quarter. While the quarter is still running and no sign-in exists yet: pending.
4. 至少一支志愿服务队 (team) — an active team of the unit, founded by the month's end, with at least
   one member who joined by the month's end.
5. 每月至少一次服务 (service) — at least one `ServiceRecord` in this community in the month, by the unit
   itself or by a member of one of the unit's teams (counted from the day they joined).

Items 2 and 5 are "pending" instead of "not met" while the month is still running. A unit is
compliant for the month only when all five are met; "not compliant" as soon as one is not met;
otherwise pending. A quarter or a year is the months it is made of (up to today, and from the month
the registration was approved): an item is met when met in every such month.

Hours: `member_hours` sums `ServiceRecord.hours` of the volunteer served in the year (wherever they
served) against the required hours of the community's street (`DutyHours`, default 24).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.registrations.models import (
    DutyHours,
    LiaisonTerm,
    MeetingAttendance,
    MemberRegistration,
    RegistrationStatus,
    UnitContact,
    UnitRegistration,
)
from gongzhi.registrations.periods import Period
from gongzhi.volunteers.models import ServiceRecord, Team, TeamMember, Volunteer

DEFAULT_DUTY_HOURS = Decimal("24")  # 在职党员 yearly service hours when no street or city-wide row says otherwise
STREET_CODE_LEN = 9


class ItemStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    PENDING = "pending"


class Overall(StrEnum):
    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    PENDING = "pending"


ITEMS: tuple[tuple[str, Any], ...] = (
    ("liaison", _("A named liaison")),  # 一名联络员
    ("contact", _("Contact every month")),  # 每月联系
    ("meeting", _("Joint meeting every quarter")),  # 每季度联席会议
    ("team", _("At least one volunteer team")),  # 至少一支志愿服务队
    ("service", _("At least one service a month")),  # 每月至少一次服务
)
ITEM_KEYS = tuple(k for k, _label in ITEMS)
ITEM_LABELS = dict(ITEMS)


@dataclass
class Item:
    key: str
    status: ItemStatus
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(ITEM_LABELS[self.key])

    @property
    def met(self) -> bool:
        return self.status == ItemStatus.MET


def overall_of(statuses: Iterable[ItemStatus]) -> Overall:
    values = list(statuses)
    if any(s == ItemStatus.NOT_MET for s in values):
        return Overall.NOT_COMPLIANT
    if values and all(s == ItemStatus.MET for s in values):
        return Overall.COMPLIANT
    return Overall.PENDING


@dataclass
class MonthResult:
    month: Period
    items: list[Item]

    @property
    def overall(self) -> Overall:
        return overall_of(i.status for i in self.items)


@dataclass
class UnitCompliance:
    registration: UnitRegistration
    period: Period
    months: list[MonthResult]

    @property
    def unit(self) -> Unit:
        return self.registration.unit

    @property
    def items(self) -> list[Item]:
        """One per rule: the month's item, or for a quarter/year the months folded together."""
        if len(self.months) == 1:
            return self.months[0].items
        folded = []
        for index, key in enumerate(ITEM_KEYS):
            statuses = [m.items[index].status for m in self.months]
            met = sum(1 for s in statuses if s == ItemStatus.MET)
            not_met = [m.month.label for m in self.months if m.items[index].status == ItemStatus.NOT_MET]
            status = overall_of(statuses)
            folded.append(
                Item(
                    key,
                    {Overall.COMPLIANT: ItemStatus.MET, Overall.NOT_COMPLIANT: ItemStatus.NOT_MET}.get(
                        status, ItemStatus.PENDING
                    ),
                    {"months": len(statuses), "months_met": met, "months_not_met": not_met},
                )
            )
        return folded

    @property
    def overall(self) -> Overall:
        return overall_of(i.status for i in self.items)


@dataclass
class CommunityCompliance:
    community: Region
    period: Period
    units: list[UnitCompliance]

    def totals(self) -> dict[str, Any]:
        """Units counted by overall status, and units meeting each item."""
        by_overall = {o.value: 0 for o in Overall}
        by_item = dict.fromkeys(ITEM_KEYS, 0)
        for unit in self.units:
            by_overall[unit.overall.value] += 1
            for item in unit.items:
                if item.met:
                    by_item[item.key] += 1
        return {"units": len(self.units), "overall": by_overall, "items": by_item}


# ---------------------------------------------------------------------------------------- evaluation


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _approved_on(registration: UnitRegistration) -> dt.date | None:
    when = registration.decided_at
    return timezone.localdate(when) if when is not None else None


def _months_of(registration: UnitRegistration, period: Period, today: dt.date) -> list[Period]:
    """The period's months the unit is held to: started by today, and from the approval month on."""
    months = period.months()
    if len(months) > 1:
        months = [m for m in months if m.start <= today] or months[:1]
    approved = _approved_on(registration)
    if approved is not None and len(months) > 1:
        months = [m for m in months if m.end >= approved] or months[-1:]
    return months


@dataclass
class _Facts:
    """Everything the five rules read, for a set of registrations over a span, loaded in few queries."""

    terms: dict[int, list[tuple[dt.date, dt.date | None, str]]]
    contacts: dict[int, list[dt.date]]
    attendances: dict[int, list[tuple[dt.date, str]]]
    teams: dict[int, list[tuple[Team, list[dt.date]]]]
    services: dict[int, list[dt.date]]


def _load(registrations: list[UnitRegistration], community: Region, start: dt.date, end: dt.date) -> _Facts:
    unit_ids = [r.unit_id for r in registrations]
    reg_unit = {r.pk: r.unit_id for r in registrations}

    terms: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    with_terms: set[int] = set()
    for term in LiaisonTerm.objects.filter(registration_id__in=reg_unit).select_related("volunteer__person"):
        with_terms.add(term.registration_id)
        terms[reg_unit[term.registration_id]].append((term.started_on, term.ended_on, term.volunteer.person.name))
    for r in registrations:
        # Registrations written before terms existed (or by hand in fixtures): the liaison named on the
        # approved registration counts from the decision (else the application) on.
        if r.pk not in with_terms and r.liaison_id is not None and r.liaison is not None:
            since = _approved_on(r) or timezone.localdate(r.applied_at)
            terms[r.unit_id].append((since, None, r.liaison.person.name))

    contacts: dict[int, list[dt.date]] = defaultdict(list)
    for unit_id, day in UnitContact.objects.filter(
        community=community, unit_id__in=unit_ids, contacted_on__range=(start, end)
    ).values_list("unit_id", "contacted_on"):
        contacts[unit_id].append(day)

    quarter_start, quarter_end = Period.quarter_of(start).start, Period.quarter_of(end).end
    attendances: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for unit_id, day, subject in MeetingAttendance.objects.filter(
        unit_id__in=unit_ids,
        meeting__held_on__range=(quarter_start, quarter_end),
        meeting__region_code__in=(community.code, community.code[:STREET_CODE_LEN]),
    ).values_list("unit_id", "meeting__held_on", "meeting__subject"):
        attendances[unit_id].append((day, subject))

    teams: dict[int, list[tuple[Team, list[dt.date]]]] = defaultdict(list)
    team_list = list(Team.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("name"))
    joined: dict[int, list[dt.date]] = defaultdict(list)
    members: list[tuple[int, int, dt.date]] = list(
        TeamMember.objects.filter(team__in=team_list).values_list("team_id", "volunteer_id", "joined_on")
    )
    for team_id, _vid, day in members:
        joined[team_id].append(day)
    team_unit = {t.pk: t.unit_id for t in team_list if t.unit_id is not None}
    for team in team_list:
        assert team.unit_id is not None  # noqa: S101 - filtered above
        teams[team.unit_id].append((team, joined[team.pk]))

    # A member's service counts for every unit whose team they had joined by the day they served.
    member_units: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for team_id, volunteer_id, day in members:
        member_units[volunteer_id].append((team_unit[team_id], day))
    services: dict[int, list[dt.date]] = defaultdict(list)
    wanted = set(unit_ids)
    rows = ServiceRecord.objects.filter(
        Q(unit_id__in=unit_ids) | Q(volunteer_id__in=list(member_units)),
        community=community,
        served_on__range=(start, end),
    ).values_list("unit_id", "volunteer_id", "served_on")
    for unit_id, volunteer_id, day in rows:
        credited = {unit_id} & wanted if unit_id is not None else set()
        for member_unit, since in member_units.get(volunteer_id, []):
            if since <= day:
                credited.add(member_unit)
        for u in credited:
            services[u].append(day)
    return _Facts(terms, contacts, attendances, teams, services)


def _month_items(registration: UnitRegistration, month: Period, facts: _Facts, today: dt.date) -> list[Item]:
    unit_id = registration.unit_id
    running = not month.over(today)

    liaisons = [
        (name, since)
        for since, until, name in facts.terms.get(unit_id, [])
        if since <= month.end and (until is None or until >= month.start)
    ]
    liaison = Item(
        "liaison",
        ItemStatus.MET if liaisons else ItemStatus.NOT_MET,
        {"liaisons": [name for name, _since in liaisons], "since": [str(s) for _n, s in liaisons]},
    )

    days = sorted(d for d in facts.contacts.get(unit_id, []) if month.contains(d))
    contact = Item(
        "contact",
        ItemStatus.MET if days else (ItemStatus.PENDING if running else ItemStatus.NOT_MET),
        {"count": len(days), "dates": [str(d) for d in days]},
    )

    quarter = month.quarter
    attended = sorted(a for a in facts.attendances.get(unit_id, []) if quarter.contains(a[0]))
    meeting = Item(
        "meeting",
        ItemStatus.MET if attended else (ItemStatus.NOT_MET if quarter.over(today) else ItemStatus.PENDING),
        {
            "quarter": quarter.label,
            "count": len(attended),
            "dates": [str(d) for d, _s in attended],
            "subjects": [s for _d, s in attended],
        },
    )

    teams = [
        (team.name, sum(1 for j in joined if j <= month.end))
        for team, joined in facts.teams.get(unit_id, [])
        if team.founded_on <= month.end
    ]
    teams = [(name, n) for name, n in teams if n > 0]
    team = Item(
        "team",
        ItemStatus.MET if teams else ItemStatus.NOT_MET,
        {"teams": [name for name, _n in teams], "members": sum(n for _name, n in teams)},
    )

    served = sorted(d for d in facts.services.get(unit_id, []) if month.contains(d))
    service = Item(
        "service",
        ItemStatus.MET if served else (ItemStatus.PENDING if running else ItemStatus.NOT_MET),
        {"count": len(served), "dates": [str(d) for d in served]},
    )
    return [liaison, contact, meeting, team, service]


def _evaluate(
    registrations: list[UnitRegistration], community: Region, period: Period, today: dt.date
) -> list[UnitCompliance]:
    if not registrations:
        return []
    plans = {r.pk: _months_of(r, period, today) for r in registrations}
    start = min(m.start for months in plans.values() for m in months)
    end = max(m.end for months in plans.values() for m in months)
    facts = _load(registrations, community, start, end)
    results = []
    for registration in registrations:
        # A registration that is not approved holds nothing: every item falls, as a "not met" liaison.
        months = [MonthResult(m, _month_items(registration, m, facts, today)) for m in plans[registration.pk]]
        if registration.status != RegistrationStatus.APPROVED:
            for month in months:
                month.items[0] = Item("liaison", ItemStatus.NOT_MET, {"registration": registration.status})
        results.append(UnitCompliance(registration, period, months))
    return results


def unit_compliance(unit: Unit, community: Region, period: Period, *, today: dt.date | None = None) -> UnitCompliance:
    """The five items of one unit's registration with `community` for a month, a quarter or a year.

    Raises UnitRegistration.DoesNotExist when the unit never registered with the community.
    """
    registration = UnitRegistration.objects.select_related("unit", "community", "liaison__person").get(
        unit=unit, community=community
    )
    return _evaluate([registration], community, period, _today(today))[0]


def community_compliance(community: Region, period: Period, *, today: dt.date | None = None) -> CommunityCompliance:
    """Every unit approved by `community` before the period ended, in a fixed handful of queries."""
    registrations = [
        r
        for r in UnitRegistration.objects.filter(community=community, status=RegistrationStatus.APPROVED)
        .select_related("unit", "community", "liaison__person")
        .order_by("unit__name", "pk")
        if (_approved_on(r) or period.start) <= period.end
    ]
    return CommunityCompliance(community, period, _evaluate(registrations, community, period, _today(today)))


# ----------------------------------------------------------------------------------------- hours


def required_hours(community: Region) -> Decimal:
    """The street's `DutyHours` row, else the city-wide row, else DEFAULT_DUTY_HOURS."""
    street, default = None, None
    for region_id, hours in DutyHours.objects.filter(
        Q(region__isnull=True) | Q(region__code=community.code[:STREET_CODE_LEN])
    ).values_list("region_id", "hours"):
        if region_id is None:
            default = hours
        else:
            street = hours
    return street if street is not None else (default if default is not None else DEFAULT_DUTY_HOURS)


@dataclass(frozen=True)
class MemberHours:
    volunteer: Volunteer
    year: int
    hours: Decimal
    required: Decimal
    registration: MemberRegistration | None = None

    @property
    def met(self) -> bool:
        return self.hours >= self.required

    @property
    def status(self) -> str:
        return "met" if self.met else "short"

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal("0"), self.required - self.hours)


def _hours_by_volunteer(volunteer_ids: list[int], year: int) -> dict[int, Decimal]:
    return {
        vid: total or Decimal("0")
        for vid, total in ServiceRecord.objects.filter(volunteer_id__in=volunteer_ids, served_on__year=year)
        .values("volunteer_id")
        .annotate(total=Sum("hours"))
        .values_list("volunteer_id", "total")
    }


def member_hours(volunteer: Volunteer, year: int, *, community: Region | None = None) -> MemberHours:
    """Hours served in `year` (every community) against what `community` (default: the volunteer's) requires."""
    hours = _hours_by_volunteer([volunteer.pk], year).get(volunteer.pk, Decimal("0"))
    return MemberHours(volunteer, year, hours, required_hours(community or volunteer.community))


def community_member_hours(community: Region, year: int) -> list[MemberHours]:
    """Every member the community approved, with their hours in `year`, shortest first."""
    registrations = list(
        MemberRegistration.objects.filter(community=community, status=RegistrationStatus.APPROVED).select_related(
            "volunteer__person", "member__person", "member__employer"
        )
    )
    totals = _hours_by_volunteer([r.volunteer_id for r in registrations], year)
    required = required_hours(community)
    rows = [
        MemberHours(r.volunteer, year, totals.get(r.volunteer_id, Decimal("0")), required, r) for r in registrations
    ]
    return sorted(rows, key=lambda m: (m.met, m.hours, m.volunteer.person.name))

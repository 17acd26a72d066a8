"""A matching campaign (集中派单): a community's or street's open wishes, assigned at once to the volunteers
who serve there, optimally under their capacities (services.matching.ranking.batch_assign, coverage
objective: as many wishes served as possible, then the largest total score).

Each wish may be taken only by volunteers who could claim it: those with a sign-in serving in its
community, or, once it is on the street board, in any community of its street. Its place is its building, else the
registered resident's home, else the community's label point. A volunteer's capacity is what is left
of their monthly capacity after their services of the last 30 days and the wishes they hold claimed.

Read-only: the proposal is computed, shown, and turned into invitations by
`wishes.actions.do_send_invitations` only when staff say so. Needs of the need list have no place of
their own (no building), so a campaign covers wishes only.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.regions.models import Level, Region
from gongzhi.services.matching.ranking import BatchResult, NeedSpec, batch_assign, eligible_volunteers
from gongzhi.services.matching.score import distance_km
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.models import BoardLevel, Wish, WishStatus
from gongzhi.wishes.recommend import invited_on, open_claims, wish_places

__all__ = ["MAX_WISHES", "Proposal", "Row", "access_campaign_region", "campaign_regions", "propose"]

MAX_WISHES = 2000
STREET_LEN = 9
NO_CANDIDATE = "no_candidate"
CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Row:
    wish: Wish
    volunteer: Volunteer | None
    score: int | None
    km: float | None
    reason: str = ""  # why unassigned: NO_CANDIDATE or CAPACITY
    candidates: int = 0
    invited_today: bool = False

    @property
    def reason_text(self) -> str:
        if self.reason == NO_CANDIDATE:
            return str(_("No one with a matching skill serves within reach of this wish"))
        if self.reason == CAPACITY:
            return str(
                _("%(n)d possible volunteers, but their capacity this month went to other wishes")
                % {"n": self.candidates}
            )
        return ""


@dataclass(slots=True)
class Proposal:
    region: Region
    on: dt.date
    rows: list[Row] = field(default_factory=list)
    volunteers: int = 0  # eligible volunteers in the region
    total_score: int = 0
    seconds: float = 0.0
    truncated: bool = False  # more than MAX_WISHES open wishes: the oldest MAX_WISHES were taken

    @property
    def assigned(self) -> list[Row]:
        return [r for r in self.rows if r.volunteer is not None]

    @property
    def unassigned(self) -> list[Row]:
        return [r for r in self.rows if r.volunteer is None]

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [(r.wish.pk, r.volunteer.pk) for r in self.rows if r.volunteer is not None]

    @property
    def to_invite(self) -> int:
        return sum(1 for r in self.assigned if not r.invited_today)


def campaign_regions(user: AnyUser) -> list[Region]:
    """The streets and communities where the user runs the lists (`services.manage`)."""
    scope = capability_scope(user, Cap.SERVICES_MANAGE)
    if not scope.everything and not scope.prefixes:
        return []
    rows = Region.objects.filter(level__in=(Level.STREET, Level.COMMUNITY)).filter(scope.q("code"))
    return list(rows.order_by("code")[:500])


def access_campaign_region(user: AnyUser, code: str) -> Region:
    """A street or community within the user's `services.manage` scope; NotFound otherwise."""
    scope = capability_scope(user, Cap.SERVICES_MANAGE)
    region = Region.objects.filter(code=code, level__in=(Level.STREET, Level.COMMUNITY)).first()
    if region is None or not scope.covers(region.code):
        raise NotFound(code)
    return region


def _communities(region: Region) -> dict[int, str]:
    if region.level == Level.COMMUNITY:
        return {region.pk: region.code}
    return dict(Region.objects.filter(level=Level.COMMUNITY, code__startswith=region.code).values_list("pk", "code"))


def _street_communities(street_codes: set[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {code: [] for code in street_codes}
    if not street_codes:
        return out
    starts = Q()
    for code in sorted(street_codes):
        starts |= Q(code__startswith=code)
    for pk, code in Region.objects.filter(starts, level=Level.COMMUNITY).values_list("pk", "code"):
        out.setdefault(code[:STREET_LEN], []).append(pk)
    return out


def propose(region: Region, on: dt.date) -> Proposal:
    """The optimal assignment of the region's open wishes to its volunteers on day `on`."""
    started = time.perf_counter()
    proposal = Proposal(region=region, on=on)
    communities = _communities(region)
    open_wishes = (
        Wish.objects.filter(status=WishStatus.OPEN, region_code__startswith=region.code)
        .select_related("category", "community")
        .order_by("created_at", "pk")
    )
    wishes = list(open_wishes[: MAX_WISHES + 1])
    proposal.truncated = len(wishes) > MAX_WISHES
    wishes = wishes[:MAX_WISHES]
    streets = _street_communities({w.street_code for w in wishes if w.board_level == BoardLevel.STREET})
    need_communities = {
        w.pk: (streets.get(w.street_code, []) or [w.community_id])
        if w.board_level == BoardLevel.STREET
        else [w.community_id]
        for w in wishes
    }
    pool = sorted(set(communities).union(*need_communities.values()))
    places = wish_places(wishes)
    specs = [NeedSpec(w.pk, w.category.code, places[w.pk].lon, places[w.pk].lat, day=on) for w in wishes]
    load = open_claims(eligible_volunteers(pool, signed_in_only=True))
    result: BatchResult = batch_assign(
        specs, community_ids=pool, on=on, open_load=load, need_communities=need_communities, signed_in_only=True
    )
    proposal.total_score = result.total
    proposal.volunteers = eligible_volunteers(list(communities), signed_in_only=True).count()
    taken = {need: (vol, score) for need, vol, score in result.pairs}
    volunteers = Volunteer.objects.select_related("person", "building").in_bulk({v for v, _s in taken.values()})
    invited = invited_on([w.pk for w in wishes])  # today's, whatever day the campaign plans for
    for wish in wishes:
        candidates = result.candidates.get(wish.pk, 0)
        if wish.pk not in taken:
            reason = NO_CANDIDATE if candidates == 0 else CAPACITY
            proposal.rows.append(Row(wish, None, None, None, reason=reason, candidates=candidates))
            continue
        volunteer_id, score = taken[wish.pk]
        volunteer = volunteers[volunteer_id]
        lon, lat = places[wish.pk].lon, places[wish.pk].lat
        km = None
        if volunteer.building is not None and lon is not None and lat is not None:
            km = distance_km(lon, lat, volunteer.building.lon, volunteer.building.lat)
        proposal.rows.append(
            Row(wish, volunteer, score, km, candidates=candidates, invited_today=(wish.pk, volunteer_id) in invited)
        )
    proposal.seconds = time.perf_counter() - started
    return proposal

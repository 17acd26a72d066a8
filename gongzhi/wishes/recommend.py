"""Who to ask for one wish: the matching ranking (services.matching) fed from a wish, and who was asked.

Candidates come from the communities whose boards show the wish — its own community, and every
community of its street once it is on the street board — so anyone listed may claim it. The place is
the wish's building, else the registered resident's home building, else the community's label point
(distances then rough, and the page says so). Only volunteers with a sign-in are listed: only they
can be told and claim. A volunteer's open load is the
wishes they hold claimed and not yet fulfilled (one query), so busy people rank lower; the resident
never appears among the people asked to help them.

Invitations (`actions.invites`) are WishInvitation rows, one per wish, volunteer and day, written under
the wish's row lock, with a timeline row and an audit row beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from gongzhi.regions.models import Building, Level, Region
from gongzhi.services.matching.ranking import Candidate, eligible_volunteers, top_candidates
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.models import BoardLevel, Wish, WishInvitation, WishStatus

__all__ = [
    "Place",
    "invited_on",
    "may_serve",
    "open_claims",
    "wish_candidates",
    "wish_communities",
    "wish_place",
    "wish_places",
]

TOP = 5


def wish_communities(wish: Wish) -> list[int]:
    """The communities whose boards show the wish: its own; on the street board, all of its street's."""
    if wish.board_level != BoardLevel.STREET:
        return [wish.community_id]
    street = list(
        Region.objects.filter(level=Level.COMMUNITY, code__startswith=wish.street_code).values_list("pk", flat=True)
    )
    return sorted(set(street) | {wish.community_id})


@dataclass(frozen=True, slots=True)
class Place:
    """Where a wish is to be met, and how that is known: "building" (the wish's), "home" (the registered
    resident's home building), "community" (the community's label point: distances are rough), or ""."""

    lon: float | None
    lat: float | None
    source: str

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.lon, self.lat) if self.lon is not None and self.lat is not None else None


def wish_places(wishes: Sequence[Wish]) -> dict[int, Place]:
    """Wish id → its Place, for many wishes in three queries."""
    buildings = Building.objects.in_bulk({w.building_id for w in wishes if w.building_id is not None})
    person_ids = {w.person_id for w in wishes if w.building_id is None and w.person_id is not None}
    homes: dict[int, tuple[float, float]] = {}
    if person_ids:
        for person_id, lon, lat in Building.objects.filter(units__rooms__residents__pk__in=person_ids).values_list(
            "units__rooms__residents__pk", "lon", "lat"
        ):
            homes[person_id] = (lon, lat)
    labels = Region.objects.in_bulk({w.community_id for w in wishes})
    places: dict[int, Place] = {}
    for wish in wishes:
        building = buildings.get(wish.building_id) if wish.building_id is not None else None
        community = labels.get(wish.community_id)
        if building is not None:
            places[wish.pk] = Place(building.lon, building.lat, "building")
        elif wish.person_id is not None and wish.person_id in homes:
            places[wish.pk] = Place(*homes[wish.person_id], "home")
        elif community is not None and community.label_lon is not None and community.label_lat is not None:
            places[wish.pk] = Place(community.label_lon, community.label_lat, "community")
        else:
            places[wish.pk] = Place(None, None, "")
    return places


def wish_place(wish: Wish) -> Place:
    return wish_places([wish])[wish.pk]


def open_claims(volunteers: QuerySet[Volunteer] | Iterable[int]) -> dict[int, int]:
    """Volunteer id → wishes they hold claimed (not yet fulfilled), for the given volunteers, in one query."""
    ids = volunteers.values("id") if isinstance(volunteers, QuerySet) else list(volunteers)
    rows = (
        Wish.objects.filter(status=WishStatus.CLAIMED, claimant_volunteer_id__in=ids)
        .values("claimant_volunteer_id")
        .annotate(n=Count("id"))
        .values_list("claimant_volunteer_id", "n")
    )
    return {volunteer_id: n for volunteer_id, n in rows if volunteer_id is not None}


def _resident_volunteers(wish: Wish) -> list[int]:
    if wish.person_id is None:
        return []
    return list(Volunteer.objects.filter(person_id=wish.person_id).values_list("pk", flat=True))


def wish_candidates(
    wish: Wish, *, limit: int = TOP, on: dt.date | None = None, place: Place | None = None
) -> list[Candidate]:
    """The best `limit` volunteers to invite for the wish on day `on` (today by default)."""
    communities = wish_communities(wish)
    return top_candidates(
        category_code=wish.category.code,
        building=None,
        place=(place or wish_place(wish)).point,
        community_ids=communities,
        on=on or timezone.localdate(),
        limit=limit,
        exclude_volunteer_ids=_resident_volunteers(wish),
        open_load=open_claims(eligible_volunteers(communities, signed_in_only=True)),
        signed_in_only=True,
    )


def may_serve(volunteer: Volunteer, wish: Wish) -> bool:
    """The volunteer is active and serves where the wish's boards are (so they could claim it)."""
    if not volunteer.is_active:
        return False
    return eligible_volunteers(wish_communities(wish)).filter(pk=volunteer.pk).exists()


def invited_on(wish_ids: Iterable[int], on: dt.date | None = None) -> set[tuple[int, int]]:
    """(wish id, volunteer id) of the invitations sent on day `on` (today by default), in one query."""
    ids = list(wish_ids)
    if not ids:
        return set()
    rows = WishInvitation.objects.filter(wish_id__in=ids, invited_on=on or timezone.localdate())
    return set(rows.values_list("wish_id", "volunteer_id"))

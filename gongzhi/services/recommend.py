"""推荐人选 for one need of the need list: the matching ranking fed from the need.

The need's community decides who is eligible (home or approved registration there); its place is the
registered resident's home building when the need names one, else the community's label point. Open
load: the wishes a volunteer holds claimed, so busy people rank lower. The resident is never listed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.regions.models import Building, Region
from gongzhi.services.matching.ranking import Candidate, eligible_volunteers, top_candidates
from gongzhi.services.models import Need
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.recommend import TOP, Place, open_claims


def need_place(need: Need) -> Place:
    """The registered resident's home building, else the community's label point, else unknown."""
    if need.person_id is not None:
        home = Building.objects.filter(units__rooms__residents__pk=need.person_id).first()
        if home is not None:
            return Place(home.lon, home.lat, "home")
    community = Region.objects.filter(pk=need.community_id).first()
    if community is not None and community.label_lon is not None and community.label_lat is not None:
        return Place(community.label_lon, community.label_lat, "community")
    return Place(None, None, "")


def need_candidates(
    need: Need, *, limit: int = TOP, on: dt.date | None = None, place: Place | None = None
) -> list[Candidate]:
    exclude: list[int] = []
    if need.person_id is not None:
        exclude = list(Volunteer.objects.filter(person_id=need.person_id).values_list("pk", flat=True))
    communities = [need.community_id]
    return top_candidates(
        category_code=need.category.code,
        building=None,
        place=(place or need_place(need)).point,
        community_ids=communities,
        on=on or timezone.localdate(),
        limit=limit,
        exclude_volunteer_ids=exclude,
        open_load=open_claims(eligible_volunteers(communities)),
    )

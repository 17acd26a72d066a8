"""Ranking from the database (world: wang ELD01/FIX02 and li ELD02/CUL01 live in grid1's building; wu and
zhao in 马群, 5.9 km away; sun's 尧化门 registration is pending) and a campaign's batch assignment."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django import DjangoAssertNumQueries

from gongzhi.services.matching.ranking import NeedSpec, batch_assign, top_candidates
from gongzhi.volunteers.models import ServiceKind, Volunteer
from gongzhi.volunteers.records import do_record_service
from tests.serviceloop.world import World

MONDAY = dt.date(2026, 11, 16)


def ranked(world: World, code: str, **kwargs: object) -> list[tuple[str, int]]:
    options: dict[str, object] = {
        "category_code": code,
        "building": world.people.places["grid1"].building,
        "community_ids": [world.community.pk],
        "on": MONDAY,
        **kwargs,
    }
    keys = {v.pk: key for key, v in world.volunteers.items()}
    return [(keys[c.volunteer.pk], c.score) for c in top_candidates(**options)]  # type: ignore[arg-type]


def serve(world: World, key: str, days_ago: int, source_id: int) -> None:
    do_record_service(
        actor=None,
        kind=ServiceKind.OTHER,
        source_id=source_id,
        community=world.community,
        served_on=MONDAY - dt.timedelta(days=days_ago),
        summary="助老探访",
        volunteer=world.volunteers[key],
    )


def test_an_exact_skill_next_door_ranks_first_and_the_parts_explain_it(world: World) -> None:
    candidates = top_candidates(
        category_code="FIX02",
        building=world.people.places["grid1"].building,
        community_ids=[world.community.pk],
        on=MONDAY,
    )

    assert [c.volunteer.pk for c in candidates] == [world.volunteers["wang"].pk, world.volunteers["zhao"].pk]
    wang, zhao = candidates
    assert (wang.score, wang.exact_skill, wang.km, wang.available, wang.recent_load) == (1000, True, 0.0, True, 0)
    assert zhao.exact_skill and zhao.km is not None and 5.5 < zhao.km < 6.5
    assert (zhao.parts.distance_points, zhao.score) == (0, 700)


def test_a_neighbour_with_a_skill_of_the_same_class_beats_a_distant_exact_match(world: World) -> None:
    # FIX01: zhao has it (5.9 km away, 700); wang next door has FIX02 of the same class (800). li has no FIX.
    assert ranked(world, "FIX01") == [("wang", 800), ("zhao", 700)]


def test_pending_registrations_do_not_make_a_volunteer_eligible(world: World) -> None:
    # sun (MED01) lives in 西善桥 and only asked to serve in 尧化门: not approved yet.
    assert ranked(world, "MED01") == []
    xishan = world.volunteers["sun"].community
    in_xishan = top_candidates(category_code="MED01", building=None, community_ids=[xishan.pk], on=MONDAY)
    assert [c.volunteer.pk for c in in_xishan] == [world.volunteers["sun"].pk]
    assert in_xishan[0].km is None and in_xishan[0].parts.distance_points == 0


def test_approved_registrations_and_home_communities_decide_who_is_eligible(world: World) -> None:
    maqun = world.volunteers["zhao"].community
    # zhao's home is 马群; wang serves only in 尧化门.
    only_maqun = top_candidates(category_code="FIX01", building=None, community_ids=[maqun.pk], on=MONDAY)
    assert [c.volunteer.pk for c in only_maqun] == [world.volunteers["zhao"].pk]
    # wu lives in 马群 but serves 尧化门 by an approved registration.
    assert [key for key, _ in ranked(world, "LAW01")] == ["wu"]


def test_recent_load_lowers_the_rank_so_the_same_people_are_not_always_asked(world: World) -> None:
    Volunteer.objects.filter(pk=world.volunteers["li"].pk).update(skills=["ELD01"])
    assert ranked(world, "ELD01") == [("wang", 1000), ("li", 1000)]  # a tie: the lower id first

    serve(world, "wang", days_ago=3, source_id=1)
    serve(world, "wang", days_ago=29, source_id=2)
    serve(world, "wang", days_ago=30, source_id=3)  # outside the 30-day window
    serve(world, "li", days_ago=40, source_id=4)

    assert ranked(world, "ELD01") == [("li", 1000), ("wang", 900)]
    both = top_candidates(category_code="ELD01", building=None, community_ids=[world.community.pk], on=MONDAY)
    wang = both[1]
    assert (wang.recent_services, wang.recent_load, wang.parts.load_points) == (2, 2, 50)


def test_open_assignments_unavailability_exclusions_and_inactive_volunteers(world: World) -> None:
    Volunteer.objects.filter(pk=world.volunteers["li"].pk).update(skills=["ELD01"])
    wang_id = world.volunteers["wang"].pk

    assert ranked(world, "ELD01", open_load={wang_id: 1}) == [("li", 1000), ("wang", 925)]
    assert ranked(world, "ELD01", exclude_volunteer_ids=[wang_id]) == [("li", 1000)]
    assert ranked(world, "ELD01", limit=1) == [("wang", 1000)]

    Volunteer.objects.filter(pk=wang_id).update(available_days=0b1111110)  # not on Mondays
    assert ranked(world, "ELD01") == [("li", 1000), ("wang", 850)]

    Volunteer.objects.filter(pk=wang_id).update(is_active=False)
    assert ranked(world, "ELD01") == [("li", 1000)]


def test_ranking_takes_the_same_few_queries_however_many_volunteers(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        ranked(world, "FIX02")


def test_a_campaign_is_assigned_optimally_under_capacities(world: World) -> None:
    building = world.people.places["grid1"].building
    needs = [
        NeedSpec(101, "FIX02", building.lon, building.lat, MONDAY),  # wang 1000, zhao 700
        NeedSpec(102, "ELD01", building.lon, building.lat, MONDAY),  # wang 1000, li 800
        NeedSpec(103, "FIX01", building.lon, building.lat, MONDAY),  # wang 800, zhao 700
        NeedSpec(104, "MED01", building.lon, building.lat, MONDAY),  # nobody eligible
    ]
    ids = {key: v.pk for key, v in world.volunteers.items()}
    capacities = {ids["wang"]: 1, ids["li"]: 1, ids["zhao"]: 1}

    result = batch_assign(needs, community_ids=[world.community.pk], on=MONDAY, capacities=capacities)

    assert sorted(result.pairs) == [(101, ids["wang"], 1000), (102, ids["li"], 800), (103, ids["zhao"], 700)]
    assert result.unassigned == [104] and result.total == 2500


@pytest.mark.parametrize(("served", "expected"), [(0, 3), (3, 1)])
def test_by_default_a_volunteer_takes_what_is_left_of_their_monthly_capacity(
    world: World, served: int, expected: int
) -> None:
    Volunteer.objects.filter(pk=world.volunteers["wang"].pk).update(monthly_capacity=4)
    for i in range(served):
        serve(world, "wang", days_ago=i + 1, source_id=10 + i)
    building = world.people.places["grid1"].building
    needs = [NeedSpec(i, "FIX02", building.lon, building.lat, MONDAY) for i in range(3)]

    result = batch_assign(needs, community_ids=[world.community.pk], on=MONDAY, radius_km=1.0)

    assert sum(1 for _need, vol, _s in result.pairs if vol == world.volunteers["wang"].pk) == expected

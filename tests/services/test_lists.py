"""资源清单 and 需求清单: who may offer and raise, in which scope; refusals change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.services.access import needs_for, resources_for
from gongzhi.services.actions import lists
from gongzhi.services.models import Need, NeedSource, NeedStatus, Resource
from tests.serviceloop.world import World
from tests.services.builders import make_order

pytestmark = pytest.mark.django_db


def _offer(world: World, user: str, **kw: object) -> Resource:
    args: dict[str, object] = {
        "region": world.community,
        "category_code": "FIX02",
        "title": "水电维修",
        "unit": world.unit,
    }
    args.update(kw)
    return lists.do_create_resource(actor=world.user(user), **args)  # type: ignore[arg-type]


def test_community_staff_offer_and_change_a_resource(world: World) -> None:
    resource = _offer(world, "community", capacity=4, capacity_unit="次/月", days=0b0011111, place="物业服务中心")
    assert resource.region_code == world.community.code and resource.unit == world.unit
    assert resource.available_on(0) and not resource.available_on(6)
    changed = lists.do_update_resource(
        actor=world.user("community"), resource_id=resource.pk, data={"capacity": 8, "is_active": False}
    )
    assert changed.capacity == 8 and not changed.is_active


def test_a_liaison_offers_for_their_unit_only_where_it_is_registered(world: World) -> None:
    resource = _offer(world, "li")
    assert resource.unit == world.unit
    assert list(resources_for(world.user("li"))) == [resource]
    # not in 新尧社区, where the unit has no registration
    with pytest.raises((PermissionDenied, NotFound)):
        _offer(world, "li", region=world.people.tree.community2)
    # not for another unit or for a volunteer
    with pytest.raises((PermissionDenied, NotFound)):
        _offer(world, "li", unit=world.people.places["grid2"].unit)
    with pytest.raises((PermissionDenied, NotFound)):
        _offer(world, "li", unit=None, volunteer=world.volunteers["wang"])
    assert Resource.objects.count() == 1


def test_resource_refusals_change_nothing(world: World) -> None:
    # the district leader sees services but may not run the lists → 403
    with pytest.raises(PermissionDenied):
        _offer(world, "leader")
    # another street's staff → not found
    with pytest.raises(NotFound):
        _offer(world, "community", region=world.people.places["street2"].community)
    # exactly one provider
    with pytest.raises(DomainError) as info:
        _offer(world, "community", team=None, volunteer=world.volunteers["wang"])
    assert info.value.items[0].code == "one_provider"
    assert Resource.objects.count() == 0
    resource = _offer(world, "community")
    for user, error in (("leader", PermissionDenied), ("wang", NotFound), ("sysadmin", NotFound)):
        with pytest.raises(error):
            lists.do_update_resource(actor=world.user(user), resource_id=resource.pk, data={"title": "x"})
    assert Resource.objects.get(pk=resource.pk).title == "水电维修"


def test_a_street_wide_resource_is_seen_by_the_streets_communities(world: World) -> None:
    resource = _offer(world, "street", region=world.street)
    assert resource in resources_for(world.user("community"))
    assert resource not in resources_for(world.user("wang"))


def test_a_need_keeps_the_resident_masked(world: World) -> None:
    resident = world.resident()
    need = lists.do_create_need(
        actor=world.user("grid"), community_region=world.community, category_code="ELD01", title="助老", person=resident
    )
    assert need.source == NeedSource.RESIDENT and need.region_code == resident.region_code
    assert need.resident_masked != resident.name and need.resident_masked[0] == resident.name[0]
    named = lists.do_create_need(
        actor=world.user("community"),
        community_region=world.community,
        category_code="ELD01",
        title="助老",
        resident_name="欧阳娜娜",
    )
    assert named.resident_masked == "欧**娜"
    assert "欧阳娜娜" not in str(Need.objects.filter(pk=named.pk).values().get())


def test_need_scope_and_status_moves(world: World) -> None:
    need = lists.do_create_need(
        actor=world.user("community"), community_region=world.community, category_code="LAW01", title="法律咨询"
    )
    assert need in needs_for(world.user("street")) and need not in needs_for(world.user("li"))
    with pytest.raises(NotFound):
        lists.do_set_need_status(actor=world.user("li"), need_id=need.pk, status=NeedStatus.CLOSED, note="重复")
    with pytest.raises(PermissionDenied):
        lists.do_set_need_status(actor=world.user("leader"), need_id=need.pk, status=NeedStatus.CLOSED, note="重复")
    # matched needs a link; closing needs a reason
    with pytest.raises(DomainError):
        lists.do_set_need_status(actor=world.user("community"), need_id=need.pk, status=NeedStatus.MATCHED)
    with pytest.raises(DomainError):
        lists.do_set_need_status(actor=world.user("community"), need_id=need.pk, status=NeedStatus.CLOSED)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.OPEN
    order = make_order(world)
    matched = lists.do_set_need_status(
        actor=world.user("community"), need_id=need.pk, status=NeedStatus.MATCHED, order_id=order.pk
    )
    assert matched.status == NeedStatus.MATCHED and matched.order == order
    met = lists.do_set_need_status(actor=world.user("community"), need_id=need.pk, status=NeedStatus.MET)
    assert met.status == NeedStatus.MET
    with pytest.raises(DomainError):
        lists.do_set_need_status(actor=world.user("community"), need_id=need.pk, status=NeedStatus.OPEN)


def test_a_need_for_a_resident_of_another_community_is_refused(world: World) -> None:
    other = world.people.places["grid2"].residents[0]  # grid2 is in 尧化门 too: allowed
    lists.do_create_need(
        actor=world.user("community"), community_region=world.community, category_code="ELD01", title="a", person=other
    )
    outsider = world.people.places["street2"].residents[0]
    with pytest.raises(DomainError):
        lists.do_create_need(
            actor=world.user("community"),
            community_region=world.community,
            category_code="ELD01",
            title="b",
            person=outsider,
        )
    assert Need.objects.count() == 1

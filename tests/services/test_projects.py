"""项目清单 and 项目认领: slots, one active claim per unit, delivery and confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.services.access import projects_for
from gongzhi.services.actions import projects as p
from gongzhi.services.models import ClaimStatus, Project, ProjectClaim, ProjectStatus
from gongzhi.volunteers.models import ServiceKind, ServiceRecord
from tests.races import race
from tests.serviceloop.world import World
from tests.services.builders import make_project

pytestmark = pytest.mark.django_db


def _unit(world: World) -> Unit:
    assert world.unit is not None
    return world.unit


def _register(world: World, place: str, liaison: str) -> None:
    """Another unit registered with 尧化门社区 whose liaison is `liaison`."""
    UnitRegistration.objects.create(
        unit=world.people.places[place].unit,
        community=world.community,
        region_code=world.community.code,
        status=RegistrationStatus.APPROVED,
        liaison=world.volunteers[liaison],
    )


def test_staff_create_update_publish_and_scope(world: World) -> None:
    project = make_project(world, publish=False)
    assert project.status == ProjectStatus.DRAFT
    assert project not in projects_for(world.user("li"))  # drafts stay with the community
    p.do_update_project(actor=world.user("community"), project_id=project.pk, data={"slots": 3, "budget": "8000"})
    published = p.do_set_project_status(
        actor=world.user("community"), project_id=project.pk, status=ProjectStatus.PUBLISHED
    )
    assert published.slots == 3 and str(published.budget) == "8000.00"
    assert project in projects_for(world.user("li"))
    # refusals: out of scope, no capability, bad period — nothing changes
    with pytest.raises(NotFound):
        p.do_update_project(actor=world.user("wang"), project_id=project.pk, data={"slots": 9})
    with pytest.raises(PermissionDenied):
        p.do_update_project(actor=world.user("leader"), project_id=project.pk, data={"slots": 9})
    with pytest.raises(DomainError):
        p.do_update_project(
            actor=world.user("community"), project_id=project.pk, data={"ends_on": project.starts_on - dt.timedelta(1)}
        )
    assert Project.objects.get(pk=project.pk).slots == 3
    with pytest.raises(NotFound):
        p.do_create_project(
            actor=world.user("community"),
            community_region=world.people.places["street2"].community,
            title="x",
            goal="y",
            starts_on=dt.date(2030, 1, 1),
            ends_on=dt.date(2030, 2, 1),
        )


def test_claim_deliver_confirm_records_the_units_service_once(world: World) -> None:
    project = make_project(world, slots=1)
    claim = p.do_claim_project(actor=world.user("li"), project_id=project.pk, unit=_unit(world), plan="出三名电工")
    # the community confirms only what was delivered
    with pytest.raises(Conflict):
        p.do_confirm_project_delivery(actor=world.user("community"), claim_id=claim.pk)
    with pytest.raises(DomainError):
        p.do_deliver_project(actor=world.user("li"), claim_id=claim.pk, evidence=" ")
    with pytest.raises(PermissionDenied):
        p.do_deliver_project(actor=world.user("community"), claim_id=claim.pk, evidence="x")
    delivered = p.do_deliver_project(actor=world.user("li"), claim_id=claim.pk, evidence="三个楼道换了灯")
    assert delivered.status == ClaimStatus.DELIVERED
    with pytest.raises(PermissionDenied):
        p.do_confirm_project_delivery(actor=world.user("leader"), claim_id=claim.pk)
    confirmed = p.do_confirm_project_delivery(actor=world.user("community"), claim_id=claim.pk, hours="6")
    assert confirmed.status == ClaimStatus.CONFIRMED
    record = ServiceRecord.objects.get(kind=ServiceKind.PROJECT, source_id=claim.pk)
    assert record.unit == world.unit and record.community == world.community and str(record.hours) == "6.00"
    with pytest.raises(Conflict):
        p.do_confirm_project_delivery(actor=world.user("community"), claim_id=claim.pk)
    assert ServiceRecord.objects.filter(kind=ServiceKind.PROJECT).count() == 1
    done = p.do_set_project_status(actor=world.user("community"), project_id=project.pk, status=ProjectStatus.DONE)
    assert done.status == ProjectStatus.DONE


def test_slots_are_never_exceeded_and_one_active_claim_per_unit(world: World) -> None:
    project = make_project(world, slots=1)
    _register(world, "grid2", "wang")
    p.do_claim_project(actor=world.user("li"), project_id=project.pk, unit=_unit(world))
    with pytest.raises(DomainError) as again:
        p.do_claim_project(actor=world.user("li"), project_id=project.pk, unit=_unit(world))
    assert again.value.items[0].code == "already_claimed"
    with pytest.raises(Conflict) as full:
        p.do_claim_project(actor=world.user("wang"), project_id=project.pk, unit=world.people.places["grid2"].unit)
    assert full.value.items[0].code == "full"
    assert ProjectClaim.objects.filter(project=project).count() == 1
    # a withdrawn claim frees its slot
    claim = ProjectClaim.objects.get(project=project)
    with pytest.raises(DomainError):
        p.do_withdraw_project_claim(actor=world.user("li"), claim_id=claim.pk, reason_text="")
    p.do_withdraw_project_claim(actor=world.user("li"), claim_id=claim.pk, reason_text="人手调整")
    second = p.do_claim_project(actor=world.user("wang"), project_id=project.pk, unit=world.people.places["grid2"].unit)
    assert second.status == ClaimStatus.CLAIMED


def test_claims_are_refused_to_strangers_and_unregistered_units(world: World) -> None:
    project = make_project(world)
    # staff hold no unit; wang is no liaison; a unit not registered here
    with pytest.raises(PermissionDenied):
        p.do_claim_project(actor=world.user("community"), project_id=project.pk, unit=_unit(world))
    with pytest.raises(NotFound):
        p.do_claim_project(actor=world.user("wang"), project_id=project.pk, unit=_unit(world))
    other = make_project(world, title="新尧项目")
    Project.objects.filter(pk=other.pk).update(community=world.people.tree.community2, region_code="320113001002")
    with pytest.raises(NotFound):
        p.do_claim_project(actor=world.user("li"), project_id=other.pk, unit=_unit(world))
    # a draft or closed project takes no claims
    p.do_set_project_status(actor=world.user("community"), project_id=project.pk, status=ProjectStatus.CLOSED)
    with pytest.raises(Conflict):
        p.do_claim_project(actor=world.user("li"), project_id=project.pk, unit=_unit(world))
    assert ProjectClaim.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_exceed_the_slots(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")
    # given a project with one slot and two units whose liaisons claim at the same moment
    project = make_project(world, slots=1)
    _register(world, "grid2", "wang")
    li, wang = world.user("li"), world.user("wang")
    other = world.people.places["grid2"].unit
    assert world.unit is not None
    unit = world.unit
    wins, errors = race(
        [
            lambda: p.do_claim_project(actor=li, project_id=project.pk, unit=unit),
            lambda: p.do_claim_project(actor=wang, project_id=project.pk, unit=other),
        ]
    )
    assert wins == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert ProjectClaim.objects.filter(project=project).count() == 1

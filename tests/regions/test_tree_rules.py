"""The jurisdiction tree's rules: codes, containment, overlaps — each refusal changes nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from shapely.geometry import box

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent
from gongzhi.regions.actions import do_create_region, do_update_region
from gongzhi.regions.locate import current_revision
from gongzhi.regions.models import Region
from tests.conftest import SmallTree

pytestmark = pytest.mark.django_db


def _refused(expected: str, **kwargs: object) -> None:
    regions_before = Region.objects.count()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info:
        do_create_region(actor=None, **kwargs)  # type: ignore[arg-type]
    assert info.value.items[0].code == expected
    assert Region.objects.count() == regions_before
    assert AuditEvent.objects.count() == audit_before


def test_wrong_length_is_refused(small_tree: SmallTree) -> None:
    _refused(
        "code_length", level="community", code="32011300100", name="短码社区", parent=small_tree.street
    )


def test_non_digit_code_is_refused(small_tree: SmallTree) -> None:
    _refused("code_not_digits", level="community", code="32011300100A", name="字母社区", parent=small_tree.street)


def test_full_width_digits_are_refused(small_tree: SmallTree) -> None:
    full_width = "３２０１１３００１００３"
    _refused("code_not_digits", level="community", code=full_width, name="全角社区", parent=small_tree.street)


def test_wrong_parent_prefix_is_refused(small_tree: SmallTree) -> None:
    _refused("code_prefix", level="community", code="320113002003", name="错前缀社区", parent=small_tree.street)


def test_wrong_parent_level_is_refused(small_tree: SmallTree) -> None:
    _refused("parent_level", level="grid", code="320113001003001", name="跳级网格", parent=small_tree.street,
             grid_kind="comprehensive")


def test_duplicate_code_is_refused(small_tree: SmallTree) -> None:
    _refused("code_duplicate", level="community", code="320113001001", name="重复社区", parent=small_tree.street)


def test_duplicate_name_under_one_parent_is_refused(small_tree: SmallTree) -> None:
    _refused("name_duplicate", level="community", code="320113001009", name="尧化门社区", parent=small_tree.street)


def test_grid_needs_a_kind(small_tree: SmallTree) -> None:
    _refused("grid_kind_required", level="grid", code="320113001001003", name="无类网格", parent=small_tree.community)


def test_child_outside_parent_is_refused(small_tree: SmallTree) -> None:
    # 马群街道 is the east half; this community pokes 0.01° (≈ 1 km) west into 尧化街道.
    _refused(
        "outside_parent",
        level="community",
        code="320113002001",
        name="越界社区",
        parent=small_tree.street2,
        geometry=box(118.84, 32.1, 118.9, 32.16),
    )


def test_child_outside_parent_within_tolerance_is_accepted(small_tree: SmallTree) -> None:
    # 0.2 m beyond the boundary is digitising noise, not a rule break.
    region = do_create_region(
        actor=None,
        level="community",
        code="320113002001",
        name="容差社区",
        parent=small_tree.street2,
        geometry=box(118.85 - 0.000002, 32.1, 118.9, 32.16),
    )
    assert region.pk is not None


def test_overlapping_siblings_are_refused(small_tree: SmallTree) -> None:
    # Shrink 第二网格's neighbour area: a new grid overlapping 第一网格 by 100 m.
    _refused(
        "overlaps_sibling",
        level="grid",
        code="320113001001003",
        name="重叠网格",
        parent=small_tree.community,
        geometry=box(118.824, 32.13, 118.826, 32.14),
        grid_kind="comprehensive",
    )


def test_touching_siblings_are_accepted(small_tree: SmallTree) -> None:
    street = do_create_region(
        actor=None,
        level="community",
        code="320113002001",
        name="西马群社区",
        parent=small_tree.street2,
        geometry=box(118.85, 32.1, 118.875, 32.16),
    )
    neighbour = do_create_region(
        actor=None,
        level="community",
        code="320113002002",
        name="东马群社区",
        parent=small_tree.street2,
        geometry=box(118.875, 32.1, 118.9, 32.16),
    )
    assert street.pk and neighbour.pk


def test_invalid_polygon_is_refused(small_tree: SmallTree) -> None:
    from shapely.geometry import Polygon

    bow_tie = Polygon([(118.86, 32.11), (118.87, 32.12), (118.87, 32.11), (118.86, 32.12)])
    _refused(
        "geometry_invalid", level="community", code="320113002001", name="蝴蝶社区", parent=small_tree.street2,
        geometry=bow_tie,
    )


def test_shrinking_a_parent_away_from_its_child_is_refused(small_tree: SmallTree) -> None:
    before = Region.objects.get(pk=small_tree.community.pk).geometry
    with pytest.raises(DomainError) as info:
        do_update_region(actor=None, region=small_tree.community, geometry=box(118.8, 32.13, 118.83, 32.16))
    assert info.value.items[0].code == "child_outside"
    assert Region.objects.get(pk=small_tree.community.pk).geometry == before


def test_database_rejects_a_wrong_length_code_even_past_the_actions(small_tree: SmallTree) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(level="grid", code="3201130010010", name="绕过", parent=small_tree.community,
                              grid_kind="comprehensive")


def test_create_writes_an_audit_row_and_grid_changes_bump_the_revision(small_tree: SmallTree) -> None:
    revision = current_revision()
    grid = do_create_region(
        actor=None,
        level="grid",
        code="320113002001001",
        name="测试网格",
        parent=do_create_region(
            actor=None, level="community", code="320113002001", name="测试社区", parent=small_tree.street2,
            geometry=box(118.85, 32.1, 118.9, 32.16),
        ),
        geometry=box(118.85, 32.1, 118.9, 32.16),
        grid_kind="comprehensive",
    )
    event = AuditEvent.objects.filter(object_id=str(grid.pk), action="region.create").get()
    assert event.changes["code"] == "320113002001001"
    assert current_revision() == revision + 1


def test_rename_is_audited_with_before_and_after(small_tree: SmallTree) -> None:
    do_update_region(actor=None, region=small_tree.grid1, name="一号网格")
    event = AuditEvent.objects.filter(action="region.update", object_id=str(small_tree.grid1.pk)).get()
    assert event.changes == {"name": ["第一网格", "一号网格"]}


def test_audit_rows_cannot_be_changed_through_the_orm(small_tree: SmallTree) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()

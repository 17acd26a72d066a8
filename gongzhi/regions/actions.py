"""All writes to the jurisdiction tree and the standard address."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser
from gongzhi.core.errors import DomainError
from gongzhi.regions import rules
from gongzhi.regions.geometry import Polygonal, bbox_fields, from_geojson, to_geojson
from gongzhi.regions.locate import bump_revision, locate
from gongzhi.regions.models import Building, BuildingUnit, Compound, GridKind, Level, Region, Room


def _sibling_geometries(parent: Region | None, level: str, exclude_pk: int | None) -> list[tuple[str, Polygonal]]:
    qs = Region.objects.filter(parent=parent, level=level).exclude(geometry__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    out: list[tuple[str, Polygonal]] = []
    for name, data in qs.values_list("name", "geometry"):
        geom = from_geojson(data)
        if geom is not None:
            out.append((name, geom))
    return out


def _check_geometry(region_pk: int | None, level: str, parent: Region | None, geom: Polygonal) -> None:
    rules.check_geometry_valid(geom)
    rules.check_within_parent(geom, from_geojson(parent.geometry) if parent is not None else None)
    rules.check_no_sibling_overlap(geom, _sibling_geometries(parent, level, region_pk))
    if region_pk is not None:
        for child in Region.objects.filter(parent_id=region_pk).exclude(geometry__isnull=True):
            child_geom = from_geojson(child.geometry)
            if child_geom is None:
                continue
            try:
                rules.check_within_parent(child_geom, geom)
            except DomainError as exc:
                raise DomainError.single(
                    "geometry",
                    "child_outside",
                    _("%(child)s would fall outside the new boundary.") % {"child": child.name},
                ) from exc


def _check_grid_kind(level: str, grid_kind: str) -> None:
    if level == Level.GRID and grid_kind not in GridKind.values:
        raise DomainError.single("grid_kind", "grid_kind_required", _("Choose the grid kind."))
    if level != Level.GRID and grid_kind:
        raise DomainError.single("grid_kind", "grid_kind_not_allowed", _("Only grids have a grid kind."))


@transaction.atomic
def do_create_region(
    *,
    actor: AnyUser | None,
    level: str,
    code: str,
    name: str,
    parent: Region | None,
    geometry: Polygonal | None = None,
    grid_kind: str = "",
    dedicated_type: str = "",
) -> Region:
    code = code.strip()
    name = name.strip()
    if parent is not None:
        # Lock the parent so two offices adding children cannot both pass the overlap check.
        parent = Region.objects.select_for_update().get(pk=parent.pk)
    rules.check_code(
        level=level,
        code=code,
        parent_level=parent.level if parent else None,
        parent_code=parent.code if parent else None,
    )
    rules.check_code_unique(code)
    if not name:
        raise DomainError.single("name", "required", _("Enter a name."))
    if Region.objects.filter(parent=parent, name=name).exists():
        raise DomainError.single("name", "name_duplicate", _("%(name)s already exists here.") % {"name": name})
    _check_grid_kind(level, grid_kind)
    fields: dict[str, Any] = {}
    if geometry is not None:
        _check_geometry(None, level, parent, geometry)
        fields = {"geometry": to_geojson(geometry), **bbox_fields(geometry)}
    try:
        region = Region.objects.create(
            level=level,
            code=code,
            name=name,
            parent=parent,
            grid_kind=grid_kind,
            dedicated_type=dedicated_type if level == Level.GRID else "",
            **fields,
        )
    except IntegrityError as exc:  # a concurrent insert won the race for the code
        message = _("Code %(code)s is already in use.") % {"code": code}
        raise DomainError.single("code", "code_duplicate", message) from exc
    audit.record(
        actor=actor,
        action="region.create",
        obj=region,
        changes={"level": level, "code": code, "name": name, "parent": parent.code if parent else None},
    )
    if level == Level.GRID and geometry is not None:
        bump_revision()
    return region


@transaction.atomic
def do_update_region(
    *,
    actor: AnyUser | None,
    region: Region,
    name: str | None = None,
    geometry: Polygonal | None = None,
    dedicated_type: str | None = None,
) -> Region:
    # Lock only the region's own row: PostgreSQL cannot lock the nullable side of the parent join.
    region = Region.objects.select_for_update(of=("self",)).select_related("parent").get(pk=region.pk)
    before = {"name": region.name, "dedicated_type": region.dedicated_type, "geometry": region.geometry}
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError.single("name", "required", _("Enter a name."))
        if Region.objects.filter(parent=region.parent, name=name).exclude(pk=region.pk).exists():
            raise DomainError.single("name", "name_duplicate", _("%(name)s already exists here.") % {"name": name})
        region.name = name
    if dedicated_type is not None and region.level == Level.GRID:
        region.dedicated_type = dedicated_type
    if geometry is not None:
        _check_geometry(region.pk, region.level, region.parent, geometry)
        region.geometry = to_geojson(geometry)
        for key, value in bbox_fields(geometry).items():
            setattr(region, key, value)
    region.save()
    after = {"name": region.name, "dedicated_type": region.dedicated_type, "geometry": region.geometry}
    changes = audit.diff(before, after)
    if "geometry" in changes:
        changes["geometry"] = ["…", "…"]  # polygons are large; the fact of the change is what matters
    audit.record(actor=actor, action="region.update", obj=region, changes=changes)
    if region.level == Level.GRID and geometry is not None:
        bump_revision()
    return region


@transaction.atomic
def do_create_building(
    *,
    actor: AnyUser | None,
    community: Region,
    name: str,
    lon: float,
    lat: float,
    floors: int,
    units: int,
    rooms_per_floor: int,
    compound: Compound | None = None,
    crs: str = "wgs84",
) -> Building:
    """Places the building in the grid its point falls in, and lays out its units and rooms."""
    located = locate(lon, lat, crs)
    if located is None or not located.grid.code.startswith(community.code):
        raise DomainError.single(
            "location", "outside_community", _("The point is not inside any grid of %(c)s.") % {"c": community.name}
        )
    if not 1 <= floors <= 120 or not 1 <= units <= 20 or not 1 <= rooms_per_floor <= 30:
        raise DomainError.single("floors", "out_of_range", _("Floors, units or rooms per floor are out of range."))
    grid = Region.objects.get(code=located.grid.code)
    last = Building.objects.filter(code__startswith=grid.code).order_by("-code").values_list("code", flat=True).first()
    sequence = int(last[-4:]) + 1 if last else 1
    if Building.objects.filter(community=community, compound=compound, name=name).exists():
        raise DomainError.single("name", "name_duplicate", _("%(name)s already exists here.") % {"name": name})
    building = Building.objects.create(
        code=f"{grid.code}{sequence:04d}",
        name=name,
        compound=compound,
        community=community,
        grid=grid,
        lon=round(located.lon, 7),
        lat=round(located.lat, 7),
        floors=floors,
    )
    for unit_no in range(1, units + 1):
        unit = BuildingUnit.objects.create(building=building, number=unit_no)
        Room.objects.bulk_create(
            Room(unit=unit, floor=f, number=f"{f}{r:02d}")
            for f in range(1, floors + 1)
            for r in range(1, rooms_per_floor + 1)
        )
    audit.record(
        actor=actor,
        action="building.create",
        obj=building,
        changes={"code": building.code, "grid": grid.code, "lon": building.lon, "lat": building.lat},
    )
    return building

"""Writes a generated CityPlan into the database, after checking it against the tree rules."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import transaction

from gongzhi.core import audit
from gongzhi.core.access import AnyUser
from gongzhi.core.errors import DomainError, ErrorItem
from gongzhi.core.models import Membership
from gongzhi.demo.people import clear_people
from gongzhi.demo.plan import CityPlan, RegionPlan
from gongzhi.regions import rules
from gongzhi.regions.geometry import bbox_fields, to_geojson
from gongzhi.regions.locate import bump_revision
from gongzhi.regions.models import Building, BuildingUnit, Compound, Region, Room

BATCH = 2000
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SeedCounts:
    districts: int
    streets: int
    communities: int
    grids: int
    buildings: int
    rooms: int


def check_plan(plan: CityPlan) -> None:
    """The same rules as one-by-one edits, applied to the whole plan at once."""
    errors: list[ErrorItem] = []
    by_code = {r.code: r for r in plan.regions}
    if len(by_code) != len(plan.regions):
        errors.append(ErrorItem("code", "code_duplicate", "duplicate codes in the plan"))
    children: dict[str | None, list[RegionPlan]] = defaultdict(list)
    for region in plan.regions:
        parent = by_code.get(region.parent_code) if region.parent_code else None
        try:
            rules.check_code(
                level=region.level,
                code=region.code,
                parent_level=parent.level if parent else None,
                parent_code=parent.code if parent else None,
            )
            rules.check_geometry_valid(region.geometry)
            rules.check_within_parent(region.geometry, parent.geometry if parent else None)
        except DomainError as exc:
            errors.extend(ErrorItem(f"{region.code}.{i.field}", i.code, i.message) for i in exc.items)
        children[region.parent_code].append(region)
    for siblings in children.values():
        geoms = [s.geometry for s in siblings]
        for a, b in rules.overlapping_pairs(geoms, geoms[0].centroid.y):
            errors.append(
                ErrorItem(siblings[a].code, "overlaps_sibling", f"{siblings[a].name} overlaps {siblings[b].name}")
            )
    if errors:
        raise DomainError(errors[:50])


def clear_all() -> None:
    """Empties the tree and addresses (for --replace); memberships pointing into it go too."""
    clear_people()  # people live in rooms and regions; they go first
    Room.objects.all().delete()
    BuildingUnit.objects.all().delete()
    Building.objects.all().delete()
    Compound.objects.all().delete()
    Membership.objects.filter(region__isnull=False).delete()
    for level in ("grid", "community", "street", "district", "city"):
        Region.objects.filter(level=level).delete()


def _region_rows(plan: CityPlan, progress: Progress) -> dict[str, Region]:
    saved: dict[str, Region] = {}
    for level in ("city", "district", "street", "community", "grid"):
        rows = [
            Region(
                level=r.level,
                code=r.code,
                name=r.name,
                parent=saved[r.parent_code] if r.parent_code else None,
                grid_kind=r.grid_kind,
                dedicated_type=r.dedicated_type,
                geometry=to_geojson(r.geometry),
                **bbox_fields(r.geometry),
            )
            for r in plan.regions
            if r.level == level
        ]
        for created in Region.objects.bulk_create(rows, batch_size=BATCH):
            saved[created.code] = created
        progress(f"{level}: {len(rows)}")
    return saved


def _address_rows(plan: CityPlan, regions: dict[str, Region], with_rooms: bool, progress: Progress) -> int:
    compounds = Compound.objects.bulk_create(
        (Compound(community=regions[c.community_code], name=c.name, lon=c.lon, lat=c.lat) for c in plan.compounds),
        batch_size=BATCH,
    )
    by_key = {(c.community_id, c.name): c for c in compounds}
    progress(f"compounds: {len(compounds)}")
    buildings = Building.objects.bulk_create(
        (
            Building(
                code=b.code,
                name=b.name,
                compound=by_key[(regions[b.community_code].pk, b.compound_name)] if b.compound_name else None,
                community=regions[b.community_code],
                grid=regions[b.grid_code],
                lon=b.lon,
                lat=b.lat,
                floors=b.floors,
            )
            for b in plan.buildings
        ),
        batch_size=BATCH,
    )
    progress(f"buildings: {len(buildings)}")
    if not with_rooms:
        return 0
    shape = {b.code: b for b in plan.buildings}
    units = BuildingUnit.objects.bulk_create(
        (BuildingUnit(building=b, number=n) for b in buildings for n in range(1, shape[b.code].units + 1)),
        batch_size=BATCH,
    )
    rooms = 0
    batch: list[Room] = []
    for unit in units:
        spec = shape[unit.building.code]
        for floor in range(1, spec.floors + 1):
            for r in range(1, spec.rooms_per_floor + 1):
                batch.append(Room(unit=unit, floor=floor, number=f"{floor}{r:02d}"))
        if len(batch) >= BATCH * 5:
            Room.objects.bulk_create(batch, batch_size=BATCH)
            rooms += len(batch)
            batch = []
    Room.objects.bulk_create(batch, batch_size=BATCH)
    rooms += len(batch)
    progress(f"rooms: {rooms}")
    return rooms


@transaction.atomic
def do_seed_city(
    *, actor: AnyUser | None, plan: CityPlan, with_rooms: bool, replace: bool, progress: Progress
) -> SeedCounts:
    """All or nothing: a plan that breaks a rule writes no row."""
    if Region.objects.exists():
        if not replace:
            raise DomainError.single("database", "not_empty", "the database already holds a tree; use --replace")
        clear_all()
    check_plan(plan)
    progress("plan checked against the tree rules")
    regions = _region_rows(plan, progress)
    rooms = _address_rows(plan, regions, with_rooms, progress)
    bump_revision()
    counts = SeedCounts(
        districts=sum(1 for r in plan.regions if r.level == "district"),
        streets=sum(1 for r in plan.regions if r.level == "street"),
        communities=sum(1 for r in plan.regions if r.level == "community"),
        grids=sum(1 for r in plan.regions if r.level == "grid"),
        buildings=len(plan.buildings),
        rooms=rooms,
    )
    audit.record(actor=actor, action="city.seed", object_repr=plan.regions[0].name, changes=asdict(counts))
    return counts


def geometry_sha256() -> str:
    """A digest of every region code and geometry and every building code and point, as stored."""
    digest = hashlib.sha256()
    for code, geometry in Region.objects.order_by("code").values_list("code", "geometry").iterator(chunk_size=2000):
        digest.update(code.encode())
        digest.update(json.dumps(geometry, sort_keys=True, separators=(",", ":")).encode())
    for code, lon, lat in Building.objects.order_by("code").values_list("code", "lon", "lat").iterator(chunk_size=5000):
        digest.update(f"{code}:{lon!r}:{lat!r}".encode())
    return digest.hexdigest()

"""The jurisdiction tree (市→区→街道→社区→网格) and the standard address (小区→楼栋→单元→户室)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

# Lets check constraints say `code__length=15`.
models.CharField.register_lookup(Length)


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


# Code length per level: GB/T 2260 for city/district, 12-digit statistical codes below,
# grids add a 3-digit sequence to their community's code.
CODE_LENGTH: dict[str, int] = {
    Level.CITY: 6,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
PARENT_LEVEL: dict[str, str | None] = {
    Level.CITY: None,
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}
CHILD_LEVEL: dict[str, str | None] = {v: k for k, v in PARENT_LEVEL.items() if v is not None}


class GridKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive grid")
    DEDICATED = "dedicated", _("Dedicated grid")


class DedicatedType(models.TextChoices):
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    PARK = "park", _("Park")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    MARKET = "market", _("Market")
    CAMPUS = "campus", _("University campus")
    STATION = "station", _("Transport hub")
    OTHER = "other", _("Other")


def scope_prefix(level: str, code: str) -> str:
    """The code prefix every descendant shares; a city's is its first four digits."""
    return code[:4] if level == Level.CITY else code


class Region(models.Model):
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    grid_kind = models.CharField(_("grid kind"), max_length=16, choices=GridKind.choices, blank=True)
    dedicated_type = models.CharField(
        _("dedicated to"), max_length=20, choices=DedicatedType.choices, blank=True
    )
    # GeoJSON geometry in WGS-84; the bbox columns let SQL find candidates without a spatial extension.
    geometry = models.JSONField(_("geometry"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    label_lon = models.FloatField(null=True, blank=True)
    label_lat = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ("code",)
        constraints = [
            models.UniqueConstraint(fields=("parent", "name"), name="regions_region_parent_name_uniq"),
            models.CheckConstraint(
                condition=(
                    models.Q(level__in=("city", "district"), code__length=6)
                    | models.Q(level="street", code__length=9)
                    | models.Q(level="community", code__length=12)
                    | models.Q(level="grid", code__length=15)
                ),
                name="regions_region_code_length",
            ),
            models.CheckConstraint(
                condition=models.Q(level="grid", grid_kind__in=("comprehensive", "dedicated"))
                | (~models.Q(level="grid") & models.Q(grid_kind="")),
                name="regions_region_grid_kind",
            ),
        ]
        indexes = [
            # Prefix scoping (code LIKE '320113004%') needs pattern ops on PostgreSQL.
            models.Index(fields=("code",), name="regions_region_code_like", opclasses=("varchar_pattern_ops",)),
            models.Index(fields=("level", "code"), name="regions_region_level_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return scope_prefix(self.level, self.code)

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    def ancestors(self) -> list[Region]:
        """Root first; one query per level, at most four."""
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class GeometryRevision(models.Model):
    """A counter bumped in the same transaction as any grid geometry change, so every process
    knows when to rebuild its in-memory lookup index."""

    revision = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("geometry revision")

    def __str__(self) -> str:
        return f"r{self.revision}"


class Compound(models.Model):
    """小区: a residential compound inside one community."""

    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ("community__code", "name")
        constraints = [
            models.UniqueConstraint(fields=("community", "name"), name="regions_compound_community_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """楼栋: a point, the grid it stands in, and its place in the standard address."""

    code = models.CharField(_("code"), max_length=19, unique=True)
    name = models.CharField(_("name"), max_length=50)
    compound = models.ForeignKey(
        Compound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("compound"),
    )
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="community_buildings", verbose_name=_("community")
    )
    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    floors = models.PositiveSmallIntegerField(_("floors"))

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ("code",)
        constraints = [
            models.UniqueConstraint(
                fields=("community", "compound", "name"), name="regions_building_compound_name_uniq"
            ),
            # NULL compounds are distinct in SQL, so loose village buildings need their own rule.
            models.UniqueConstraint(
                fields=("community", "name"),
                condition=models.Q(compound__isnull=True),
                name="regions_building_loose_name_uniq",
            ),
            models.CheckConstraint(condition=models.Q(code__length=19), name="regions_building_code_length"),
        ]
        indexes = [models.Index(fields=("code",), name="regions_bldg_code_like", opclasses=("varchar_pattern_ops",))]

    def __str__(self) -> str:
        return f"{self.compound.name}{self.name}" if self.compound_id and self.compound else self.name


class BuildingUnit(models.Model):
    """单元: a stairwell/entrance of a building."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units", verbose_name=_("building"))
    number = models.PositiveSmallIntegerField(_("unit number"))

    class Meta:
        verbose_name = _("building unit")
        verbose_name_plural = _("building units")
        ordering = ("building", "number")
        constraints = [models.UniqueConstraint(fields=("building", "number"), name="regions_unit_building_number_uniq")]

    def __str__(self) -> str:
        return f"{self.number}单元"


class Room(models.Model):
    """户室: the last segment of the standard address, where people live."""

    unit = models.ForeignKey(BuildingUnit, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("unit"))
    floor = models.SmallIntegerField(_("floor"))
    number = models.CharField(_("room number"), max_length=10)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ("unit", "floor", "number")
        constraints = [models.UniqueConstraint(fields=("unit", "number"), name="regions_room_unit_number_uniq")]

    def __str__(self) -> str:
        return f"{self.number}室"

"""The tree in the Django admin: for looking, not for editing.

Every change to a region or building has to pass the tree's rules, write its audit row and bump the
geometry revision (see `actions.py`); the admin's generic save would skip all three, so these
admins are view-only. Changes go through the pages, the API or the import commands.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.regions.models import Building, BuildingUnit, Compound, Region


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "grid_kind", "dedicated_type", "parent", "area_km2")
    list_filter = ("level", "grid_kind", "dedicated_type")
    # "^code": a code is a path, so a prefix finds a node and its whole subtree on the code index.
    search_fields = ("^code", "name")
    list_select_related = ("parent",)
    # The polygon is shown on the region page; as raw JSON it would only bury the other fields.
    exclude = ("geometry",)
    show_full_result_count = False


class CompoundBuildingInline(ReadOnlyInline):
    model = Building
    fields = ("code", "name", "grid", "floors")
    show_change_link = True


@admin.register(Compound)
class CompoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "community", "lon", "lat")
    search_fields = ("name", "^community__code", "community__name")
    list_select_related = ("community",)
    inlines = (CompoundBuildingInline,)


class UnitInline(ReadOnlyInline):
    model = BuildingUnit
    fields = ("number",)


@admin.register(Building)
class BuildingAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "compound", "community", "grid", "floors")
    search_fields = ("^code", "name", "compound__name")
    list_select_related = ("compound", "community", "grid")
    inlines = (UnitInline,)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Building]:
        return super().get_queryset(request).select_related("compound", "community", "grid")

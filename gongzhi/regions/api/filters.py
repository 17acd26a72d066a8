"""Query filters of the region and building lists.

They narrow a queryset the selectors have already scoped, so no filter can widen what a user sees.
Codes are checked for digits so that a typo answers 400 rather than a silently empty list.
"""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import Building, DedicatedType, GridKind, Level, Region

_code = RegexValidator(r"^\d{6,19}$", _("Enter a code of 6 to 19 digits."), code="invalid_code")
_prefix = RegexValidator(r"^\d{1,19}$", _("Enter the leading digits of a code."), code="invalid_code")


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label="Level.")
    parent = django_filters.CharFilter(
        field_name="parent__code", validators=[_code], label="Code of the parent region (direct children only)."
    )
    grid_kind = django_filters.ChoiceFilter(choices=GridKind.choices, label="Grid kind (grids only).")
    dedicated_type = django_filters.ChoiceFilter(
        choices=DedicatedType.choices, label="What a dedicated grid is dedicated to."
    )
    code__startswith = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", validators=[_prefix], label="Code prefix: the whole subtree."
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="Part of the name.")

    class Meta:
        model = Region
        fields = ("level", "parent", "grid_kind", "dedicated_type", "code__startswith", "q")


class BuildingFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code", validators=[_code], label="Grid code.")
    community = django_filters.CharFilter(field_name="community__code", validators=[_code], label="Community code.")
    compound = django_filters.CharFilter(
        field_name="compound__name", lookup_expr="contains", label="Part of the compound (小区) name."
    )
    code__startswith = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", validators=[_prefix], label="Building code prefix."
    )
    q = django_filters.CharFilter(method="filter_q", label="Part of the building or compound name.")

    class Meta:
        model = Building
        fields = ("grid", "community", "compound", "code__startswith", "q")

    def filter_q(self, queryset: QuerySet[Building], name: str, value: str) -> QuerySet[Building]:
        return queryset.filter(Q(name__contains=value) | Q(compound__name__contains=value))

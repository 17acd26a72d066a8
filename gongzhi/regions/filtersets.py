"""Filters for the region list; the queryset handed in is already scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.regions.models import DedicatedType, GridKind, Level, Region


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Code or name"),
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code prefix or part of a name")}),
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))
    grid_kind = django_filters.ChoiceFilter(label=_("Grid kind"), choices=GridKind.choices, empty_label=_("All kinds"))
    dedicated_type = django_filters.ChoiceFilter(
        label=_("Dedicated to"), choices=DedicatedType.choices, empty_label=_("Any")
    )

    class Meta:
        model = Region
        fields = ("q", "level", "grid_kind", "dedicated_type")

    def filter_q(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        # Codes are paths, so a digit string means "this node and everything under it".
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(Q(name__contains=value))

    @property
    def is_active(self) -> bool:
        """Whether the user asked for anything; the bare list page shows only their roots."""
        if not self.is_bound or not self.form.is_valid():
            return False
        return any(self.form.cleaned_data.get(f) for f in self.Meta.fields)

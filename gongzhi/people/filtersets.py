"""Filters of the people pages; every queryset handed in is already scoped by the selectors.

Only non-identifying values travel in these GET filters (codes, types, flags). Text search — names,
and above all ID numbers and phones — goes through the POSTed search form instead, so none of it
ends up in a URL, the browser history or an access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import (
    Department,
    HouseholdRelation,
    MemberKind,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    ResidenceType,
    Unit,
    UnitType,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=Model)

_code_prefix = RegexValidator(r"^\d{6,15}$", _("Enter a code of 6 to 15 digits."), code="invalid_code")

ACTIVE_CHOICES = (("1", _("Active")), ("0", _("Inactive")))
YES_NO = (("1", _("Yes")), ("0", _("No")))


def _code_filter(label: StrOrPromise) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label,
        field_name="region_code",
        lookup_expr="startswith",
        validators=[_code_prefix],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("Grid or community code")}),
    )


class PageFilterSet(django_filters.FilterSet):
    """A list page's filters (the regions list has the same property)."""

    @property
    def is_active(self) -> bool:
        """Whether the user asked for anything, valid or not: drives the 'Clear' link and the tree indent."""
        return self.is_bound and any(self.data.get(name) for name in self.form.fields)


def _flag(queryset: QuerySet[M], field: str, value: str) -> QuerySet[M]:
    return queryset.filter(**{field: value == "1"}) if value in ("0", "1") else queryset


class PersonFilterSet(PageFilterSet):
    region = _code_filter(_("Region code"))
    residence_type = django_filters.ChoiceFilter(
        label=_("Residence type"), choices=ResidenceType.choices, empty_label=_("Any")
    )
    household_relation = django_filters.ChoiceFilter(
        label=_("Relation to head of household"), choices=HouseholdRelation.choices, empty_label=_("Any")
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("Any"), method="filter_active"
    )

    class Meta:
        model = Person
        fields = ("region", "residence_type", "household_relation", "active")

    def filter_active(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return _flag(queryset, "is_active", value)


class PartyOrganizationFilterSet(PageFilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PartyOrgKind.choices, empty_label=_("All kinds"))
    region = _code_filter(_("Region code"))

    class Meta:
        model = PartyOrganization
        fields = ("q", "kind", "region")


class PartyMemberFilterSet(PageFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MemberKind.choices, empty_label=_("All kinds"))
    organization = django_filters.NumberFilter(
        label=_("Party organisation"), field_name="organization_id", widget=forms.HiddenInput()
    )
    region = _code_filter(_("Community code"))

    class Meta:
        model = PartyMember
        fields = ("kind", "organization", "region")


class UnitFilterSet(PageFilterSet):
    q = django_filters.CharFilter(label=_("Name or credit code"), method="filter_q")
    unit_type = django_filters.ChoiceFilter(label=_("Type"), choices=UnitType.choices, empty_label=_("All types"))
    cobuilding = django_filters.ChoiceFilter(
        label=_("Co-building unit"), choices=YES_NO, empty_label=_("Any"), method="filter_cobuilding"
    )
    region = _code_filter(_("Community code"))

    class Meta:
        model = Unit
        fields = ("q", "unit_type", "cobuilding", "region")

    def filter_q(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = value.strip()
        # A unit's credit code is public (it is printed on its licence), unlike a person's ID number.
        return queryset.filter(Q(name__contains=value) | Q(credit_code=value.upper())) if value else queryset

    def filter_cobuilding(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return _flag(queryset, "is_cobuilding", value)


class DepartmentFilterSet(PageFilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    region = django_filters.CharFilter(
        label=_("Region code"), field_name="region__code", lookup_expr="startswith", validators=[_code_prefix]
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("Any"), method="filter_active"
    )

    class Meta:
        model = Department
        fields = ("q", "region", "active")

    def filter_q(self, queryset: QuerySet[Department], name: str, value: str) -> QuerySet[Department]:
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value)) if value else queryset

    def filter_active(self, queryset: QuerySet[Department], name: str, value: str) -> QuerySet[Department]:
        return _flag(queryset, "is_active", value)


def hidden_filter_inputs(filterset: django_filters.FilterSet) -> list[tuple[str, Any]]:
    """The current filter values, for forms that must carry them along (search, export)."""
    if not filterset.is_bound:
        return []
    return [(name, filterset.data.get(name)) for name in filterset.form.fields if filterset.data.get(name)]

"""Query filters of the people API. They narrow querysets the selectors have already scoped, so no
filter can widen what a user sees. No filter takes a name, ID number or phone: those go in the body
of `POST /api/v1/people/search/`, never in a URL."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import (
    Department,
    Gender,
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

_prefix = RegexValidator(r"^\d{1,15}$", _("Enter the leading digits of a code."), code="invalid_code")
_grid = RegexValidator(r"^\d{15}$", _("A grid code has 15 digits."), code="invalid_code")
_community = RegexValidator(r"^\d{12}$", _("A community code has 12 digits."), code="invalid_code")
_building = RegexValidator(r"^\d{19}$", _("A building code has 19 digits."), code="invalid_code")


class PersonFilterSet(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="region_code", validators=[_grid], label="Grid code.")
    community = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", validators=[_community], label="Community code."
    )
    region = django_filters.CharFilter(
        field_name="region_code",
        lookup_expr="startswith",
        validators=[_prefix],
        label="Region code prefix: the whole subtree.",
    )
    building = django_filters.CharFilter(
        field_name="room__unit__building__code", validators=[_building], label="Building code: the people living there."
    )
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label="Gender.")
    residence_type = django_filters.ChoiceFilter(choices=ResidenceType.choices, label="Residence type.")
    household_relation = django_filters.ChoiceFilter(
        choices=HouseholdRelation.choices, label="Relation to the head of household."
    )
    is_active = django_filters.BooleanFilter(label="Active (still living here).")

    class Meta:
        model = Person
        fields = (
            "grid",
            "community",
            "region",
            "building",
            "gender",
            "residence_type",
            "household_relation",
            "is_active",
        )


class PartyOrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyOrgKind.choices, label="Kind of organisation.")
    parent = django_filters.NumberFilter(
        field_name="parent_id", label="Id of the parent organisation (direct children only)."
    )
    region = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", validators=[_prefix], label="Region code prefix."
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="Part of the name.")

    class Meta:
        model = PartyOrganization
        fields = ("kind", "parent", "region", "q")


class PartyMemberFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MemberKind.choices, label="Resident or in-service member.")
    organization = django_filters.NumberFilter(field_name="organization_id", label="Id of the party organisation.")
    community = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", validators=[_prefix], label="Community code (prefix)."
    )
    employer = django_filters.NumberFilter(field_name="employer_id", label="Id of the employing unit.")

    class Meta:
        model = PartyMember
        fields = ("kind", "organization", "community", "employer")


class UnitFilterSet(django_filters.FilterSet):
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label="Type of unit.")
    is_cobuilding = django_filters.BooleanFilter(label="Co-building unit (共建单位).")
    community = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", validators=[_prefix], label="Community code (prefix)."
    )
    credit_code = django_filters.CharFilter(method="filter_credit_code", label="Unified social credit code (exact).")
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="Part of the name.")

    class Meta:
        model = Unit
        fields = ("unit_type", "is_cobuilding", "community", "credit_code", "q")

    def filter_credit_code(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(credit_code=value.strip().upper())


class DepartmentFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(
        field_name="region__code", lookup_expr="startswith", validators=[_prefix], label="Region code prefix."
    )
    is_active = django_filters.BooleanFilter(label="Active.")
    q = django_filters.CharFilter(method="filter_q", label="Part of the name or short name.")

    class Meta:
        model = Department
        fields = ("region", "is_active", "q")

    def filter_q(self, queryset: QuerySet[Department], name: str, value: str) -> QuerySet[Department]:
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value))

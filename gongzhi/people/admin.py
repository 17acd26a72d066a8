"""People in the Django admin: view-only, and masked.

Every write must pass the actions (validation, scope, audit); the admin's generic save would skip
all three, so these admins only look. Ciphertext and digest columns are never shown; the masked
column is the only form of an ID number or phone the admin knows.
"""

from __future__ import annotations

from django.contrib import admin

from gongzhi.people.models import Department, PartyMember, PartyOrganization, Person, Unit
from gongzhi.regions.admin import ReadOnlyAdmin


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "gender",
        "birth_date",
        "id_number_masked",
        "phone_masked",
        "region_code",
        "household_relation",
        "residence_type",
        "is_active",
    )
    list_filter = ("residence_type", "gender", "is_active")
    search_fields = ("name", "^region_code")
    fields = (
        "name",
        "gender",
        "birth_date",
        "id_number_masked",
        "phone_masked",
        "room",
        "region_code",
        "household_relation",
        "residence_type",
        "is_active",
    )
    readonly_fields = fields
    raw_id_fields = ("room",)
    show_full_result_count = False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "credit_code", "unit_type", "community", "is_cobuilding", "liaison_name")
    list_filter = ("unit_type", "is_cobuilding")
    search_fields = ("name", "^credit_code", "^region_code")
    list_select_related = ("community",)
    fields = (
        "name",
        "credit_code",
        "unit_type",
        "address",
        "community",
        "region_code",
        "is_cobuilding",
        "liaison_name",
        "liaison_phone_masked",
    )
    readonly_fields = fields


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "parent", "region_code", "building")
    list_filter = ("kind",)
    search_fields = ("name", "^region_code")
    list_select_related = ("parent", "building")
    show_full_result_count = False


@admin.register(PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin):
    list_display = ("person", "organization", "kind", "registered_community", "region_code", "joined_on")
    list_filter = ("kind",)
    search_fields = ("person__name", "^region_code", "organization__name")
    list_select_related = ("person", "organization", "registered_community")
    raw_id_fields = ("person", "organization", "employer")
    show_full_result_count = False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "short_name", "region", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("^code", "name", "short_name")
    list_select_related = ("region",)

"""Every read of people, party organisations, units and departments, already limited to the user.

A row is visible where the user holds the matching *view* capability in a region whose code
prefixes the row's `region_code`. The access_* helpers raise NotFound for missing and out-of-scope
rows alike, so a URL cannot tell "not there" from "not yours"; `require_capability` then turns
"visible but not allowed" into PermissionDenied (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from gongzhi.core import pii
from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Department, PartyMember, PartyOrganization, Person, Unit
from gongzhi.people.validators import looks_like_id_number, validate_id_number

_MOBILE_LENGTH = 11


def require_capability(user: AnyUser, cap: str, region_code: str) -> None:
    """Raises PermissionDenied unless the user may exercise `cap` at `region_code`."""
    if not capability_scope(user, cap).covers(region_code):
        raise PermissionDenied(cap)


# ── people ────────────────────────────────────────────────────────────────────────────────────────


def people_for(user: AnyUser) -> QuerySet[Person]:
    return Person.objects.filter(capability_scope(user, Cap.PEOPLE_VIEW).q("region_code"))


def access_person_by_id(user: AnyUser, person_id: int) -> Person:
    person = (
        people_for(user)
        .select_related("room__unit__building__compound", "room__unit__building__grid")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(person_id)
    return person


def search_people(user: AnyUser, text: str) -> QuerySet[Person]:
    """An ID number or mobile finds its exact match through the keyed digest; anything else a name.

    An empty text filters nothing. The plaintext is never stored or compared: only its digest is.
    """
    qs = people_for(user)
    text = text.strip()
    if not text:
        return qs
    value = pii.normalize(text)
    if looks_like_id_number(value):
        try:
            # A 15-digit number is stored as its 18-digit upgrade; a bad checksum finds nobody.
            value = validate_id_number(value).number
        except DomainError:
            return qs.none()
        return qs.filter(id_number_digest=pii.digest(value))
    if len(value) == _MOBILE_LENGTH and value.isdigit():
        return qs.filter(phone_digest=pii.digest(value))
    return qs.filter(name__contains=text)


def household_of(user: AnyUser, person: Person) -> QuerySet[Person]:
    """Everyone visible to the user who lives in the same room (the person included)."""
    if person.room_id is None:
        return people_for(user).filter(pk=person.pk)
    return people_for(user).filter(room_id=person.room_id).order_by("id")


# ── units ─────────────────────────────────────────────────────────────────────────────────────────


def units_for(user: AnyUser) -> QuerySet[Unit]:
    return Unit.objects.filter(capability_scope(user, Cap.UNITS_VIEW).q("region_code"))


def access_unit_by_id(user: AnyUser, unit_id: int) -> Unit:
    unit = units_for(user).select_related("community").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(unit_id)
    return unit


# ── party organisations and members ───────────────────────────────────────────────────────────────


def party_organizations_for(user: AnyUser) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(capability_scope(user, Cap.PARTY_VIEW).q("region_code"))


def access_party_organization_by_id(user: AnyUser, organization_id: int) -> PartyOrganization:
    organization = (
        party_organizations_for(user)
        .select_related("parent", "region", "building__compound")
        .filter(pk=organization_id)
        .first()
    )
    if organization is None:
        raise NotFound(organization_id)
    return organization


def party_members_for(user: AnyUser) -> QuerySet[PartyMember]:
    return PartyMember.objects.filter(capability_scope(user, Cap.PARTY_VIEW).q("region_code"))


def access_party_member_by_id(user: AnyUser, member_id: int) -> PartyMember:
    member = (
        party_members_for(user)
        .select_related("person", "organization", "registered_community", "employer")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound(member_id)
    return member


# ── departments ───────────────────────────────────────────────────────────────────────────────────


def departments_for(user: AnyUser) -> QuerySet[Department]:
    return Department.objects.filter(capability_scope(user, Cap.DEPARTMENTS_VIEW).q("region__code"))


def access_department_by_id(user: AnyUser, department_id: int) -> Department:
    department = departments_for(user).select_related("region").filter(pk=department_id).first()
    if department is None:
        raise NotFound(department_id)
    return department

"""All writes to people, units, party organisations and members, and departments.

Each action: one transaction; authorise against the capability table (NotFound when the target is
outside what the actor may *see*, PermissionDenied when it is visible but the act is not theirs; a
None actor is the system itself — seed, import internals); validate, collecting every field error
at once so a form can show them together; write; one audit row whose personal values are masked.
Refusals write nothing, audit rows included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, pii
from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem, NotFound
from gongzhi.people.models import (
    PARTY_PARENT_KINDS,
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
from gongzhi.people.validators import validate_credit_code, validate_id_number, validate_mobile, validate_phone
from gongzhi.regions.models import Building, Level, Region, Room

T = TypeVar("T")
PiiField = str  # "id_number" | "phone"
MIN_REASON_CHARS = 2
ADULT_AGE = 18


# ── shared helpers ────────────────────────────────────────────────────────────────────────────────


def _authorise(actor: AnyUser | None, region_code: str, *, view: Cap, act: Cap) -> None:
    if actor is None:
        return
    if not capability_scope(actor, view).covers(region_code):
        raise NotFound(region_code)
    if not capability_scope(actor, act).covers(region_code):
        raise PermissionDenied(act)


class _Errors:
    """Collects field errors so a form shows all of them at once instead of one per round trip."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def check(self, validate: Callable[[], T]) -> T | None:
        try:
            return validate()
        except DomainError as exc:
            self.items.extend(exc.items)
            return None

    def add(self, field: str, code: str, message: str) -> None:
        self.items.append(ErrorItem(field, code, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)


def _clean_name(errors: _Errors, value: str, max_length: int, field: str = "name") -> str:
    value = (value or "").strip()
    if not value:
        errors.add(field, "required", _("Enter a name."))
    elif len(value) > max_length:
        errors.add(field, "too_long", _("At most %(n)d characters.") % {"n": max_length})
    return value


def _check_choice(errors: _Errors, field: str, value: str, choices: list[str], allow_blank: bool = False) -> None:
    if not value:
        if not allow_blank:
            errors.add(field, "required", _("This field is required."))
    elif value not in choices:
        errors.add(field, "invalid_choice", _("%(value)s is not one of the available choices.") % {"value": value})


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len("".join(reason.split())) < MIN_REASON_CHARS:
        raise DomainError.single("reason", "required", _("Give the reason for viewing the full value."))
    return reason


# ── people ────────────────────────────────────────────────────────────────────────────────────────


def _home(room: Room | None, grid: Region | None) -> tuple[str, Room | None]:
    """The grid code a person is scoped by: the room's building's grid wins over a grid given alone."""
    if room is not None:
        room = Room.objects.select_related("unit__building__grid").get(pk=room.pk)
        return room.unit.building.grid.code, room
    if grid is None:
        raise DomainError.single("grid", "required", _("Choose the home address or at least the grid."))
    if grid.level != Level.GRID:
        raise DomainError.single("grid", "not_a_grid", _("%(name)s is not a grid.") % {"name": grid.name})
    return grid.code, None


def _person_state(person: Person) -> dict[str, Any]:
    """What the audit trail may show of a person: masked personal values, plain everything else."""
    return {
        "name": person.name,
        "id_number": person.id_number_masked,
        "phone": person.phone_masked,
        "region_code": person.region_code,
        "room": person.room_id,
        "household_relation": person.household_relation,
        "residence_type": person.residence_type,
        "is_active": person.is_active,
    }


def _seal_phone_into(person: Person, phone: str) -> None:
    sealed = pii.seal_phone(phone) if phone else pii.Sealed("", "", "")
    person.phone_ciphertext, person.phone_digest, person.phone_masked = sealed.ciphertext, sealed.digest, sealed.masked


@transaction.atomic
def do_create_person(
    *,
    actor: AnyUser | None,
    name: str,
    id_number: str,
    phone: str = "",
    room: Room | None = None,
    grid: Region | None = None,
    household_relation: str = "",
    residence_type: str = ResidenceType.REGISTERED,
) -> Person:
    region_code, room = _home(room, grid)
    _authorise(actor, region_code, view=Cap.PEOPLE_VIEW, act=Cap.PEOPLE_EDIT)
    errors = _Errors()
    name = _clean_name(errors, name, 50)
    info = errors.check(lambda: validate_id_number(id_number))
    mobile = errors.check(lambda: validate_mobile(phone)) if (phone or "").strip() else ""
    _check_choice(errors, "household_relation", household_relation, HouseholdRelation.values, allow_blank=True)
    _check_choice(errors, "residence_type", residence_type, ResidenceType.values)
    sealed_id = pii.seal_id_number(info.number) if info else None
    if sealed_id and Person.objects.filter(id_number_digest=sealed_id.digest).exists():
        errors.add("id_number", "duplicate", _("A person with this ID number is already registered."))
    errors.raise_if_any()
    assert info is not None and sealed_id is not None  # noqa: S101 - guaranteed by raise_if_any
    person = Person(
        name=name,
        gender=info.gender,
        birth_date=info.birth_date,
        id_number_ciphertext=sealed_id.ciphertext,
        id_number_digest=sealed_id.digest,
        id_number_masked=sealed_id.masked,
        room=room,
        region_code=region_code,
        household_relation=household_relation,
        residence_type=residence_type,
    )
    _seal_phone_into(person, mobile or "")
    try:
        with transaction.atomic():  # a savepoint, so a lost race reads as a clean refusal
            person.save()
    except IntegrityError as exc:
        raise DomainError.single(
            "id_number", "duplicate", _("A person with this ID number is already registered.")
        ) from exc
    audit.record(actor=actor, action="person.create", obj=person, changes=_person_state(person))
    return person


@transaction.atomic
def do_update_person(
    *,
    actor: AnyUser | None,
    person: Person,
    name: str | None = None,
    phone: str | None = None,
    room: Room | None = None,
    grid: Region | None = None,
    household_relation: str | None = None,
    residence_type: str | None = None,
    is_active: bool | None = None,
) -> Person:
    """None leaves a field alone; phone="" clears the phone; a grid without a room clears the room."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _authorise(actor, person.region_code, view=Cap.PEOPLE_VIEW, act=Cap.PEOPLE_EDIT)
    before = _person_state(person)
    if room is not None or grid is not None:
        region_code, new_room = _home(room, grid)
        # Moving someone is an edit at both ends: the new home must be the actor's too.
        _authorise(actor, region_code, view=Cap.PEOPLE_VIEW, act=Cap.PEOPLE_EDIT)
        person.region_code, person.room = region_code, new_room
    errors = _Errors()
    if name is not None:
        person.name = _clean_name(errors, name, 50)
    if phone is not None:
        mobile = errors.check(lambda: validate_mobile(phone)) if phone.strip() else ""
        if mobile is not None:
            _seal_phone_into(person, mobile)
    if household_relation is not None:
        _check_choice(errors, "household_relation", household_relation, HouseholdRelation.values, allow_blank=True)
        person.household_relation = household_relation
    if residence_type is not None:
        _check_choice(errors, "residence_type", residence_type, ResidenceType.values)
        person.residence_type = residence_type
    if is_active is not None:
        person.is_active = is_active
    errors.raise_if_any()
    person.save()
    changes = audit.diff(before, _person_state(person))
    if changes:
        audit.record(actor=actor, action="person.update", obj=person, changes=changes)
    return person


@transaction.atomic
def do_unmask_person_field(*, actor: AnyUser | None, person: Person, field: PiiField, reason: str) -> str:
    """Returns the plaintext ID number or phone and logs who looked, why, and at what."""
    person = Person.objects.get(pk=person.pk)
    _authorise(actor, person.region_code, view=Cap.PEOPLE_VIEW, act=Cap.PEOPLE_UNMASK)
    if field == "id_number":
        ciphertext, masked = person.id_number_ciphertext, person.id_number_masked
    elif field == "phone":
        ciphertext, masked = person.phone_ciphertext, person.phone_masked
    else:
        raise DomainError.single("field", "invalid_choice", _("Only the ID number or the phone can be shown."))
    reason = _check_reason(reason)
    if not ciphertext:
        raise DomainError.single("field", "empty", _("No value is recorded."))
    plaintext = pii.decrypt(ciphertext)
    audit.record(
        actor=actor, action="pii.unmask", obj=person, changes={"field": field, "reason": reason, "masked": masked}
    )
    return plaintext


# ── units ─────────────────────────────────────────────────────────────────────────────────────────


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "credit_code": unit.credit_code,
        "unit_type": unit.unit_type,
        "address": unit.address,
        "community": unit.region_code,
        "is_cobuilding": unit.is_cobuilding,
        "liaison_name": unit.liaison_name,
        "liaison_phone": unit.liaison_phone_masked,
    }


def _check_unit_unique(errors: _Errors, unit: Unit) -> None:
    others = Unit.objects.exclude(pk=unit.pk) if unit.pk else Unit.objects.all()
    if unit.credit_code and others.filter(credit_code=unit.credit_code).exists():
        errors.add("credit_code", "duplicate", _("A unit with this credit code is already registered."))
    if unit.name and others.filter(community_id=unit.community_id, name=unit.name).exists():
        errors.add("name", "duplicate", _("%(name)s already exists here.") % {"name": unit.name})


def _seal_liaison_phone(unit: Unit, phone: str) -> None:
    sealed = pii.seal_phone(phone) if phone else pii.Sealed("", "", "")
    unit.liaison_phone_ciphertext = sealed.ciphertext
    unit.liaison_phone_digest = sealed.digest
    unit.liaison_phone_masked = sealed.masked


@transaction.atomic
def do_create_unit(
    *,
    actor: AnyUser | None,
    community: Region,
    name: str,
    credit_code: str,
    unit_type: str,
    address: str = "",
    is_cobuilding: bool = False,
    liaison_name: str = "",
    liaison_phone: str = "",
) -> Unit:
    if community.level != Level.COMMUNITY:
        raise DomainError.single(
            "community", "not_a_community", _("%(name)s is not a community.") % {"name": community.name}
        )
    _authorise(actor, community.code, view=Cap.UNITS_VIEW, act=Cap.UNITS_EDIT)
    errors = _Errors()
    unit = Unit(
        community=community,
        region_code=community.code,
        name=_clean_name(errors, name, 120),
        credit_code=errors.check(lambda: validate_credit_code(credit_code)) or "",
        unit_type=unit_type,
        address=(address or "").strip()[:200],
        is_cobuilding=is_cobuilding,
        liaison_name=(liaison_name or "").strip()[:50],
    )
    _check_choice(errors, "unit_type", unit_type, UnitType.values)
    phone = errors.check(lambda: validate_phone(liaison_phone, "liaison_phone")) if liaison_phone.strip() else ""
    _seal_liaison_phone(unit, phone or "")
    _check_unit_unique(errors, unit)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise DomainError.single(
            "credit_code", "duplicate", _("A unit with this credit code is already registered.")
        ) from exc
    audit.record(actor=actor, action="unit.create", obj=unit, changes=_unit_state(unit))
    return unit


@transaction.atomic
def do_update_unit(
    *,
    actor: AnyUser | None,
    unit: Unit,
    name: str | None = None,
    credit_code: str | None = None,
    unit_type: str | None = None,
    address: str | None = None,
    is_cobuilding: bool | None = None,
    liaison_name: str | None = None,
    liaison_phone: str | None = None,
) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _authorise(actor, unit.region_code, view=Cap.UNITS_VIEW, act=Cap.UNITS_EDIT)
    before = _unit_state(unit)
    errors = _Errors()
    if name is not None:
        unit.name = _clean_name(errors, name, 120)
    if credit_code is not None:
        unit.credit_code = errors.check(lambda: validate_credit_code(credit_code)) or unit.credit_code
    if unit_type is not None:
        _check_choice(errors, "unit_type", unit_type, UnitType.values)
        unit.unit_type = unit_type
    if address is not None:
        unit.address = address.strip()[:200]
    if is_cobuilding is not None:
        unit.is_cobuilding = is_cobuilding
    if liaison_name is not None:
        unit.liaison_name = liaison_name.strip()[:50]
    if liaison_phone is not None:
        phone = errors.check(lambda: validate_phone(liaison_phone, "liaison_phone")) if liaison_phone.strip() else ""
        if phone is not None:
            _seal_liaison_phone(unit, phone)
    _check_unit_unique(errors, unit)
    errors.raise_if_any()
    unit.save()
    changes = audit.diff(before, _unit_state(unit))
    if changes:
        audit.record(actor=actor, action="unit.update", obj=unit, changes=changes)
    return unit


@transaction.atomic
def do_unmask_unit_liaison_phone(*, actor: AnyUser | None, unit: Unit, reason: str) -> str:
    unit = Unit.objects.get(pk=unit.pk)
    _authorise(actor, unit.region_code, view=Cap.UNITS_VIEW, act=Cap.PEOPLE_UNMASK)
    reason = _check_reason(reason)
    if not unit.liaison_phone_ciphertext:
        raise DomainError.single("field", "empty", _("No value is recorded."))
    plaintext = pii.decrypt(unit.liaison_phone_ciphertext)
    audit.record(
        actor=actor,
        action="pii.unmask",
        obj=unit,
        changes={"field": "liaison_phone", "reason": reason, "masked": unit.liaison_phone_masked},
    )
    return plaintext


# ── party organisations ───────────────────────────────────────────────────────────────────────────

# The level of region each kind of organisation is attached to (groups and households sit in a grid).
PARTY_KIND_LEVEL: dict[str, str] = {
    PartyOrgKind.STREET_WORKING_COMMITTEE: Level.STREET,
    PartyOrgKind.COMMUNITY_COMMITTEE: Level.COMMUNITY,
    PartyOrgKind.COMMUNITY_GENERAL_BRANCH: Level.COMMUNITY,
    PartyOrgKind.GRID_BRANCH: Level.GRID,
    PartyOrgKind.BUILDING_GROUP: Level.GRID,
    PartyOrgKind.CENTRAL_HOUSEHOLD: Level.GRID,
}


def _check_party_place(
    errors: _Errors, kind: str, region: Region, parent: PartyOrganization | None, building: Building | None
) -> None:
    allowed = PARTY_PARENT_KINDS.get(kind, ())
    if not allowed and parent is not None:
        errors.add("parent", "parent_not_allowed", _("This kind of organisation has no parent organisation."))
    elif allowed and (parent is None or parent.kind not in allowed):
        errors.add("parent", "parent_kind", _("This kind of organisation cannot sit under the chosen parent."))
    if region.level != PARTY_KIND_LEVEL[kind]:
        errors.add(
            "region",
            "region_level",
            _("This kind of organisation does not belong at %(name)s.") % {"name": region.name},
        )
    if parent is not None and not region.code.startswith(parent.region_code):
        errors.add("region", "outside_parent", _("The region lies outside the parent organisation's area."))
    if kind == PartyOrgKind.BUILDING_GROUP and building is None:
        errors.add("building", "required", _("Choose the building of the party group."))
    if building is not None and kind not in (PartyOrgKind.BUILDING_GROUP, PartyOrgKind.CENTRAL_HOUSEHOLD):
        errors.add("building", "not_allowed", _("Only party groups and central households belong to a building."))
    elif building is not None and building.grid_id != region.pk:
        errors.add("building", "outside_region", _("The building is not in the chosen grid."))


@transaction.atomic
def do_create_party_organization(
    *,
    actor: AnyUser | None,
    name: str,
    kind: str,
    region: Region,
    parent: PartyOrganization | None = None,
    building: Building | None = None,
) -> PartyOrganization:
    _authorise(actor, region.code, view=Cap.PARTY_VIEW, act=Cap.PARTY_EDIT)
    if parent is not None:
        # The parent must be visible too; lock it so a concurrent rename cannot collide with ours.
        _authorise(actor, parent.region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_VIEW)
        parent = PartyOrganization.objects.select_for_update().get(pk=parent.pk)
    errors = _Errors()
    name = _clean_name(errors, name, 120)
    if kind not in PartyOrgKind.values:
        raise DomainError.single(
            "kind", "invalid_choice", _("%(value)s is not one of the available choices.") % {"value": kind}
        )
    _check_party_place(errors, kind, region, parent, building)
    if name and PartyOrganization.objects.filter(parent=parent, name=name).exists():
        errors.add("name", "duplicate", _("%(name)s already exists here.") % {"name": name})
    errors.raise_if_any()
    organization = PartyOrganization.objects.create(
        name=name, kind=kind, region=region, region_code=region.code, parent=parent, building=building
    )
    audit.record(
        actor=actor,
        action="party_organization.create",
        obj=organization,
        changes={"name": name, "kind": kind, "region": region.code, "parent": parent.pk if parent else None},
    )
    return organization


@transaction.atomic
def do_update_party_organization(
    *, actor: AnyUser | None, organization: PartyOrganization, name: str | None = None
) -> PartyOrganization:
    organization = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    _authorise(actor, organization.region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_EDIT)
    before = {"name": organization.name}
    errors = _Errors()
    if name is not None:
        organization.name = _clean_name(errors, name, 120)
        siblings = PartyOrganization.objects.filter(parent_id=organization.parent_id, name=organization.name)
        if organization.name and siblings.exclude(pk=organization.pk).exists():
            errors.add("name", "duplicate", _("%(name)s already exists here.") % {"name": organization.name})
    errors.raise_if_any()
    organization.save()
    changes = audit.diff(before, {"name": organization.name})
    if changes:
        audit.record(actor=actor, action="party_organization.update", obj=organization, changes=changes)
    return organization


# ── party members ─────────────────────────────────────────────────────────────────────────────────


def _member_region(
    errors: _Errors, person: Person, organization: PartyOrganization, kind: str, community: Region | None
) -> str:
    """Resident members are seen where they live; in-service members by the community they report to."""
    if kind == MemberKind.IN_SERVICE:
        if community is None or community.level != Level.COMMUNITY:
            errors.add("registered_community", "required", _("Choose the community the member registered with."))
            return person.region_code
        related = organization.region_code.startswith(community.code) or community.code.startswith(
            organization.region_code
        )
        if not related:
            errors.add("organization", "outside_community", _("The organisation is not in the registered community."))
        return community.code
    if not person.region_code.startswith(organization.region_code):
        errors.add("organization", "outside_home", _("The party organisation must be where the member lives."))
    return person.region_code


def _check_joined_on(errors: _Errors, person: Person, joined_on: dt.date | None) -> None:
    if joined_on is None:
        return
    if joined_on > timezone.localdate():
        errors.add("joined_on", "future", _("The date lies in the future."))
    elif person.birth_date is not None:
        born = person.birth_date
        # Feb 29 birthdays come of age on Mar 1 in common years.
        try:
            adult = born.replace(year=born.year + ADULT_AGE)
        except ValueError:
            adult = dt.date(born.year + ADULT_AGE, 3, 1)
        if joined_on < adult:
            errors.add("joined_on", "too_young", _("Members join the party at 18 or older."))


def _member_state(member: PartyMember) -> dict[str, Any]:
    return {
        "person": member.person_id,
        "organization": member.organization_id,
        "kind": member.kind,
        "registered_community": member.registered_community_id,
        "region_code": member.region_code,
        "employer": member.employer_id,
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
    }


@transaction.atomic
def do_create_party_member(
    *,
    actor: AnyUser | None,
    person: Person,
    organization: PartyOrganization,
    kind: str,
    registered_community: Region | None = None,
    employer: Unit | None = None,
    joined_on: dt.date | None = None,
) -> PartyMember:
    person = Person.objects.select_for_update().get(pk=person.pk)
    organization = PartyOrganization.objects.get(pk=organization.pk)
    errors = _Errors()
    _check_choice(errors, "kind", kind, MemberKind.values)
    errors.raise_if_any()
    region_code = _member_region(errors, person, organization, kind, registered_community)
    _authorise(actor, organization.region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_VIEW)
    _authorise(actor, region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_EDIT)
    _check_joined_on(errors, person, joined_on)
    if PartyMember.objects.filter(person=person).exists():
        errors.add("person", "duplicate", _("This person is already registered as a party member."))
    errors.raise_if_any()
    member = PartyMember(
        person=person,
        organization=organization,
        kind=kind,
        registered_community=registered_community if kind == MemberKind.IN_SERVICE else None,
        region_code=region_code,
        employer=employer,
        joined_on=joined_on,
    )
    try:
        with transaction.atomic():  # the person lock covers PostgreSQL; the unique key covers the rest
            member.save()
    except IntegrityError as exc:
        raise DomainError.single(
            "person", "duplicate", _("This person is already registered as a party member.")
        ) from exc
    audit.record(actor=actor, action="party_member.create", obj=member, changes=_member_state(member))
    return member


@transaction.atomic
def do_update_party_member(
    *,
    actor: AnyUser | None,
    member: PartyMember,
    organization: PartyOrganization | None = None,
    employer: Unit | None = None,
    joined_on: dt.date | None = None,
) -> PartyMember:
    member = PartyMember.objects.select_for_update().select_related("person").get(pk=member.pk)
    _authorise(actor, member.region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_EDIT)
    before = _member_state(member)
    errors = _Errors()
    if organization is not None:
        _authorise(actor, organization.region_code, view=Cap.PARTY_VIEW, act=Cap.PARTY_VIEW)
        member.region_code = _member_region(
            errors, member.person, organization, member.kind, member.registered_community
        )
        member.organization = organization
    if employer is not None:
        member.employer = employer
    if joined_on is not None:
        _check_joined_on(errors, member.person, joined_on)
        member.joined_on = joined_on
    errors.raise_if_any()
    member.save()
    changes = audit.diff(before, _member_state(member))
    if changes:
        audit.record(actor=actor, action="party_member.update", obj=member, changes=changes)
    return member


# ── departments ───────────────────────────────────────────────────────────────────────────────────

DEPARTMENT_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET)


def _department_state(department: Department) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "short_name": department.short_name,
        "phone": department.phone,
        "region": department.region.code,
        "is_active": department.is_active,
    }


@transaction.atomic
def do_create_department(
    *, actor: AnyUser | None, region: Region, code: str, name: str, short_name: str = "", phone: str = ""
) -> Department:
    _authorise(actor, region.code, view=Cap.DEPARTMENTS_VIEW, act=Cap.DEPARTMENTS_EDIT)
    errors = _Errors()
    if region.level not in DEPARTMENT_LEVELS:
        errors.add("region", "region_level", _("Departments belong to a city, district or street."))
    code = (code or "").strip()
    if not code:
        errors.add("code", "required", _("Enter a code."))
    elif len(code) > 20:
        errors.add("code", "too_long", _("At most %(n)d characters.") % {"n": 20})
    elif Department.objects.filter(code=code).exists():
        errors.add("code", "duplicate", _("Code %(code)s is already in use.") % {"code": code})
    name = _clean_name(errors, name, 100)
    if name and Department.objects.filter(region=region, name=name).exists():
        errors.add("name", "duplicate", _("%(name)s already exists here.") % {"name": name})
    errors.raise_if_any()
    department = Department.objects.create(
        region=region,
        code=code,
        name=name,
        short_name=(short_name or "").strip()[:30],
        phone=(phone or "").strip()[:30],
    )
    audit.record(actor=actor, action="department.create", obj=department, changes=_department_state(department))
    return department


@transaction.atomic
def do_update_department(
    *,
    actor: AnyUser | None,
    department: Department,
    name: str | None = None,
    short_name: str | None = None,
    phone: str | None = None,
    is_active: bool | None = None,
) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    _authorise(actor, department.region.code, view=Cap.DEPARTMENTS_VIEW, act=Cap.DEPARTMENTS_EDIT)
    before = _department_state(department)
    errors = _Errors()
    if name is not None:
        department.name = _clean_name(errors, name, 100)
        same = Department.objects.filter(region_id=department.region_id, name=department.name)
        if department.name and same.exclude(pk=department.pk).exists():
            errors.add("name", "duplicate", _("%(name)s already exists here.") % {"name": department.name})
    if short_name is not None:
        department.short_name = short_name.strip()[:30]
    if phone is not None:
        department.phone = phone.strip()[:30]
    if is_active is not None:
        department.is_active = is_active
    errors.raise_if_any()
    department.save()
    changes = audit.diff(before, _department_state(department))
    if changes:
        audit.record(actor=actor, action="department.update", obj=department, changes=changes)
    return department

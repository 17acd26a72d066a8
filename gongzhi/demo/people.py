"""The demo city's people: ~50,000 residents in its rooms, then its organisations (see organisations.py).

Households of one to five (head, spouse, children, a parent, or three generations) fill the demo
rooms in a shuffled order until the target is reached; ages within a household are consistent
(parents 22–38 years older than their children). About one household in five is migrant, with ID
numbers from the provinces migrants come from; registered residents were mostly born in 栖霞区,
some under codes abolished since. Every value is drawn from `random.Random(seed)`, so a seed gives
the same people every time (only the AES-GCM nonces differ).

Rows go in with bulk_create: these are generated, checked-by-construction values, and the per-row
actions would take minutes for what takes seconds here; `tests/demo/test_people_seed.py` validates
a sample through the same validators the actions use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import transaction

from gongzhi.core import audit, pii
from gongzhi.core.access import AnyUser
from gongzhi.core.models import Membership
from gongzhi.demo import identities, organisations
from gongzhi.people.models import (
    Department,
    Gender,
    HouseholdRelation,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Person,
    ResidenceType,
    Unit,
)
from gongzhi.regions.models import Room

Progress = Callable[[str], None]
# Ages are counted to a fixed day, not to today, so a seed gives the same people in any year.
REFERENCE_DATE = dt.date(2025, 12, 31)
TARGET_RESIDENTS = 50_000
BATCH = 2000
MIGRANT_SHARE = 0.2
PHONE_SHARE = 0.92  # of people aged 14 or more
_SIZES = (1, 2, 3, 4, 5)
_SIZE_WEIGHTS = (0.17, 0.29, 0.28, 0.17, 0.09)


@dataclass(frozen=True, slots=True)
class PeopleCounts:
    persons: int
    households: int
    party_organizations: int
    party_members: int
    units: int
    departments: int


@dataclass(frozen=True, slots=True)
class HomeRoom:
    room_id: int
    building_id: int
    grid_code: str
    unit_number: int
    number: str


@dataclass(frozen=True, slots=True)
class _Member:
    relation: str
    male: bool
    age: int


@dataclass(slots=True)
class Resident:
    """A created person and what the organisation step needs to know about them."""

    person: Person
    age: int
    home: HomeRoom


def clear_people() -> None:
    """Empties the people tables (for seed --replace), children before parents."""
    PartyMember.objects.all().delete()
    for kind in reversed(PartyOrgKind.values):
        PartyOrganization.objects.filter(kind=kind).delete()
    Person.objects.all().delete()
    Unit.objects.all().delete()
    Membership.objects.filter(department__isnull=False).delete()
    Department.objects.all().delete()


# ── households ────────────────────────────────────────────────────────────────────────────────────


def _child_age(rng: random.Random, parent_age: int) -> int:
    age = parent_age - rng.randint(22, 38)
    return age if age >= 0 else rng.randint(0, max(0, parent_age - 22))


def _couple(rng: random.Random, head_age: int) -> list[_Member]:
    head_male = rng.random() < 0.8
    # Wives are on average a couple of years younger than husbands.
    gap = rng.randint(-6, 2) if head_male else rng.randint(-2, 6)
    return [_Member("head", head_male, head_age), _Member("spouse", not head_male, max(20, head_age + gap))]


def household(rng: random.Random, size: int) -> list[_Member]:
    """Relations, genders and ages of one household; the head comes first."""
    if size == 1:
        return [_Member("head", rng.random() < 0.5, rng.randint(22, 88))]
    if size == 2:
        if rng.random() < 0.65:
            return _couple(rng, rng.randint(24, 86))
        head_age = rng.randint(40, 75)
        return [
            _Member("head", rng.random() < 0.4, head_age),
            _Member("child", rng.random() < 0.5, _child_age(rng, head_age)),
        ]
    if size == 5 and rng.random() < 0.5:
        # Three generations: grandparents head the household, their grown child and two grandchildren.
        members = _couple(rng, rng.randint(55, 72))
        child = max(24, members[0].age - rng.randint(24, 32))
        members.append(_Member("child", rng.random() < 0.5, child))
        members += [_Member("grandchild", rng.random() < 0.5, _child_age(rng, child)) for _ in range(2)]
        return members
    members = _couple(rng, rng.randint(28, 58))
    with_parent = size == 5 or (size == 4 and rng.random() < 0.5)
    children = size - 2 - (1 if with_parent else 0)
    members += [_Member("child", rng.random() < 0.5, _child_age(rng, members[0].age)) for _ in range(children)]
    if with_parent:
        parent_age = members[0].age + rng.randint(22, 32)
        if parent_age <= 96:
            members.append(_Member("parent", rng.random() < 0.4, parent_age))
        else:
            members.append(_Member("child", rng.random() < 0.5, _child_age(rng, members[0].age)))
    return members


class _People:
    """Turns household sketches into Person rows with names, ID numbers and phones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = identities.IdNumbers(rng)
        self.mobiles = identities.Mobiles(rng)

    def born(self, age: int) -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + age // 4 + self.rng.randrange(365))

    def surnames(self, members: list[_Member]) -> list[str]:
        """Spouses keep their own surname; children take their father's, grandchildren mostly too."""
        head, spouse = identities.surname(self.rng), identities.surname(self.rng)
        male_spouse = any(m.relation == "spouse" and m.male for m in members)
        father = spouse if not members[0].male and male_spouse else head
        fixed = {"head": head, "spouse": spouse, "child": father}
        out: list[str] = []
        for m in members:
            if m.relation in fixed:
                out.append(fixed[m.relation])
            elif m.relation == "parent":  # the head's father shares the head's surname
                out.append(head if m.male else identities.surname(self.rng))
            else:
                out.append(father if self.rng.random() < 0.7 else identities.surname(self.rng))
        return out

    def rows(self, members: list[_Member], home: HomeRoom) -> list[Resident]:
        migrant = self.rng.random() < MIGRANT_SHARE
        family_origin = identities.birth_origin(self.rng, 1980, migrant=True) if migrant else ""
        out: list[Resident] = []
        for member, family_name in zip(members, self.surnames(members), strict=True):
            born = self.born(member.age)
            if migrant:
                origin = family_origin
            elif member.age < 20 and self.rng.random() < 0.85:
                origin = "320113"  # born here, registered here
            else:
                origin = identities.birth_origin(self.rng, born.year, migrant=False)
            id_number = self.ids.make(origin, born, member.male)
            phone = self.mobiles.make() if member.age >= 14 and self.rng.random() < PHONE_SHARE else ""
            sealed_id = pii.seal_id_number(id_number)
            sealed_phone = pii.seal_phone(phone) if phone else pii.Sealed("", "", "")
            person = Person(
                name=family_name + identities.given_name(self.rng, member.male, born.year),
                gender=Gender.MALE if member.male else Gender.FEMALE,
                birth_date=born,
                id_number_ciphertext=sealed_id.ciphertext,
                id_number_digest=sealed_id.digest,
                id_number_masked=sealed_id.masked,
                phone_ciphertext=sealed_phone.ciphertext,
                phone_digest=sealed_phone.digest,
                phone_masked=sealed_phone.masked,
                room_id=home.room_id,
                region_code=home.grid_code,
                household_relation=HouseholdRelation(member.relation),
                residence_type=ResidenceType.MIGRANT if migrant else ResidenceType.REGISTERED,
            )
            out.append(Resident(person, member.age, home))
        return out


def _rooms() -> list[HomeRoom]:
    rows = Room.objects.order_by("unit__building__code", "unit__number", "floor", "number").values_list(
        "pk", "unit__building_id", "unit__building__grid__code", "unit__number", "number"
    )
    return [HomeRoom(*row) for row in rows.iterator(chunk_size=5000)]


def seed_residents(rng: random.Random, target: int, progress: Progress) -> tuple[list[Resident], int]:
    rooms = _rooms()
    order = list(range(len(rooms)))
    rng.shuffle(order)
    people = _People(rng)
    residents: list[Resident] = []
    households = 0
    for index in order:
        if len(residents) >= target:
            break  # the rooms left over stand empty, as some always do
        size = rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0]
        residents += people.rows(household(rng, size), rooms[index])
        households += 1
    progress(f"residents generated: {len(residents)} in {households} households")
    Person.objects.bulk_create((r.person for r in residents), batch_size=BATCH)
    progress(f"residents: {len(residents)}")
    return residents, households


@transaction.atomic
def do_seed_people(
    *, actor: AnyUser | None, seed: int, progress: Progress, target: int = TARGET_RESIDENTS
) -> PeopleCounts:
    """Residents, departments, units, party organisations and members for the seeded tree."""
    rng = random.Random(f"gongzhi-people-{seed}")
    residents, households = seed_residents(rng, target, progress)
    departments = organisations.seed_departments(rng)
    progress(f"departments: {departments}")
    units = organisations.seed_units(rng)
    progress(f"units: {len(units)}")
    party = organisations.seed_party(rng, residents, units, REFERENCE_DATE)
    progress(f"party organisations: {party.organizations}, members: {party.members}")
    counts = PeopleCounts(
        persons=len(residents),
        households=households,
        party_organizations=party.organizations,
        party_members=party.members,
        units=len(units),
        departments=departments,
    )
    audit.record(actor=actor, action="people.seed", changes=asdict(counts))
    return counts


def people_sha256() -> str:
    """A digest of the people as seeded, comparable across databases and keys: masked values only
    (ciphertexts carry random nonces and digests depend on the key)."""
    digest = hashlib.sha256()
    fields = (
        "name",
        "gender",
        "birth_date",
        "id_number_masked",
        "phone_masked",
        "region_code",
        "room__unit__building__code",
        "room__number",
        "household_relation",
        "residence_type",
    )
    for row in Person.objects.order_by("id").values_list(*fields).iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    members = PartyMember.objects.order_by("id").values_list(
        "person__id_number_masked", "organization__name", "kind", "region_code", "joined_on"
    )
    for row in members.iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    for row in Unit.objects.order_by("credit_code").values_list("credit_code", "name", "region_code"):
        digest.update(repr(row).encode())
    return digest.hexdigest()

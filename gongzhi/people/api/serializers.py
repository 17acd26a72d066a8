"""Output shapes of the people API (one per model, brief ones for nesting) and the few inputs.

Personal values leave only masked, in fields named `*_masked` so no client mistakes them for the
real thing; the one exception is the answer of `POST …/unmask/`, which the action has logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzhi.core.access import AnyUser, Scope, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.people.forms import find_room
from gongzhi.people.models import (
    Department,
    Gender,
    HouseholdRelation,
    PartyMember,
    PartyOrganization,
    Person,
    ResidenceType,
    Unit,
)
from gongzhi.regions.addresses import room_address
from gongzhi.regions.api.serializers import BlankAsNullChoiceField, RegionBriefSerializer
from gongzhi.regions.models import Level, Region, Room

UNMASK_FIELDS = (("id_number", "ID number"), ("phone", "Phone"))


@dataclass(frozen=True, slots=True)
class RegionRef:
    """Enough of a region for `RegionBriefSerializer`, for rows that only store its code."""

    code: str
    name: str
    level: str


def _scope(context: dict[str, Any], cap: Cap) -> Scope:
    """The requesting user's scope for `cap`, computed once per response rather than once per row."""
    key = f"scope:{cap}"
    if key not in context:
        request = context.get("request")
        context[key] = capability_scope(request.user if request is not None else None, cap)  # type: ignore[arg-type]
    scope: Scope = context[key]
    return scope


# ------------------------------------------------------------------------------- briefs
# Briefs carry no choice fields: drf-spectacular names enums after the field, and a `kind` of two
# different choice sets used in several components would collide ("KindAb0Enum").


class UnitBriefSerializer(serializers.ModelSerializer[Unit]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:unit-detail")

    class Meta:
        model = Unit
        fields = ("id", "url", "name")
        read_only_fields = fields


class PartyOrganizationBriefSerializer(serializers.ModelSerializer[PartyOrganization]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:partyorganization-detail")

    class Meta:
        model = PartyOrganization
        fields = ("id", "url", "name")
        read_only_fields = fields


class PersonBriefSerializer(serializers.ModelSerializer[Person]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:person-detail")

    class Meta:
        model = Person
        fields = ("id", "url", "name", "phone_masked")
        read_only_fields = fields


class MembershipBriefSerializer(serializers.ModelSerializer[PartyMember]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:partymember-detail")
    organization = PartyOrganizationBriefSerializer(read_only=True)

    class Meta:
        model = PartyMember
        fields = ("id", "url", "organization", "joined_on")
        read_only_fields = fields


class HomeSerializer(serializers.Serializer[Room]):
    """The standard address of a room, with the parts a client needs to find it again."""

    building = serializers.CharField(source="unit.building.code", read_only=True, help_text="19-digit building code.")
    unit = serializers.IntegerField(source="unit.number", read_only=True)
    room = serializers.CharField(source="number", read_only=True)
    address = serializers.SerializerMethodField(help_text="区/街道/社区/小区/楼栋/单元/户室.")

    def get_address(self, obj: Room) -> str:
        return room_address(obj)


# ------------------------------------------------------------------------------- people


class PersonSerializer(serializers.ModelSerializer[Person]):
    """A resident. Gender and birth date are derived from the ID number; both numbers are masked."""

    # Expects `grid_name` annotated by the view and the home's chain selected, so a page costs one query.

    url = serializers.HyperlinkedIdentityField(view_name="people-api:person-detail")
    gender = BlankAsNullChoiceField(choices=Gender.choices)
    grid = serializers.SerializerMethodField()
    home = HomeSerializer(source="room", read_only=True, allow_null=True)
    household_relation = BlankAsNullChoiceField(choices=HouseholdRelation.choices)
    party_member = serializers.SerializerMethodField(
        help_text="The party membership, when the member's community is within your jurisdiction."
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "url",
            "name",
            "gender",
            "birth_date",
            "id_number_masked",
            "phone_masked",
            "grid",
            "home",
            "household_relation",
            "residence_type",
            "is_active",
            "party_member",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(RegionBriefSerializer)
    def get_grid(self, obj: Person) -> dict[str, Any]:
        name = getattr(obj, "grid_name", None)
        if name is None:
            name = Region.objects.filter(code=obj.region_code).values_list("name", flat=True).first() or ""
        ref = RegionRef(code=obj.region_code, name=name, level=Level.GRID)
        return dict(RegionBriefSerializer(ref, context=self.context).data)

    @extend_schema_field(MembershipBriefSerializer(allow_null=True))
    def get_party_member(self, obj: Person) -> dict[str, Any] | None:
        try:
            member = obj.party_member
        except PartyMember.DoesNotExist:
            return None
        if not _scope(self.context, Cap.PARTY_VIEW).covers(member.region_code):
            return None
        return dict(MembershipBriefSerializer(member, context=self.context).data)


class HomeInputMixin(serializers.Serializer[Any]):
    """The home as building code + unit + room number; resolved inside the caller's jurisdiction."""

    building = serializers.RegexField(r"^\d{19}$", required=False, help_text="19-digit building code.")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=99)
    room = serializers.CharField(required=False, max_length=10)

    def resolve_home(self, attrs: dict[str, Any]) -> Room | None:
        parts = [attrs.pop(k, None) for k in ("building", "unit", "room")]
        if not any(parts):
            return None
        if not all(parts):
            raise serializers.ValidationError(
                {"room": [_("Give the building code, the unit and the room number together.")]}, code="incomplete"
            )
        user: AnyUser = self.context["request"].user
        room = find_room(user, str(parts[0]), int(parts[1] or 0), str(parts[2]))
        if room is None:
            raise serializers.ValidationError(
                {
                    "room": [
                        serializers.ErrorDetail(str(_("There is no such room in your jurisdiction.")), "does_not_exist")
                    ]
                }
            )
        return room


class ScopedGridField(serializers.SlugRelatedField[Region]):
    """A grid by code, among the grids where the caller may register people.

    A grid outside that set answers `does_not_exist`, exactly as a code that exists nowhere.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Region.objects.filter(level=Level.GRID), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context["request"]
        return Region.objects.filter(capability_scope(request.user, Cap.PEOPLE_EDIT).q("code"), level=Level.GRID)


class PersonCreateSerializer(HomeInputMixin):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text="GB 11643; full-width characters and spaces accepted.")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    grid = ScopedGridField(
        required=False, allow_null=True, help_text="Grid code; may be left out when a home is given."
    )
    household_relation = serializers.ChoiceField(
        choices=HouseholdRelation.choices, required=False, allow_blank=True, default=""
    )
    residence_type = serializers.ChoiceField(choices=ResidenceType.choices, default=ResidenceType.REGISTERED)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["room"] = self.resolve_home(attrs)
        attrs.setdefault("grid", None)
        return attrs


class PersonUpdateSerializer(HomeInputMixin):
    """Every field optional; absent fields are left alone. `phone: ""` clears the phone."""

    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    household_relation = serializers.ChoiceField(choices=HouseholdRelation.choices, required=False, allow_blank=True)
    residence_type = serializers.ChoiceField(choices=ResidenceType.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        room = self.resolve_home(attrs)
        if room is not None:
            attrs["room"] = room
        return attrs


class UnmaskRequestSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=UNMASK_FIELDS)
    reason = serializers.CharField(
        max_length=200, help_text="Why you need the full value; recorded in the audit trail."
    )


class UnitUnmaskRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=200, help_text="Why you need the full value; recorded in the audit trail."
    )


class UnmaskResultSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True, help_text="The full value. Do not store it.")


class SearchRequestSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=50, help_text="A name (or part of one), or a complete ID number or mobile number."
    )


class PersonSearchResultSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(read_only=True, help_text="Number of matches (only the first 50 are listed).")
    results = PersonSerializer(many=True, read_only=True)


# -------------------------------------------------------------------------------- party


class PartyOrganizationSerializer(serializers.ModelSerializer[PartyOrganization]):
    """A party organisation; the tree mirrors the jurisdiction tree."""

    url = serializers.HyperlinkedIdentityField(view_name="people-api:partyorganization-detail")
    parent = PartyOrganizationBriefSerializer(read_only=True, allow_null=True)
    region = RegionBriefSerializer(read_only=True)
    building = serializers.CharField(source="building.code", read_only=True, allow_null=True, default=None)
    member_count = serializers.IntegerField(read_only=True)
    child_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PartyOrganization
        fields = ("id", "url", "name", "kind", "parent", "region", "building", "member_count", "child_count")
        read_only_fields = fields


class PartyMemberSerializer(serializers.ModelSerializer[PartyMember]):
    """A party member. `person` links to the resident, which may be outside your jurisdiction for
    in-service members (they are seen by the community they registered with)."""

    url = serializers.HyperlinkedIdentityField(view_name="people-api:partymember-detail")
    person = PersonBriefSerializer(read_only=True)
    organization = PartyOrganizationBriefSerializer(read_only=True)
    registered_community = RegionBriefSerializer(read_only=True, allow_null=True)
    community = serializers.CharField(
        source="region_code", read_only=True, help_text="Code of the community that sees the member."
    )
    employer = UnitBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PartyMember
        fields = (
            "id",
            "url",
            "person",
            "kind",
            "organization",
            "registered_community",
            "community",
            "employer",
            "joined_on",
        )
        read_only_fields = fields


# -------------------------------------------------------------------------------- units


class UnitSerializer(serializers.ModelSerializer[Unit]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:unit-detail")
    community = RegionBriefSerializer(read_only=True)

    class Meta:
        model = Unit
        fields = (
            "id",
            "url",
            "name",
            "credit_code",
            "unit_type",
            "address",
            "community",
            "is_cobuilding",
            "liaison_name",
            "liaison_phone_masked",
        )
        read_only_fields = fields


# -------------------------------------------------------------------------- departments


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    url = serializers.HyperlinkedIdentityField(view_name="people-api:department-detail")
    region = RegionBriefSerializer(read_only=True)

    class Meta:
        model = Department
        fields = ("id", "url", "code", "name", "short_name", "phone", "region", "is_active")
        read_only_fields = fields

"""Shapes of the micro-wish API: a wish (list and detail), posting one, the acts, the resident's ticket.

Statuses are plain strings with their label beside them (as the case API does), so two choice sets
named `status` never collide in the schema.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzhi.wishes import selectors
from gongzhi.wishes.models import Wish, WishEvent
from gongzhi.wishes.timeline import event_label


def _absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class WishCategoryRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    major = serializers.CharField(read_only=True, source="parent.name", default="")


class WishCommunityRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class WishClaimantSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(read_only=True, help_text="`volunteer` or `unit`.")
    name = serializers.CharField(
        read_only=True, help_text="A unit's name; a person's name masked unless you are staff or the claimant."
    )
    unit_id = serializers.IntegerField(read_only=True, allow_null=True)


class WishEventSerializer(serializers.Serializer[WishEvent]):
    kind = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    actor = serializers.CharField(read_only=True, source="actor_label")
    note = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)


class WishSerializer(serializers.Serializer[Wish]):
    """A wish as the caller may see it. The context carries `staff` and `claimant` (viewer flags)."""

    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    category = WishCategoryRefSerializer(read_only=True)
    community = WishCommunityRefSerializer(read_only=True)
    region_code = serializers.CharField(read_only=True)
    resident = serializers.CharField(read_only=True, source="resident_name_masked", help_text="Always masked.")
    resident_phone = serializers.SerializerMethodField(help_text="Masked; staff only (empty otherwise).")
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True, source="get_status_display")
    board = serializers.CharField(read_only=True, source="board_level")
    created_at = serializers.DateTimeField(read_only=True)
    escalated_at = serializers.DateTimeField(read_only=True)
    claimant = serializers.SerializerMethodField()
    claimed_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    overdue = serializers.SerializerMethodField()
    fulfilled_at = serializers.DateTimeField(read_only=True)
    fulfilled_late = serializers.BooleanField(read_only=True)
    evidence = serializers.CharField(read_only=True)
    confirmed_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_resident_phone(self, wish: Wish) -> str:
        return wish.resident_phone_masked if self.context.get("staff") else ""

    @extend_schema_field(WishClaimantSerializer(allow_null=True))
    def get_claimant(self, wish: Wish) -> dict[str, Any] | None:
        if wish.claimant_unit is not None:
            return {"kind": "unit", "name": wish.claimant_unit.name, "unit_id": wish.claimant_unit_id}
        if wish.claimant_volunteer is not None:
            full = self.context.get("staff") or self.context.get("claimant")
            name = wish.claimant_volunteer.person.name if full else wish.claimant_label
            return {"kind": "volunteer", "name": name, "unit_id": None}
        return None

    def get_overdue(self, wish: Wish) -> bool:
        return selectors.is_overdue(wish)

    def get_url(self, wish: Wish) -> str:
        return _absolute(self.context, reverse("wishes-api:wish-detail", kwargs={"number": wish.number}))


class WishDetailSerializer(WishSerializer):
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    def get_photos(self, wish: Wish) -> list[str]:
        return [
            _absolute(self.context, reverse("wishes:photo", args=[wish.number, p.pk])) for p in selectors.photos(wish)
        ]

    @extend_schema_field(WishEventSerializer(many=True))
    def get_timeline(self, wish: Wish) -> Any:
        return [WishEventSerializer(e).data for e in selectors.timeline(wish)]


class WishPostInputSerializer(serializers.Serializer[Any]):
    """A wish posted for a resident: pick a registered `person` of your area, or give `name` (+ `phone`)
    and the `community` (and a `building` of it, when known)."""

    title = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=12, help_text="A minor need-category code, e.g. `FIX02`.")
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    community = serializers.IntegerField(required=False, allow_null=True, default=None)
    building = serializers.IntegerField(required=False, allow_null=True, default=None)
    client_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own id of this post; sending it again answers the same wish.",
    )


class WishPostResultSerializer(WishSerializer):
    created = serializers.BooleanField(read_only=True)
    token = serializers.CharField(read_only=True, help_text="The resident's query code; only in the first answer.")
    status_url = serializers.CharField(
        read_only=True, help_text="The resident's status page; only in the first answer."
    )


class WishClaimInputSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Claim for this unit (you are its liaison)."
    )


class WishReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class WishNoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WishFulfilInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=1000, help_text="What was done.")
    photos = serializers.ListField(child=serializers.FileField(), help_text="Multipart: one to six photos.")


class WishTicketSerializer(serializers.Serializer[Wish]):
    """What the resident sees: the steps, the claimant (masked), the evidence."""

    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    category = WishCategoryRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True, source="get_status_display")
    claimant = serializers.CharField(read_only=True, source="claimant_label")
    due_at = serializers.DateTimeField(read_only=True)
    evidence = serializers.CharField(read_only=True)
    fulfilled_at = serializers.DateTimeField(read_only=True)
    confirmed_at = serializers.DateTimeField(read_only=True)
    steps = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_steps(self, wish: Wish) -> list[dict[str, Any]]:
        return [
            {"kind": e.kind, "label": event_label(e.kind), "at": e.at.isoformat()} for e in selectors.timeline(wish)
        ]

    def get_photos(self, wish: Wish) -> list[str]:
        token = self.context.get("token", "")
        return [
            _absolute(self.context, reverse("wishes:h5_photo", args=[wish.number, token, p.pk]))
            for p in selectors.photos(wish)
        ]


class WishTicketConfirmSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WishCandidateReasonSerializer(serializers.Serializer[Any]):
    part = serializers.CharField(help_text="skill, distance, availability or load")
    text = serializers.CharField()
    points = serializers.IntegerField()


class WishCandidateSerializer(serializers.Serializer[Any]):
    """One recommended volunteer (推荐人选) with the parts of the score; staff only."""

    volunteer = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.IntegerField(help_text="0–1000")
    match = serializers.CharField(help_text="exact or class")
    km = serializers.FloatField(allow_null=True)
    available = serializers.BooleanField()
    recent_services = serializers.IntegerField()
    open_assignments = serializers.IntegerField()
    parts = serializers.DictField(child=serializers.IntegerField())
    reasons = WishCandidateReasonSerializer(many=True)
    invited_today = serializers.BooleanField()


class WishCandidatesSerializer(serializers.Serializer[Any]):
    wish = serializers.CharField()
    status = serializers.CharField()
    place = serializers.CharField(
        help_text="How the distances were measured: building (the wish's), home (the resident's), community (its "
        "label point: rough), or empty (unknown: no distance points)."
    )
    candidates = WishCandidateSerializer(many=True)


class WishInviteInputSerializer(serializers.Serializer[Any]):
    volunteer = serializers.IntegerField(min_value=1)


class WishInviteResultSerializer(serializers.Serializer[Any]):
    wish = serializers.CharField()
    volunteer = serializers.IntegerField()
    sent = serializers.BooleanField(help_text="false: already invited to this wish today; nothing was sent")

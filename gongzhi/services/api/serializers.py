"""Shapes of the supply–demand API: the three lists, claims, ordered services and their timeline.

Statuses are plain strings (drf-spectacular would otherwise name several enums `status`); the
resident behind a need appears only masked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from gongzhi.services.models import (
    Need,
    NeedCategory,
    OrderEvent,
    Project,
    ProjectClaim,
    Resource,
    ResourceKind,
    ServiceOrder,
    Urgency,
)
from gongzhi.services.workflow import OrderAction


class NeedCategorySerializer(serializers.ModelSerializer[NeedCategory]):
    parent = serializers.CharField(source="parent.code", read_only=True, default=None)  # type: ignore[assignment]

    class Meta:
        model = NeedCategory
        fields = ("code", "name", "parent", "sort_order")


def _provider(r: Resource) -> dict[str, Any]:
    if r.unit_id is not None:
        return {"type": "unit", "id": r.unit_id, "name": r.unit.name if r.unit else ""}
    if r.team_id is not None:
        return {"type": "team", "id": r.team_id, "name": r.team.name if r.team else ""}
    return {"type": "volunteer", "id": r.volunteer_id, "name": r.volunteer.person.name if r.volunteer else ""}


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    provider = serializers.SerializerMethodField()
    region = serializers.CharField(source="region_code", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = (
            "id",
            "kind",
            "category",
            "title",
            "description",
            "provider",
            "capacity",
            "capacity_unit",
            "availability",
            "days",
            "place",
            "region",
            "is_active",
            "status",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_provider(self, obj: Resource) -> dict[str, Any]:
        return _provider(obj)

    def get_status(self, obj: Resource) -> str:
        return "active" if obj.is_active else "inactive"


class ResourceCreateSerializer(serializers.Serializer[dict[str, Any]]):
    region = serializers.CharField(max_length=15, help_text="Community (12 digits) or street (9 digits) code.")
    category = serializers.CharField(max_length=12, help_text="A need-category code, e.g. `ELD01`.")
    title = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ResourceKind.choices, default=ResourceKind.SERVICE)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    team = serializers.IntegerField(required=False, allow_null=True, default=None)
    volunteer = serializers.IntegerField(required=False, allow_null=True, default=None)
    capacity = serializers.IntegerField(min_value=1, max_value=10000, default=1)
    capacity_unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=127, default=127, help_text="Bit 0 Monday … bit 6 Sunday.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResourceUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    category = serializers.CharField(max_length=12, required=False)
    title = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=10000, required=False)
    capacity_unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    availability = serializers.CharField(max_length=100, required=False, allow_blank=True)
    days = serializers.IntegerField(min_value=1, max_value=127, required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class NeedSerializer(serializers.ModelSerializer[Need]):
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    community = serializers.CharField(source="community.code", read_only=True)
    order = serializers.CharField(source="order.number", read_only=True, default=None)
    resource = serializers.IntegerField(source="resource_id", read_only=True)
    wish = serializers.IntegerField(source="wish_id", read_only=True)

    class Meta:
        model = Need
        fields = (
            "id",
            "category",
            "title",
            "description",
            "source",
            "resident_masked",
            "community",
            "region_code",
            "urgency",
            "status",
            "status_note",
            "resource",
            "order",
            "wish",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class NeedCreateSerializer(serializers.Serializer[dict[str, Any]]):
    community = serializers.CharField(max_length=15)
    category = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    person = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A resident's id (stored; shown masked)."
    )
    resident_name = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="Without a person record: kept masked only.",
    )


class NeedUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    category = serializers.CharField(max_length=12, required=False)
    title = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


class NeedStatusSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=("open", "matched", "met", "closed"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    resource = serializers.IntegerField(required=False, allow_null=True, default=None)
    order = serializers.IntegerField(required=False, allow_null=True, default=None)
    wish = serializers.IntegerField(required=False, allow_null=True, default=None)


class ClaimSerializer(serializers.ModelSerializer[ProjectClaim]):
    unit = serializers.SerializerMethodField()

    class Meta:
        model = ProjectClaim
        fields = (
            "id",
            "project",
            "unit",
            "status",
            "plan",
            "evidence",
            "reason",
            "claimed_at",
            "delivered_at",
            "confirmed_at",
            "withdrawn_at",
        )
        read_only_fields = fields

    def get_unit(self, obj: ProjectClaim) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.name}


class ProjectSerializer(serializers.ModelSerializer[Project]):
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    community = serializers.CharField(source="community.code", read_only=True)
    claims = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = (
            "id",
            "community",
            "category",
            "title",
            "goal",
            "starts_on",
            "ends_on",
            "slots",
            "budget",
            "status",
            "claims",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_claims(self, obj: Project) -> list[dict[str, Any]]:
        rows = obj.claims.select_related("unit").order_by("claimed_at", "id")
        return [dict(ClaimSerializer(c).data) for c in rows]


class ProjectCreateSerializer(serializers.Serializer[dict[str, Any]]):
    community = serializers.CharField(max_length=15)
    category = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=100)
    goal = serializers.CharField(max_length=2000)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    slots = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=Decimal("0"))


class ProjectUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    category = serializers.CharField(max_length=12, required=False, allow_blank=True)
    title = serializers.CharField(max_length=100, required=False)
    goal = serializers.CharField(max_length=2000, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    slots = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)


class ProjectStatusSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=("published", "closed", "done"))


class ClaimInputSerializer(serializers.Serializer[dict[str, Any]]):
    unit = serializers.IntegerField(help_text="A unit you are the liaison of, registered with the community.")
    plan = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClaimActionSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="withdraw: required."
    )
    evidence = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="deliver: what was delivered (required).",
    )
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="confirm: hours served (optional).",
    )


class OrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    class Meta:
        model = OrderEvent
        fields = ("occurred_at", "actor_label", "action", "from_status", "to_status", "note", "data")
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer[ServiceOrder]):
    community = serializers.CharField(source="community.code", read_only=True)
    street = serializers.CharField(source="street.code", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    assignee = serializers.SerializerMethodField()
    accept_overdue = serializers.SerializerMethodField()
    completion_overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ServiceOrder
        fields: tuple[str, ...] = (
            "id",
            "number",
            "community",
            "street",
            "category",
            "title",
            "description",
            "wanted_by",
            "status",
            "assignee",
            "ordered_at",
            "dispatched_at",
            "accept_due",
            "accepted_at",
            "started_at",
            "completed_at",
            "confirmed_at",
            "closed_at",
            "decline_count",
            "decline_reason",
            "completion_note",
            "hours",
            "cancel_reason",
            "send_back_count",
            "send_back_reason",
            "accept_overdue",
            "completion_overdue",
            "actions",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_assignee(self, obj: ServiceOrder) -> dict[str, Any] | None:
        if obj.unit_id is not None:
            return {"type": "unit", "id": obj.unit_id, "name": obj.unit.name if obj.unit else ""}
        if obj.team_id is not None:
            return {"type": "team", "id": obj.team_id, "name": obj.team.name if obj.team else ""}
        return None

    def get_accept_overdue(self, obj: ServiceOrder) -> bool:
        return obj.accept_overdue()

    def get_completion_overdue(self, obj: ServiceOrder) -> bool:
        return obj.completion_overdue()

    def get_actions(self, obj: ServiceOrder) -> list[str]:
        """What the caller may do now (POST /orders/<id>/<action>/)."""
        from gongzhi.services.access import order_parties_of
        from gongzhi.services.workflow import available

        request = self.context.get("request")
        if request is None:
            return []
        return [t.action.value for t in available(obj.status, order_parties_of(request.user, obj))]


class OrderDetailSerializer(OrderSerializer):
    timeline = OrderEventSerializer(source="events", many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = (*OrderSerializer.Meta.fields, "timeline")
        read_only_fields: tuple[str, ...] = fields


class OrderCreateSerializer(serializers.Serializer[dict[str, Any]]):
    community = serializers.CharField(max_length=15)
    category = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    wanted_by = serializers.DateField()
    need = serializers.IntegerField(required=False, allow_null=True, default=None)


class OrderActionSerializer(serializers.Serializer[dict[str, Any]]):
    """One body for every order action; each uses its own fields."""

    unit = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="dispatch")
    team = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="dispatch")
    accept_hours = serializers.IntegerField(min_value=1, max_value=24 * 14, default=24, help_text="dispatch")
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="decline, cancel: required"
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="complete: what was done (required); others: optional",
    )
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None, help_text="confirm: hours served"
    )


ORDER_ACTIONS = tuple(a.value for a in OrderAction)

"""Shapes of the case-loop API: categories, cases (list, detail, intake answer), the resident's ticket,
requests, notifications, indicators, and one input serializer per workflow action.

Statuses of requests and timeline rows are plain strings, not enums: drf-spectacular names an enum
after its field, and two different choice sets under the name `status` would collide.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzhi.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseRequest,
    Category,
    Channel,
    HandlingLevel,
    Notification,
    Rating,
    Resolution,
    Status,
    Whistle,
)
from gongzhi.cases.workflow import Action, Transition

CRS_CHOICES = (("wgs84", "WGS-84 (GPS)"), ("gcj02", "GCJ-02 (Amap, Tencent)"), ("bd09", "BD-09 (Baidu)"))


def _absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# ------------------------------------------------------------------------------ categories


class CategoryRefSerializer(serializers.Serializer[Category]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class AttributeSpecSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField(read_only=True, help_text="Name of the value in `attributes` when filing.")
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    type = serializers.CharField(read_only=True, help_text="`text`, `number` or `choice`.")
    choices = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)
    required = serializers.BooleanField(read_only=True)  # type: ignore[assignment]


class CategorySerializer(serializers.ModelSerializer[Category]):
    """A leaf of the category tree: what a case is filed under."""

    url = serializers.SerializerMethodField()
    family = serializers.SerializerMethodField()
    handling_level = serializers.ChoiceField(choices=HandlingLevel.choices, read_only=True)
    attributes = AttributeSpecSerializer(many=True, read_only=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Category
        fields = (
            "code",
            "url",
            "name",
            "family",
            "handling_level",
            "response_hours",
            "handling_days",
            "attributes",
            "aliases",
        )
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `class` cannot be written as a class attribute; it is the leaf's parent (大类).
        fields["class"] = CategoryRefSerializer(source="parent", read_only=True)
        return fields

    def get_url(self, obj: Category) -> str:
        return _absolute(self.context, reverse("cases-api:category-detail", kwargs={"code": obj.code}))

    @extend_schema_field(CategoryRefSerializer)
    def get_family(self, obj: Category) -> dict[str, str]:
        family = obj.parent.parent if obj.parent is not None else None
        if family is None:
            return {"code": obj.family, "name": ""}
        return {"code": family.code, "name": family.name}


# ------------------------------------------------------------------------------ cases


class DepartmentRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class SuggestionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    confidence = serializers.FloatField(read_only=True, help_text="0–1, from the text classifier.")


def suggestions_of(case: Case) -> list[dict[str, Any]]:
    pairs = [(str(p[0]), float(p[1])) for p in case.suggestions or [] if isinstance(p, list | tuple) and len(p) == 2]
    from gongzhi.cases.routing import category_by_code

    out = []
    for code, conf in pairs:
        category = category_by_code(code)
        out.append({"code": code, "name": category.name if category else "", "confidence": conf})
    return out


class CaseSummarySerializer(serializers.ModelSerializer[Case]):
    """A case in a list."""

    url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields: tuple[str, ...] = (
            "number",
            "url",
            "title",
            "status",
            "status_label",
            "channel",
            "category",
            "region_code",
            "owner_code",
            "department",
            "assignee_code",
            "created_at",
            "response_due",
            "handle_due",
            "is_overdue",
            "supervised",
            "rework_count",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_url(self, obj: Case) -> str:
        return _absolute(self.context, reverse("cases-api:case-detail", kwargs={"number": obj.number}))


class TimelineEntrySerializer(serializers.ModelSerializer[CaseEvent]):
    at = serializers.DateTimeField(source="occurred_at", read_only=True)
    by = serializers.CharField(source="actor_label", read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    data = serializers.DictField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = CaseEvent
        fields = ("at", "action", "from_status", "to_status", "by", "note", "data")
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer[CasePhoto]):
    """A photo; `url` streams it after the same access check as the case (context `photo_url`)."""

    url = serializers.SerializerMethodField()
    stage = serializers.CharField(read_only=True, help_text="`report`, `result`, `verify` or `part`.")

    class Meta:
        model = CasePhoto
        fields = ("id", "stage", "url", "content_type", "width", "height", "size", "uploaded_at")
        read_only_fields = fields

    def get_url(self, obj: CasePhoto) -> str:
        make = self.context["photo_url"]
        return _absolute(self.context, str(make(obj)))


class CaseRequestSerializer(serializers.ModelSerializer[CaseRequest]):
    kind = serializers.CharField(read_only=True, help_text="`suspend` or `extend`.")
    status = serializers.CharField(read_only=True, help_text="`pending`, `approved` or `refused`.")
    requested_by = serializers.SerializerMethodField()
    decide_url = serializers.SerializerMethodField(help_text="POST {approve, note} here (the office in charge).")

    class Meta:
        model = CaseRequest
        fields = (
            "id",
            "kind",
            "days",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_at",
            "decision_note",
            "decide_url",
        )
        read_only_fields = fields

    def get_requested_by(self, obj: CaseRequest) -> str:
        user = obj.requested_by
        return str(user.get_full_name() or user.get_username())

    def get_decide_url(self, obj: CaseRequest) -> str | None:
        if obj.status != "pending":
            return None
        return _absolute(self.context, reverse("cases-api:request-decide", kwargs={"pk": obj.pk}))


class WhistlePartySerializer(serializers.Serializer[Any]):
    department = DepartmentRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True, help_text="`lead`, `assist` or `notify`.")
    reported_in_at = serializers.DateTimeField(read_only=True, allow_null=True)
    part = serializers.CharField(read_only=True)
    part_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class WhistleSerializer(serializers.ModelSerializer[Whistle]):
    parties = serializers.SerializerMethodField()

    class Meta:
        model = Whistle
        fields = ("blown_at", "report_in_due", "note", "parties")
        read_only_fields = fields

    @extend_schema_field(WhistlePartySerializer(many=True))
    def get_parties(self, obj: Whistle) -> list[dict[str, Any]]:
        rows = obj.parties.select_related("department")
        return [dict(WhistlePartySerializer(r, context=self.context).data) for r in rows]


class AvailableActionSerializer(serializers.Serializer[Transition]):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    url = serializers.CharField(
        read_only=True, allow_null=True, help_text="POST here to act; null for deciding requests (see `requests`)."
    )


class CaseDetailSerializer(CaseSummarySerializer):
    """A case with everything its viewer may know: timeline, photos, requests, whistle order, and the
    actions the viewer may take now (context `actions`, computed from the workflow table)."""

    suggestions = serializers.SerializerMethodField()
    suggested_department = DepartmentRefSerializer(read_only=True, allow_null=True)
    duplicate_candidate: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    duplicate_of: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    attributes = serializers.DictField(read_only=True)
    resolution = serializers.CharField(read_only=True, help_text="`solved`, `explained`, `unsolvable` or empty.")
    rating = serializers.CharField(read_only=True, help_text="`satisfied`, `basic`, `unsatisfied` or empty.")
    timeline = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    requests = serializers.SerializerMethodField()
    whistle = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(CaseSummarySerializer.Meta):
        fields = (
            *CaseSummarySerializer.Meta.fields,
            "description",
            "address",
            "lon",
            "lat",
            "attributes",
            "suggestions",
            "suggested_department",
            "duplicate_candidate",
            "duplicate_of",
            "anonymous",
            "reporter_name_masked",
            "reporter_phone_masked",
            "registered_at",
            "dispatched_at",
            "responded_at",
            "handled_at",
            "closed_at",
            "responded_on_time",
            "handled_on_time",
            "closed_on_spot",
            "resolution",
            "result",
            "rating",
            "rating_comment",
            "rated_at",
            "timeline",
            "photos",
            "requests",
            "whistle",
            "available_actions",
        )
        read_only_fields = fields

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, obj: Case) -> list[dict[str, Any]]:
        return suggestions_of(obj)

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj: Case) -> list[dict[str, Any]]:
        rows: serializers.BaseSerializer[Any] = TimelineEntrySerializer(self.context["timeline"], many=True)
        return [dict(r) for r in rows.data]

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: Case) -> list[dict[str, Any]]:
        return [dict(r) for r in PhotoSerializer(self.context["photos"], many=True, context=self.context).data]

    @extend_schema_field(CaseRequestSerializer(many=True))
    def get_requests(self, obj: Case) -> list[dict[str, Any]]:
        rows = obj.requests.select_related("requested_by").order_by("-requested_at", "-id")
        return [dict(r) for r in CaseRequestSerializer(rows, many=True, context=self.context).data]

    @extend_schema_field(WhistleSerializer(allow_null=True))
    def get_whistle(self, obj: Case) -> dict[str, Any] | None:
        whistle = Whistle.objects.filter(case=obj).first()
        return dict(WhistleSerializer(whistle, context=self.context).data) if whistle is not None else None

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj: Case) -> list[dict[str, Any]]:
        return list(self.context["actions"])


class IntakeResultSerializer(serializers.ModelSerializer[Case]):
    """What filing answers: where the case went, and the resident's ticket token (once, on creation)."""

    url = serializers.SerializerMethodField(help_text="The case in the staff API (signed-in users in scope).")
    ticket_url = serializers.SerializerMethodField(help_text="The resident's view: GET with `?token=`.")
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    suggestions = serializers.SerializerMethodField()
    suggested_department = DepartmentRefSerializer(read_only=True, allow_null=True)
    duplicate_candidate: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    token = serializers.SerializerMethodField(
        help_text="The resident's ticket token: shown only in the answer that created the case (201), "
        "null on a replay. Only its digest is stored, so it cannot be shown again."
    )

    class Meta:
        model = Case
        fields = (
            "number",
            "url",
            "ticket_url",
            "status",
            "channel",
            "category",
            "suggestions",
            "suggested_department",
            "region_code",
            "owner_code",
            "address",
            "duplicate_candidate",
            "created_at",
            "response_due",
            "handle_due",
            "closed_on_spot",
            "token",
        )
        read_only_fields = fields

    def get_url(self, obj: Case) -> str:
        return _absolute(self.context, reverse("cases-api:case-detail", kwargs={"number": obj.number}))

    def get_ticket_url(self, obj: Case) -> str:
        return _absolute(self.context, reverse("cases-api:ticket", kwargs={"number": obj.number}))

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, obj: Case) -> list[dict[str, Any]]:
        return suggestions_of(obj)

    def get_token(self, obj: Case) -> str | None:
        token = self.context.get("token") or ""
        return token or None


_DATETIME = serializers.DateTimeField()


def intake_answer(case: Case, context: dict[str, Any]) -> dict[str, Any]:
    """IntakeResultSerializer's output built directly: the answer to every intake request, where the
    serializer machinery cost a fifth of the request's CPU. tests/cases/test_api.py checks the two agree."""
    from gongzhi.cases.routing import department_name

    def when(value: Any) -> Any:
        return None if value is None else _DATETIME.to_representation(value)

    category = case.category
    department_id = case.suggested_department_id
    duplicate = case.duplicate_candidate
    return {
        "number": case.number,
        "url": _absolute(context, reverse("cases-api:case-detail", kwargs={"number": case.number})),
        "ticket_url": _absolute(context, reverse("cases-api:ticket", kwargs={"number": case.number})),
        "status": case.status,
        "channel": case.channel,
        "category": None if category is None else {"code": category.code, "name": category.name},
        "suggestions": suggestions_of(case),
        "suggested_department": None
        if department_id is None
        else {"id": department_id, "name": department_name(department_id)},
        "region_code": case.region_code,
        "owner_code": case.owner_code,
        "address": case.address,
        "duplicate_candidate": None if duplicate is None else duplicate.number,
        "created_at": when(case.created_at),
        "response_due": when(case.response_due),
        "handle_due": when(case.handle_due),
        "closed_on_spot": case.closed_on_spot,
        "token": context.get("token") or None,
    }


# ------------------------------------------------------------------------------ intake input


@extend_schema_field({"type": "object", "additionalProperties": True})
class AttributesField(serializers.Field[dict[str, Any], Any, Any, Any]):
    """An object; in a multipart form, the same object as a JSON string."""

    default_error_messages = {"invalid": _("Give the attributes as an object.")}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return {str(k): v for k, v in data.items()}

    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


class IntakeSerializer(serializers.Serializer[Any]):
    """A report. Give a position (lon + lat, with the coordinate system the device used) or an address
    we can find; an API client without either files in its own area."""

    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=4000, help_text="What is wrong, where, since when.")
    category = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="A leaf code from /categories/."
    )
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    crs = serializers.ChoiceField(choices=CRS_CHOICES, default="wgs84")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attributes = AttributesField(required=False, default=dict, help_text="Values of the category's attributes.")
    reporter_name = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    client_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own id of this report; sending it again answers the same case (as `Idempotency-Key`).",
    )
    close_on_spot = serializers.BooleanField(
        required=False, default=False, help_text="Grid workers only: fixed on the spot (needs `result` and a photo)."
    )
    result = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Multipart only: up to six photos."
    )


# ------------------------------------------------------------------------------ actions


class NoInputSerializer(serializers.Serializer[Any]):
    """Nothing to send."""


class NoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class AcceptInputSerializer(NoteInputSerializer):
    category = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="Set or correct the category."
    )


class MergeInputSerializer(serializers.Serializer[Any]):
    into = serializers.CharField(max_length=20, help_text="Number of the open case to merge into.")


class AssignDownInputSerializer(NoteInputSerializer):
    to = serializers.RegexField(r"^\d{9}$|^\d{12}$", help_text="Code of the street or community directly below.")


class DispatchInputSerializer(NoteInputSerializer):
    department = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Department id.")
    grid = serializers.CharField(
        max_length=15, required=False, allow_blank=True, default="", help_text="Or a grid code."
    )


class WhistleInputSerializer(NoteInputSerializer):
    lead = serializers.IntegerField(help_text="Id of the lead department (主办).")
    assisting = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    notified = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    report_in_hours = serializers.IntegerField(required=False, default=24, min_value=1, max_value=168)


class FinishInputSerializer(serializers.Serializer[Any]):
    result = serializers.CharField(max_length=2000)
    resolution = serializers.ChoiceField(choices=Resolution.choices, default=Resolution.SOLVED)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerifyInputSerializer(NoteInputSerializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerifyFailInputSerializer(VerifyInputSerializer):
    note = serializers.CharField(max_length=300, help_text="What is still wrong.")


class ExtendInputSerializer(ReasonInputSerializer):
    days = serializers.IntegerField(min_value=1, max_value=30, help_text="Working days.")


class SuperviseInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=300)


class PartInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000, help_text="What your department did.")


class RateInputSerializer(serializers.Serializer[Any]):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


ACTION_INPUTS: dict[str, type[serializers.Serializer[Any]]] = {
    Action.ACCEPT: AcceptInputSerializer,
    Action.REJECT: ReasonInputSerializer,
    Action.MERGE: MergeInputSerializer,
    Action.ESCALATE: ReasonInputSerializer,
    Action.ASSIGN_DOWN: AssignDownInputSerializer,
    Action.DISPATCH: DispatchInputSerializer,
    Action.WHISTLE: WhistleInputSerializer,
    Action.SIGN: NoInputSerializer,
    Action.RETURN: ReasonInputSerializer,
    Action.START: NoteInputSerializer,
    Action.FINISH: FinishInputSerializer,
    Action.VERIFY_PASS: VerifyInputSerializer,
    Action.VERIFY_FAIL: VerifyFailInputSerializer,
    Action.REQUEST_SUSPEND: ReasonInputSerializer,
    Action.REQUEST_EXTEND: ExtendInputSerializer,
    Action.RESUME: NoInputSerializer,
    Action.SUPERVISE: SuperviseInputSerializer,
    Action.REPORT_IN: NoInputSerializer,
    Action.SUBMIT_PART: PartInputSerializer,
    Action.RATE: RateInputSerializer,
}


class RevealInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=300, help_text="Why you need the resident's contact (回访…); recorded in the audit trail."
    )


class RevealResultSerializer(serializers.Serializer[Any]):
    phone = serializers.CharField(read_only=True, help_text="The reporter's phone; empty when anonymous or not given.")
    title = serializers.CharField(read_only=True, help_text="The title as the resident typed it.")
    description = serializers.CharField(read_only=True, help_text="The description as the resident typed it.")


class DecideInputSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# ------------------------------------------------------------------------------ resident's ticket


class ProgressEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(read_only=True)
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.CharField(read_only=True)


class TicketPhotoSerializer(serializers.Serializer[CasePhoto]):
    id = serializers.IntegerField(read_only=True)
    stage = serializers.CharField(read_only=True, help_text="`report` or `result`.")
    url = serializers.SerializerMethodField()

    def get_url(self, obj: CasePhoto) -> str:
        return _absolute(self.context, str(self.context["photo_url"](obj)))


class TicketSerializer(serializers.ModelSerializer[Case]):
    """The resident's view of their ticket: progress without staff names, the result, the rating."""

    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    progress = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    resolution = serializers.CharField(read_only=True)
    rating = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    can_rate = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = (
            "number",
            "title",
            "category",
            "status",
            "status_label",
            "is_open",
            "created_at",
            "handle_due",
            "closed_at",
            "progress",
            "resolution",
            "result",
            "photos",
            "rating",
            "rating_comment",
            "rated_at",
            "can_rate",
        )
        read_only_fields = fields

    @extend_schema_field(ProgressEntrySerializer(many=True))
    def get_progress(self, obj: Case) -> list[dict[str, Any]]:
        return list(self.context["progress"])

    @extend_schema_field(TicketPhotoSerializer(many=True))
    def get_photos(self, obj: Case) -> list[dict[str, Any]]:
        return [dict(r) for r in TicketPhotoSerializer(self.context["photos"], many=True, context=self.context).data]

    def get_can_rate(self, obj: Case) -> bool:
        if obj.status != Status.CLOSED or obj.closed_on_spot:
            return False
        return obj.rated_at is None or (obj.closed_at is not None and obj.rated_at < obj.closed_at)


class TicketRateSerializer(RateInputSerializer):
    token = serializers.CharField(max_length=100, help_text="The token printed with the ticket number.")


# ------------------------------------------------------------------------------ inbox, indicators


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    case: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )

    class Meta:
        model = Notification
        fields = ("id", "kind", "message", "case", "created_at", "read_at")
        read_only_fields = fields


class IndicatorQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(required=False, help_text="First day (local calendar); default: this month.")
    end = serializers.DateField(required=False, help_text="Last day, inclusive; default: today.")
    region = serializers.RegexField(r"^\d{6,15}$", required=False, default="", help_text="Region code prefix.")
    group = serializers.ChoiceField(choices=("region", "department", "category", "none"), default="none")
    level = serializers.ChoiceField(
        choices=("street", "community", "grid"),
        required=False,
        help_text="With group=region: the level rows are grouped by (default: one below `region`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]}, code="invalid")
        return attrs


class IndicatorRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Region code, department name, class code, or the region for none.")
    counts = serializers.DictField(child=serializers.IntegerField())
    response_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    solution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)


class IndicatorResultSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    region = serializers.CharField()
    group = serializers.CharField()
    rows = IndicatorRowSerializer(many=True)


class CaseListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    category = serializers.RegexField(
        r"^[A-Z]{2}\d{0,4}$", required=False, help_text="A leaf, class or family code (all below it)."
    )
    region = serializers.RegexField(r"^\d{1,15}$", required=False, help_text="Region code prefix.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only open overdue cases.")
    q = serializers.CharField(max_length=50, required=False, help_text="Ticket number, or words of the title.")


PHOTO_SCHEMA = OpenApiTypes.BINARY

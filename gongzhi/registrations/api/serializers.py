"""Shapes of the 双报到 API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gongzhi.registrations.compliance import CommunityCompliance, MemberHours, UnitCompliance
from gongzhi.registrations.models import (
    JointMeeting,
    MeetingAttendance,
    MemberRegistration,
    UnitContact,
    UnitRegistration,
)


class RegionRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


_STATUS_HELP = "pending, approved, rejected or withdrawn"
_CHANNEL_HELP = "visit, phone, meeting or online"


class UnitRegistrationSerializer(serializers.ModelSerializer[UnitRegistration]):
    status = serializers.CharField(read_only=True, help_text=_STATUS_HELP)
    community = RegionRefSerializer(read_only=True)
    unit = serializers.SerializerMethodField()
    liaison = serializers.SerializerMethodField()

    class Meta:
        model = UnitRegistration
        fields = ("id", "unit", "community", "status", "liaison", "offers", "applied_at", "decided_at", "reason")
        read_only_fields = fields

    def get_unit(self, obj: UnitRegistration) -> dict[str, Any]:
        return {"id": obj.unit_id, "name": obj.unit.name}

    def get_liaison(self, obj: UnitRegistration) -> dict[str, Any] | None:
        if obj.liaison is None:
            return None
        return {"id": obj.liaison_id, "name": obj.liaison.person.name}


class MemberRegistrationSerializer(serializers.ModelSerializer[MemberRegistration]):
    status = serializers.CharField(read_only=True, help_text=_STATUS_HELP)
    community = RegionRefSerializer(read_only=True)
    member = serializers.SerializerMethodField()
    volunteer = serializers.SerializerMethodField()

    class Meta:
        model = MemberRegistration
        fields = ("id", "member", "volunteer", "community", "status", "applied_at", "decided_at", "reason")
        read_only_fields = fields

    def get_member(self, obj: MemberRegistration) -> dict[str, Any]:
        employer = obj.member.employer
        return {"id": obj.member_id, "name": obj.member.person.name, "employer": employer.name if employer else None}

    def get_volunteer(self, obj: MemberRegistration) -> dict[str, Any]:
        v = obj.volunteer
        return {
            "id": v.pk,
            "skills": list(v.skills),
            "available_days": v.available_days,
            "monthly_capacity": v.monthly_capacity,
        }


class UnitApplySerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField()
    community = serializers.IntegerField()
    offers = serializers.CharField(required=False, allow_blank=True, default="")
    liaison = serializers.IntegerField(required=False, allow_null=True, default=None)


class MemberApplySerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField()
    community = serializers.IntegerField()
    skills = serializers.ListField(child=serializers.CharField(max_length=12), required=False, default=list)
    available_days = serializers.IntegerField(required=False, default=0b1111111)
    monthly_capacity = serializers.IntegerField(required=False, default=4)
    username = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LiaisonSerializer(serializers.Serializer[Any]):
    volunteer = serializers.IntegerField()


class ContactSerializer(serializers.ModelSerializer[UnitContact]):
    channel = serializers.CharField(read_only=True, help_text=_CHANNEL_HELP)

    class Meta:
        model = UnitContact
        fields = ("id", "unit", "community", "contacted_on", "channel", "summary", "logged_at")
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer[Any]):
    registration = serializers.IntegerField(help_text="id of the unit's registration with the community")
    contacted_on = serializers.DateField()
    channel = serializers.CharField(max_length=10, help_text=_CHANNEL_HELP)
    summary = serializers.CharField(max_length=300)


class AttendanceSerializer(serializers.ModelSerializer[MeetingAttendance]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MeetingAttendance
        fields = ("id", "unit", "unit_name", "attendee_name", "volunteer", "signed_at")
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer[JointMeeting]):
    region = RegionRefSerializer(read_only=True)
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = JointMeeting
        fields = ("id", "region", "held_on", "subject", "minutes", "attendances")
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer[Any]):
    region = serializers.IntegerField(help_text="id of the community or street holding the meeting")
    held_on = serializers.DateField()
    subject = serializers.CharField(max_length=200)
    minutes = serializers.CharField(required=False, allow_blank=True, default="")


class AttendanceCreateSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField()
    attendee_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    volunteer = serializers.IntegerField(required=False, allow_null=True, default=None)


class ComplianceQuerySerializer(serializers.Serializer[Any]):
    period = serializers.CharField(required=False, help_text="2026-10, 2026-Q4 or 2026; default this month")
    community = serializers.CharField(required=False, help_text="community code; default your first community")


class HoursQuerySerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    community = serializers.CharField(required=False, help_text="community code; default your first community")


class ComplianceItemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField(help_text="met, not_met or pending (the month or quarter is still running)")
    evidence = serializers.DictField()


class UnitComplianceSerializer(serializers.Serializer[Any]):
    registration = serializers.IntegerField(source="registration.pk")
    unit = serializers.DictField()
    overall = serializers.CharField(help_text="compliant, not_compliant or pending")
    months = serializers.ListField(child=serializers.CharField())
    items = ComplianceItemSerializer(many=True)


class ComplianceSerializer(serializers.Serializer[Any]):
    community = RegionRefSerializer()
    period = serializers.CharField()
    totals = serializers.DictField()
    units = UnitComplianceSerializer(many=True)


def compliance_data(board: CommunityCompliance) -> dict[str, Any]:
    def unit(row: UnitCompliance) -> dict[str, Any]:
        return {
            "registration": row.registration.pk,
            "unit": {"id": row.unit.pk, "name": row.unit.name},
            "overall": row.overall.value,
            "months": [m.month.label for m in row.months],
            "items": [
                {"key": i.key, "label": i.label, "status": i.status.value, "evidence": i.evidence} for i in row.items
            ],
        }

    c = board.community
    return {
        "community": {"id": c.pk, "code": c.code, "name": c.name},
        "period": board.period.label,
        "totals": board.totals(),
        "units": [unit(u) for u in board.units],
    }


class MemberHoursSerializer(serializers.Serializer[Any]):
    volunteer = serializers.IntegerField()
    name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    required = serializers.DecimalField(max_digits=8, decimal_places=2)  # type: ignore[assignment]
    shortfall = serializers.DecimalField(max_digits=8, decimal_places=2)
    status = serializers.CharField(help_text="met or short")


class HoursSerializer(serializers.Serializer[Any]):
    community = RegionRefSerializer()
    year = serializers.IntegerField()
    members = MemberHoursSerializer(many=True)


def hours_row(row: MemberHours) -> dict[str, Any]:
    return {
        "volunteer": row.volunteer.pk,
        "name": row.volunteer.person.name,
        "hours": f"{row.hours:.2f}",
        "required": f"{row.required:.2f}",
        "shortfall": f"{row.shortfall:.2f}",
        "status": row.status,
    }

"""Shapes of the volunteers API. Personal data: names, and phones only masked."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from gongzhi.volunteers.models import Activity, Attendance, SignUp, Team, TeamMember, Volunteer


class VolunteerPersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_masked = serializers.CharField()


class VolunteerRegionRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class VolunteerSerializer(serializers.ModelSerializer[Volunteer]):
    person = VolunteerPersonRefSerializer(read_only=True)
    community = VolunteerRegionRefSerializer(read_only=True)
    username = serializers.CharField(source="user.username", default="", read_only=True)

    class Meta:
        model = Volunteer
        fields = (
            "id",
            "person",
            "community",
            "skills",
            "available_days",
            "monthly_capacity",
            "is_active",
            "joined_on",
            "username",
        )
        read_only_fields = fields


class VolunteerCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="The resident's id (GET /api/v1/people/).")
    community = serializers.CharField(max_length=15, help_text="The community's code.")
    skills = serializers.ListField(child=serializers.CharField(max_length=12), required=False, default=list)
    available_days = serializers.IntegerField(
        required=False, default=0b1111111, help_text="Bit 0 Monday … bit 6 Sunday."
    )
    monthly_capacity = serializers.IntegerField(required=False, default=4)
    username = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="With a user name, a sign-in account is created."
    )


class VolunteerCreatedSerializer(VolunteerSerializer):
    temporary_password = serializers.CharField(
        read_only=True,
        help_text="Shown once; the volunteer must change it at the first sign-in. Empty without account.",
    )

    class Meta(VolunteerSerializer.Meta):
        fields = (*VolunteerSerializer.Meta.fields, "temporary_password")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


class VolunteerUpdateSerializer(serializers.Serializer[Any]):
    skills = serializers.ListField(child=serializers.CharField(max_length=12), required=False)
    available_days = serializers.IntegerField(required=False)
    monthly_capacity = serializers.IntegerField(required=False)


class VolunteerReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class TeamMemberSerializer(serializers.ModelSerializer[TeamMember]):
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)
    name = serializers.CharField(source="volunteer.person.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ("volunteer", "name", "joined_on")
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer[Team]):
    community = VolunteerRegionRefSerializer(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True)
    leader = serializers.IntegerField(source="leader_id", read_only=True, allow_null=True)
    members = TeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "community", "unit", "leader", "skills", "founded_on", "is_active", "members")
        read_only_fields = fields


class TeamCreateSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(max_length=15)
    name = serializers.CharField(max_length=100)
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    leader = serializers.IntegerField(required=False, allow_null=True, default=None)
    skills = serializers.ListField(child=serializers.CharField(max_length=12), required=False, default=list)


class VolunteerRefSerializer(serializers.Serializer[Any]):
    volunteer = serializers.IntegerField()


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    community = VolunteerRegionRefSerializer(read_only=True)
    organiser_team = serializers.IntegerField(source="organiser_team_id", read_only=True, allow_null=True)
    organiser_volunteer = serializers.IntegerField(source="organiser_volunteer_id", read_only=True, allow_null=True)
    taken = serializers.IntegerField(read_only=True, help_text="Places taken by current sign-ups.")

    class Meta:
        model = Activity
        fields = (
            "id",
            "title",
            "description",
            "community",
            "organiser_team",
            "organiser_volunteer",
            "category_code",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "taken",
            "status",
        )
        read_only_fields = fields


class ActivityCreateSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(max_length=15)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category_code = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField()
    organiser_team = serializers.IntegerField(required=False, allow_null=True, default=None)
    publish = serializers.BooleanField(required=False, default=False)


class ActivityStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=("open", "closed", "done", "cancelled"))


class SignUpSerializer(serializers.ModelSerializer[SignUp]):
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)

    class Meta:
        model = SignUp
        fields = ("activity", "volunteer", "status", "signed_up_at", "cancelled_at")
        read_only_fields = fields


class ScanTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=80, help_text="The token in the scanned QR code's URL.")


class ActivityAttendanceSerializer(serializers.ModelSerializer[Attendance]):
    activity = serializers.IntegerField(source="activity_id", read_only=True)
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True)

    class Meta:
        model = Attendance
        fields = ("id", "activity", "volunteer", "checked_in_at", "checked_out_at", "hours", "confirmed_at")
        read_only_fields = fields


class AttendanceConfirmSerializer(serializers.Serializer[Any]):
    attendance = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Omit to confirm all."
    )


class AttendanceConfirmResultSerializer(serializers.Serializer[Any]):
    confirmed = ActivityAttendanceSerializer(many=True)

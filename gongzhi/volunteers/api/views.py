"""The volunteers API: the register, teams, activities with sign-up, QR check-in/out and confirmation.

Order of checks as on the pages: no capability for the endpoint → 403; object missing or out of
sight → 404; seen but not the caller's to change → 403; then the body (400); someone acted first
(the last place went) → 409. Participants (volunteers without staff role) use the activity list,
detail, sign-up, cancel, check-in and check-out; team leaders also create and confirm.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.people.selectors import access_person_by_id
from gongzhi.regions.models import Region
from gongzhi.registrations.access import volunteer_of
from gongzhi.volunteers.access import (
    access_activity_by_id,
    access_activity_for_participant,
    access_team_by_id,
    access_volunteer_by_id,
    activities_for,
    activities_open_to,
    teams_for,
    volunteers_for,
)
from gongzhi.volunteers.actions import activities as activity_actions
from gongzhi.volunteers.actions import attendance as attendance_actions
from gongzhi.volunteers.actions import register as register_actions
from gongzhi.volunteers.api.serializers import (
    ActivityAttendanceSerializer,
    ActivityCreateSerializer,
    ActivitySerializer,
    ActivityStatusSerializer,
    AttendanceConfirmResultSerializer,
    AttendanceConfirmSerializer,
    ScanTokenSerializer,
    SignUpSerializer,
    TeamCreateSerializer,
    TeamSerializer,
    VolunteerCreatedSerializer,
    VolunteerCreateSerializer,
    VolunteerReasonSerializer,
    VolunteerRefSerializer,
    VolunteerSerializer,
    VolunteerUpdateSerializer,
)
from gongzhi.volunteers.models import Activity, Attendance, SignUpStatus, Team, Volunteer
from gongzhi.volunteers.views.common import require_participant, require_section


def _region(code: str, field: str = "community") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError.single(field, "unknown", _("No such community."))
    return region


class _Section(viewsets.GenericViewSet[Any]):
    section_cap: Cap = Cap.SERVICES_VIEW
    pagination_class = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_section(request.user, self.section_cap)


# ── volunteers ───────────────────────────────────────────────────────────────────────────────────


@extend_schema_view(
    list=extend_schema(summary="List volunteers", responses={200: VolunteerSerializer(many=True)}),
    retrieve=extend_schema(summary="Volunteer detail", responses={200: VolunteerSerializer, **error_responses(404)}),
)
class VolunteerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Section):
    """Volunteers in your `services.view` sight; writes need `services.manage` over their community."""

    serializer_class = VolunteerSerializer

    def get_queryset(self) -> QuerySet[Volunteer]:
        return (
            volunteers_for(self.request.user)
            .select_related("person", "community", "user")
            .order_by("region_code", "person__name", "pk")
        )

    def get_object(self) -> Volunteer:
        return access_volunteer_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Register a volunteer",
        request=VolunteerCreateSerializer,
        responses={201: VolunteerCreatedSerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        require_section(request.user, Cap.SERVICES_MANAGE)
        data = VolunteerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = access_person_by_id(request.user, v["person"])
        volunteer, temporary = register_actions.do_register_volunteer(
            actor=request.user,
            person=person,
            community=_region(v["community"]),
            skills=v["skills"],
            available_days=v["available_days"],
            monthly_capacity=v["monthly_capacity"],
            username=v["username"],
        )
        volunteer.temporary_password = temporary  # type: ignore[attr-defined]
        return Response(
            VolunteerCreatedSerializer(volunteer).data,
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},
        )

    @extend_schema(
        summary="Change skills, days or capacity",
        request=VolunteerUpdateSerializer,
        responses={200: VolunteerSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        volunteer = self.get_object()
        data = VolunteerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = register_actions.do_update_volunteer(actor=request.user, volunteer=volunteer, **data.validated_data)
        return Response(VolunteerSerializer(access_volunteer_by_id(request.user, updated.pk)).data)

    @extend_schema(
        summary="Take a volunteer off the register",
        request=VolunteerReasonSerializer,
        responses={200: VolunteerSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        volunteer = self.get_object()
        data = VolunteerReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        register_actions.do_deactivate_volunteer(
            actor=request.user, volunteer=volunteer, reason=data.validated_data["reason"]
        )
        return Response(VolunteerSerializer(access_volunteer_by_id(request.user, volunteer.pk)).data)


# ── teams ────────────────────────────────────────────────────────────────────────────────────────


@extend_schema_view(
    list=extend_schema(summary="List teams", responses={200: TeamSerializer(many=True)}),
    retrieve=extend_schema(summary="Team detail", responses={200: TeamSerializer, **error_responses(404)}),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Section):
    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        return (
            teams_for(self.request.user)
            .select_related("community")
            .prefetch_related("members__volunteer__person")
            .order_by("region_code", "name")
        )

    def get_object(self) -> Team:
        return access_team_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Set up a team",
        request=TeamCreateSerializer,
        responses={201: TeamSerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        require_section(request.user, Cap.SERVICES_MANAGE)
        data = TeamCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        leader = access_volunteer_by_id(request.user, v["leader"]) if v["leader"] else None
        unit = Unit.objects.filter(pk=v["unit"]).first() if v["unit"] else None
        if v["unit"] and unit is None:
            raise DomainError.single("unit", "unknown", _("No such unit."))
        team = register_actions.do_create_team(
            actor=request.user,
            community=_region(v["community"]),
            name=v["name"],
            unit=unit,
            leader=leader,
            skills=v["skills"],
        )
        return Response(TeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a member",
        request=VolunteerRefSerializer,
        responses={201: TeamSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str) -> Response:
        team = self.get_object()
        data = VolunteerRefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = access_volunteer_by_id(request.user, data.validated_data["volunteer"])
        register_actions.do_add_team_member(actor=request.user, team=team, volunteer=volunteer)
        return Response(TeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a member", request=None, responses={204: None, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<volunteer_id>\d+)")
    def remove_member(self, request: Request, pk: str, volunteer_id: str) -> Response:
        team = self.get_object()
        volunteer = access_volunteer_by_id(request.user, int(volunteer_id))
        register_actions.do_remove_team_member(actor=request.user, team=team, volunteer=volunteer)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ── activities ───────────────────────────────────────────────────────────────────────────────────


def _annotated(rows: QuerySet[Activity]) -> QuerySet[Activity]:
    return rows.select_related("community").annotate(
        taken=Count("signups", filter=Q(signups__status=SignUpStatus.SIGNED_UP))
    )


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        description="Staff: activities in their sight. A participant: published activities of the communities "
        "they serve, and those they signed up for.",
        responses={200: ActivitySerializer(many=True)},
    ),
    retrieve=extend_schema(summary="Activity detail", responses={200: ActivitySerializer, **error_responses(404)}),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Activity]):
    serializer_class = ActivitySerializer
    pagination_class = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if volunteer_of(request.user) is None:
            require_section(request.user, Cap.SERVICES_VIEW)

    def get_queryset(self) -> QuerySet[Activity]:
        user = self.request.user
        volunteer = volunteer_of(user)
        rows = activities_for(user)
        if volunteer is not None:
            rows = activities_open_to(volunteer) | rows
        return _annotated(rows.distinct()).order_by("-starts_at", "-pk")

    def get_object(self) -> Activity:
        pk = int(self.kwargs["pk"])
        user = self.request.user
        try:
            access_activity_by_id(user, pk)
        except NotFound:
            volunteer = volunteer_of(user)
            if volunteer is None:
                raise
            access_activity_for_participant(volunteer, pk)
        return _annotated(Activity.objects.filter(pk=pk)).get()

    @extend_schema(
        summary="Create an activity",
        description="Staff with `services.manage` over the community, or the leader of the organising team.",
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        data = ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = Team.objects.filter(pk=v["organiser_team"]).first() if v["organiser_team"] else None
        if v["organiser_team"] and team is None:
            raise DomainError.single("organiser_team", "unknown", _("No such team."))
        activity = activity_actions.do_create_activity(
            actor=request.user,
            community=_region(v["community"]),
            title=v["title"],
            description=v["description"],
            category_code=v["category_code"],
            starts_at=v["starts_at"],
            ends_at=v["ends_at"],
            place=v["place"],
            capacity=v["capacity"],
            organiser_team=team,
            publish=v["publish"],
        )
        return Response(
            ActivitySerializer(_annotated(Activity.objects.filter(pk=activity.pk)).get()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change the status",
        request=ActivityStatusSerializer,
        responses={200: ActivitySerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        data = ActivityStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity_actions.do_set_activity_status(
            actor=request.user, activity_id=int(pk), status=data.validated_data["status"]
        )
        return Response(ActivitySerializer(self.get_object()).data)

    @extend_schema(
        summary="Sign up", request=None, responses={201: SignUpSerializer, **error_responses(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request: Request, pk: str) -> Response:
        require_participant(request.user)
        signup = activity_actions.do_sign_up(actor=request.user, activity_id=int(pk))
        return Response(SignUpSerializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel the sign-up", request=None, responses={200: SignUpSerializer, **error_responses(400, 403, 404)}
    )
    @action(detail=True, methods=["post"], url_path="cancel-sign-up")
    def cancel_sign_up(self, request: Request, pk: str) -> Response:
        require_participant(request.user)
        signup = activity_actions.do_cancel_sign_up(actor=request.user, activity_id=int(pk))
        return Response(SignUpSerializer(signup).data)

    @extend_schema(
        summary="Check in with the scanned token",
        request=ScanTokenSerializer,
        responses={200: ActivityAttendanceSerializer, **error_responses(400, 403)},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str) -> Response:
        require_participant(request.user)
        data = ScanTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = attendance_actions.do_check_in(
            actor=request.user, token=data.validated_data["token"], activity_id=int(pk)
        )
        return Response(ActivityAttendanceSerializer(attendance).data)

    @extend_schema(
        summary="Check out with the scanned token",
        request=ScanTokenSerializer,
        responses={200: ActivityAttendanceSerializer, **error_responses(400, 403)},
    )
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: Request, pk: str) -> Response:
        require_participant(request.user)
        data = ScanTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = attendance_actions.do_check_out(
            actor=request.user, token=data.validated_data["token"], activity_id=int(pk)
        )
        return Response(ActivityAttendanceSerializer(attendance).data)

    @extend_schema(
        summary="Attendance", responses={200: ActivityAttendanceSerializer(many=True), **error_responses(404)}
    )
    @action(detail=True, methods=["get"])
    def attendance(self, request: Request, pk: str) -> Response:
        activity = access_activity_by_id(request.user, int(pk))
        rows = Attendance.objects.filter(activity=activity).order_by("checked_in_at", "pk")
        return Response(ActivityAttendanceSerializer(rows, many=True).data)

    @extend_schema(
        summary="Confirm attendance",
        description="One (`attendance`) or every checked-out one; confirming again credits nothing more.",
        request=AttendanceConfirmSerializer,
        responses={200: AttendanceConfirmResultSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        data = AttendanceConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance_id = data.validated_data["attendance"]
        if attendance_id:
            row, created = attendance_actions.do_confirm_attendance(
                actor=request.user, activity_id=int(pk), attendance_id=attendance_id
            )
            confirmed = [row] if created else []
        else:
            confirmed = attendance_actions.do_confirm_all(actor=request.user, activity_id=int(pk))
        return Response({"confirmed": ActivityAttendanceSerializer(confirmed, many=True).data})

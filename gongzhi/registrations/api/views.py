"""/api/v1/registrations/…: registrations (list, apply, decide, withdraw, liaison), contacts, joint
meetings and attendance, the 五个一 board and members' hours. For staff: every endpoint needs
`services.view` somewhere (else 403); writes need `services.manage` (the actions check it: 403
without it anywhere, 404 for objects outside it, 400 for refused input, 409 when already decided).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.access import capability_scope
from gongzhi.core.api.errors import api_error
from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.regions.models import Region
from gongzhi.registrations import actions
from gongzhi.registrations.access import (
    access_meeting_by_id,
    access_member_registration_by_id,
    access_unit_registration_by_id,
    communities_for,
    meetings_for,
    member_registrations_for,
    require_capability,
    unit_registrations_for,
)
from gongzhi.registrations.api.serializers import (
    AttendanceCreateSerializer,
    AttendanceSerializer,
    ComplianceQuerySerializer,
    ComplianceSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    DecideSerializer,
    HoursQuerySerializer,
    HoursSerializer,
    LiaisonSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MemberApplySerializer,
    MemberRegistrationSerializer,
    UnitApplySerializer,
    UnitRegistrationSerializer,
    WithdrawSerializer,
    compliance_data,
    hours_row,
)
from gongzhi.registrations.compliance import community_compliance, community_member_hours
from gongzhi.registrations.models import MemberRegistration, UnitContact, UnitRegistration
from gongzhi.registrations.periods import Period, parse_period


class _Section(viewsets.GenericViewSet[Any]):
    pagination_class = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_capability(request.user, Cap.SERVICES_VIEW)


def _filtered(queryset: QuerySet[Any], request: Request) -> QuerySet[Any]:
    status_ = request.query_params.get("status")
    community = request.query_params.get("community")
    if status_:
        queryset = queryset.filter(status=status_)
    if community:
        queryset = queryset.filter(region_code=community)
    return queryset


_LIST_DOC = "Filter with `?status=pending|approved|rejected|withdrawn` and `?community=<code>`."


@extend_schema_view(
    list=extend_schema(summary="Unit registrations", description=_LIST_DOC),
    retrieve=extend_schema(
        summary="A unit registration", responses={200: UnitRegistrationSerializer, **error_responses(404)}
    ),
)
class UnitRegistrationViewSet(_Section, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = UnitRegistrationSerializer

    def get_queryset(self) -> QuerySet[UnitRegistration]:
        return _filtered(unit_registrations_for(self.request.user), self.request)

    def get_object(self) -> UnitRegistration:
        return access_unit_registration_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Register a unit with a community",
        request=UnitApplySerializer,
        responses={201: UnitRegistrationSerializer, **error_responses(400, 404)},
    )
    def create(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_MANAGE)
        data = UnitApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = actions.do_apply_unit_registration(
            actor=request.user,
            unit_id=data.validated_data["unit"],
            community_id=data.validated_data["community"],
            offers=data.validated_data["offers"],
            liaison_id=data.validated_data["liaison"],
        )
        return Response(UnitRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve or reject (a reason is required to reject)",
        request=DecideSerializer,
        responses={200: UnitRegistrationSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        return _decide(request, actions.UNIT, int(pk))

    @extend_schema(
        summary="Withdraw the registration",
        request=WithdrawSerializer,
        responses={200: UnitRegistrationSerializer, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return _withdraw(request, actions.UNIT, int(pk))

    @extend_schema(
        summary="Name the unit's liaison (a volunteer)",
        request=LiaisonSerializer,
        responses={200: UnitRegistrationSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def liaison(self, request: Request, pk: str) -> Response:
        data = LiaisonSerializer(data=request.data)
        require_capability(request.user, Cap.SERVICES_MANAGE)
        access_unit_registration_by_id(request.user, int(pk), Cap.SERVICES_MANAGE)
        data.is_valid(raise_exception=True)
        registration = actions.do_set_unit_liaison(
            actor=request.user, registration_id=int(pk), volunteer_id=data.validated_data["volunteer"]
        )
        return Response(UnitRegistrationSerializer(registration).data)


def _decide(request: Request, kind: str, pk: int) -> Response:
    require_capability(request.user, Cap.SERVICES_MANAGE)
    _access(request, kind, pk, Cap.SERVICES_MANAGE)
    data = DecideSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    registration = actions.do_decide_registration(
        actor=request.user,
        kind=kind,
        registration_id=pk,
        approve=data.validated_data["approve"],
        reason=data.validated_data["reason"],
    )
    return Response(_serialized(registration))


def _withdraw(request: Request, kind: str, pk: int) -> Response:
    data = WithdrawSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    registration = actions.do_withdraw_registration(
        actor=request.user, kind=kind, registration_id=pk, reason=data.validated_data["reason"]
    )
    return Response(_serialized(registration))


def _access(request: Request, kind: str, pk: int, cap: Cap) -> None:
    if kind == actions.UNIT:
        access_unit_registration_by_id(request.user, pk, cap)
    else:
        access_member_registration_by_id(request.user, pk, cap)


def _serialized(registration: UnitRegistration | MemberRegistration) -> dict[str, Any]:
    if isinstance(registration, UnitRegistration):
        return dict(UnitRegistrationSerializer(registration).data)
    return dict(MemberRegistrationSerializer(registration).data)


@extend_schema_view(
    list=extend_schema(summary="In-service members' registrations", description=_LIST_DOC),
    retrieve=extend_schema(
        summary="A member registration", responses={200: MemberRegistrationSerializer, **error_responses(404)}
    ),
)
class MemberRegistrationViewSet(_Section, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = MemberRegistrationSerializer

    def get_queryset(self) -> QuerySet[MemberRegistration]:
        return _filtered(member_registrations_for(self.request.user), self.request)

    def get_object(self) -> MemberRegistration:
        return access_member_registration_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Register an in-service party member with a community",
        description="Creates or reuses the member's volunteer profile with the skills (need-category codes), "
        "available days (bit 0 = Monday) and monthly capacity; `username` links an existing participant account.",
        request=MemberApplySerializer,
        responses={201: MemberRegistrationSerializer, **error_responses(400, 404)},
    )
    def create(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_MANAGE)
        data = MemberApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        registration = actions.do_apply_member_registration(
            actor=request.user,
            member_id=v["member"],
            community_id=v["community"],
            skills=v["skills"],
            available_days=v["available_days"],
            monthly_capacity=v["monthly_capacity"],
            username=v["username"],
        )
        return Response(MemberRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve or reject (a reason is required to reject)",
        request=DecideSerializer,
        responses={200: MemberRegistrationSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        return _decide(request, actions.MEMBER, int(pk))

    @extend_schema(
        summary="Withdraw the registration",
        request=WithdrawSerializer,
        responses={200: MemberRegistrationSerializer, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return _withdraw(request, actions.MEMBER, int(pk))


@extend_schema_view(
    list=extend_schema(summary="Contacts with registered units", description="Filter with `?unit=<id>`."),
)
class ContactViewSet(_Section, mixins.ListModelMixin):
    serializer_class = ContactSerializer

    def get_queryset(self) -> QuerySet[UnitContact]:
        queryset = UnitContact.objects.filter(capability_scope(self.request.user, Cap.SERVICES_VIEW).q("region_code"))
        unit = self.request.query_params.get("unit", "")
        return queryset.filter(unit_id=int(unit)) if unit.isdigit() else queryset

    @extend_schema(
        summary="Log a contact with a registered unit (每月联系)",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, **error_responses(400, 404)},
    )
    def create(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_MANAGE)
        data = ContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contact = actions.do_log_unit_contact(
            actor=request.user,
            registration_id=v["registration"],
            contacted_on=v["contacted_on"],
            channel=v["channel"],
            summary=v["summary"],
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Joint meetings (联席会议)"),
    retrieve=extend_schema(summary="A joint meeting", responses={200: MeetingSerializer, **error_responses(404)}),
)
class MeetingViewSet(_Section, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return meetings_for(self.request.user).prefetch_related("attendances__unit")

    def get_object(self) -> Any:
        return access_meeting_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Record a joint meeting of a community or a street",
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, **error_responses(400, 404)},
    )
    def create(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_MANAGE)
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting = actions.do_create_joint_meeting(
            actor=request.user, region_id=v["region"], held_on=v["held_on"], subject=v["subject"], minutes=v["minutes"]
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark a unit's attendance",
        request=AttendanceCreateSerializer,
        responses={201: AttendanceSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        require_capability(request.user, Cap.SERVICES_MANAGE)
        access_meeting_by_id(request.user, int(pk), Cap.SERVICES_MANAGE)
        data = AttendanceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        attendance = actions.do_mark_attendance(
            actor=request.user,
            meeting_id=int(pk),
            unit_id=v["unit"],
            attendee_name=v["attendee_name"],
            volunteer_id=v["volunteer"],
        )
        return Response(AttendanceSerializer(attendance).data, status=status.HTTP_201_CREATED)


def _community(request: Request, code: str | None) -> Region:
    communities = communities_for(request.user)
    community = communities.filter(code=code).first() if code else communities.first()
    if community is None:
        raise Http404
    return community


class ComplianceView(APIView):
    @extend_schema(
        summary="五个一 compliance of a community's registered units",
        description="Each item met / not_met / pending with its evidence, computed from contacts, meeting "
        "sign-ins, teams and service records; overall compliant only when all five are met.",
        parameters=[ComplianceQuerySerializer],
        responses={200: ComplianceSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_VIEW)
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        community = _community(request, query.validated_data.get("community"))
        text = query.validated_data.get("period")
        try:
            period = parse_period(text) if text else Period.current_month(timezone.localdate())
        except ValueError:
            raise api_error(
                exceptions.ValidationError, "period", "invalid", _("Give the period as 2026-10, 2026-Q4 or 2026.")
            ) from None
        return Response(compliance_data(community_compliance(community, period)))


class HoursView(APIView):
    @extend_schema(
        summary="Yearly service hours of a community's registered in-service members",
        parameters=[HoursQuerySerializer],
        responses={200: HoursSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, Cap.SERVICES_VIEW)
        query = HoursQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        community = _community(request, query.validated_data.get("community"))
        year = query.validated_data.get("year") or timezone.localdate().year
        rows = community_member_hours(community, year)
        return Response(
            {
                "community": {"id": community.pk, "code": community.code, "name": community.name},
                "year": year,
                "members": [hours_row(r) for r in rows],
            }
        )

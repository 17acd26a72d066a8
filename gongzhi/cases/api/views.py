"""The case loop's REST API: categories, intake, scoped cases with one endpoint per workflow action,
request decisions, the resident's ticket and rating, indicators and the inbox.

Order of checks, as elsewhere in the API: not signed in → 403 (401 where an API key may be used);
object missing or outside the caller's sight → 404; visible but the act is not the caller's → 403;
only then is the body validated (400); a case that moved on meanwhile → 409. Reads go through
`cases.access` / `cases.selectors`, writes through `cases.actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, SessionAuthentication
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from gongzhi.cases import indicators, selectors
from gongzhi.cases.access import (
    Viewer,
    access_case_by_id,
    access_case_by_number,
    access_case_by_ticket,
    cases_for,
    parties_of,
    viewer_of,
)
from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import Report, do_file_case
from gongzhi.cases.actions.notifications import do_mark_all_notifications_read, do_mark_notification_read
from gongzhi.cases.actions.privacy import do_reveal_case_contact, may_reveal
from gongzhi.cases.api.auth import (
    ApiKeyAuthentication,
    IntakeThrottle,
    IsUserOrApiClient,
    TicketThrottle,
    api_client_of,
)
from gongzhi.cases.api.serializers import (
    ACTION_INPUTS,
    PHOTO_SCHEMA,
    CaseDetailSerializer,
    CaseListQuerySerializer,
    CaseSummarySerializer,
    CategorySerializer,
    DecideInputSerializer,
    IndicatorQuerySerializer,
    IndicatorResultSerializer,
    IntakeResultSerializer,
    IntakeSerializer,
    NotificationSerializer,
    RevealInputSerializer,
    RevealResultSerializer,
    TicketRateSerializer,
    TicketSerializer,
    intake_answer,
)
from gongzhi.cases.models import (
    Case,
    CasePhoto,
    CaseRequest,
    Category,
    Channel,
    Notification,
    PhotoStage,
    RequestKind,
    Status,
)
from gongzhi.cases.photos import clean_photos
from gongzhi.cases.workflow import BY_ACTION, Action, available, transition
from gongzhi.core.access import has_capability
from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound

NUMBER_PATTERN = r"[0-9A-Za-z-]{1,20}"
_STAFF_AUTH: list[type[BaseAuthentication]] = [SessionAuthentication, BasicAuthentication]
_KEY_OR_STAFF_AUTH: list[type[BaseAuthentication]] = [ApiKeyAuthentication, *_STAFF_AUTH]
_NO_STORE = {"Cache-Control": "no-store"}
_LEVEL_LEN = {"street": 9, "community": 12, "grid": 15}
# The resident sees the report and result photos, and the steps without who took them or their notes.
_RESIDENT_STAGES = (PhotoStage.REPORT, PhotoStage.RESULT)
_STEP_LABELS: dict[str, Any] = {"file": gettext_lazy("Reported")}


class FirstRenderer(BaseContentNegotiation):
    """For file downloads: the view answers a file whatever the Accept header says."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


def _photo_response(photo: CasePhoto) -> FileResponse:
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


_PHOTO_ID = OpenApiParameter("photo_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Photo id.")
_PHOTO_RESPONSES: dict[Any, Any] = {
    (200, "image/*"): OpenApiResponse(PHOTO_SCHEMA, description="The photo (JPEG, PNG or WebP)."),
    **error_responses(404),
}


# ------------------------------------------------------------------------------ categories


@extend_schema_view(
    list=extend_schema(
        summary="List categories",
        description="The leaves of the category tree a case can be filed under, with their handling level, "
        "limits and required attributes. Signed-in users and API clients (`Authorization: ApiKey …`).",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Part of the leaf's or its class's name.")],
        responses={200: CategorySerializer(many=True), **error_responses(401)},
    ),
    retrieve=extend_schema(summary="Category detail", responses={200: CategorySerializer, **error_responses(401, 404)}),
)
class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Category]):
    serializer_class = CategorySerializer
    authentication_classes = _KEY_OR_STAFF_AUTH
    permission_classes = [IsUserOrApiClient]
    pagination_class = LimitOffset
    filter_backends: list[Any] = []
    queryset = Category.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_field = "code"
    lookup_value_regex = r"[A-Z]{2}\d{4}"

    def get_queryset(self) -> QuerySet[Category]:
        text = self.request.query_params.get("q", "").strip()[:50]
        if text:
            return selectors.search_categories(text, limit=LimitOffset.max_limit)
        return selectors.leaf_categories()

    def get_object(self) -> Category:
        found = selectors.leaf_categories().filter(code=self.kwargs["code"]).first()
        if found is None:
            raise NotFound(self.kwargs["code"])
        return found


# ------------------------------------------------------------------------------ cases


def _photo_url_for(case: Case) -> Callable[[CasePhoto], str]:
    return lambda p: reverse("cases-api:case-photo", kwargs={"number": case.number, "photo_id": p.pk})


def _action_url(case: Case, name: str) -> str:
    return reverse("cases-api:case-action", kwargs={"number": case.number, "action_name": name})


def available_actions(case: Case, viewer: Viewer, request: Request) -> list[dict[str, Any]]:
    out = []
    for tr in available(case.status, parties_of(viewer, case)):
        if tr.action in ACTION_INPUTS:
            url: str | None = request.build_absolute_uri(_action_url(case, tr.action))
        elif tr.action == Action.DECIDE_REQUEST:
            url = None
        else:
            continue  # steps the system takes (send to verification) or intake flags (close on the spot)
        out.append({"action": str(tr.action), "label": str(tr.label), "url": url})
    return out


def case_detail(request: Request, case: Case, viewer: Viewer) -> dict[str, Any]:
    context = {
        "request": request,
        "timeline": selectors.timeline(case),
        "photos": selectors.photos(case),
        "photo_url": _photo_url_for(case),
        "actions": available_actions(case, viewer, request),
    }
    return dict(CaseDetailSerializer(case, context=context).data)


_DETAIL_RELATED = ("category", "department", "suggested_department", "duplicate_candidate", "duplicate_of")


def _refetch(request: Request, number: str, viewer: Viewer) -> Case:
    access_case_by_number(request.user, number, viewer)
    return Case.objects.select_related(*_DETAIL_RELATED).get(number=number)


def _run_action(name: str, actor: Actor, case: Case, data: dict[str, Any]) -> None:
    cid = case.pk
    photos = clean_photos(data.get("photos")) if data.get("photos") else None
    if name == Action.ACCEPT:
        t.do_accept_case(actor=actor, case_id=cid, category_code=data["category"], note=data["note"])
    elif name == Action.REJECT:
        t.do_reject_case(actor=actor, case_id=cid, reason=data["reason"])
    elif name == Action.MERGE:
        t.do_merge_case(actor=actor, case_id=cid, into_number=data["into"])
    elif name == Action.ESCALATE:
        t.do_escalate_case(actor=actor, case_id=cid, reason=data["reason"])
    elif name == Action.ASSIGN_DOWN:
        t.do_assign_down_case(actor=actor, case_id=cid, to_code=data["to"], note=data["note"])
    elif name == Action.DISPATCH:
        t.do_dispatch_case(
            actor=actor, case_id=cid, department_id=data["department"], grid_code=data["grid"], note=data["note"]
        )
    elif name == Action.WHISTLE:
        t.do_blow_whistle(
            actor=actor,
            case_id=cid,
            lead_department_id=data["lead"],
            assisting_ids=data["assisting"],
            notified_ids=data["notified"],
            report_in_hours=data["report_in_hours"],
            note=data["note"],
        )
    elif name == Action.SIGN:
        t.do_sign_case(actor=actor, case_id=cid)
    elif name == Action.RETURN:
        t.do_return_case(actor=actor, case_id=cid, reason=data["reason"])
    elif name == Action.START:
        t.do_start_case(actor=actor, case_id=cid, note=data["note"])
    elif name == Action.FINISH:
        t.do_finish_case(actor=actor, case_id=cid, result=data["result"], resolution=data["resolution"], photos=photos)
    elif name in (Action.VERIFY_PASS, Action.VERIFY_FAIL):
        passed = name == Action.VERIFY_PASS
        t.do_verify_case(actor=actor, case_id=cid, passed=passed, note=data["note"], photos=photos)
    elif name == Action.REQUEST_SUSPEND:
        t.do_request_change(actor=actor, case_id=cid, kind=RequestKind.SUSPEND, reason=data["reason"])
    elif name == Action.REQUEST_EXTEND:
        t.do_request_change(actor=actor, case_id=cid, kind=RequestKind.EXTEND, reason=data["reason"], days=data["days"])
    elif name == Action.RESUME:
        t.do_resume_case(actor=actor, case_id=cid)
    elif name == Action.SUPERVISE:
        t.do_supervise_case(actor=actor, case_id=cid, note=data["note"])
    elif name == Action.REPORT_IN:
        t.do_report_in(actor=actor, case_id=cid)
    elif name == Action.SUBMIT_PART:
        t.do_submit_part(actor=actor, case_id=cid, text=data["text"])
    elif name == Action.RATE:
        t.do_rate_case(actor=actor, case_id=cid, rating=data["rating"], comment=data["comment"])
    else:  # pragma: no cover - ACTION_INPUTS and this dispatch are kept in step
        raise NotFound(name)


_ACTION_BODY = PolymorphicProxySerializer(
    component_name="CaseActionInput",
    serializers=sorted(set(ACTION_INPUTS.values()), key=attrgetter("__name__")),
    resource_type_field_name=None,
)
_ACTION_DOC = "\n".join(
    f"- `{name}` ({BY_ACTION[Action(name)].label}): " + (", ".join(f"`{f}`" for f in serializer().fields) or "no body")
    for name, serializer in ACTION_INPUTS.items()
)

_INTAKE_EXAMPLE = OpenApiExample(
    "report",
    value={
        "title": "工地夜间扬尘严重",
        "description": "小区东侧工地晚上渣土车进出，扬尘很大。",
        "category": "SJ0302",
        "lon": 118.81,
        "lat": 32.15,
        "crs": "wgs84",
        "reporter_name": "王秀英",
        "reporter_phone": "13912345678",
        "client_key": "app-20250301-000017",
    },
    request_only=True,
)


# DRF deep-copies a serializer's declared fields on every instantiation, a tenth of intake's Python time
# per report. The fields keep no per-request state, so one instance validates every intake body, the way
# a list serializer reuses its child; errors come out exactly as `is_valid(raise_exception=True)` gives them.
_INTAKE_BODY = IntakeSerializer()


@extend_schema_view(
    list=extend_schema(
        summary="List cases",
        description="Cases you may see (your jurisdiction's, or those sent to your department), newest first.",
        parameters=[CaseListQuerySerializer],
        responses={200: CaseSummarySerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Case detail",
        description="With the timeline, photos, requests, the whistle order and the actions you may take now.",
        responses={200: CaseDetailSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="File a case",
        description="A signed-in user files as `staff` (grid workers as `patrol`, who may also close on the spot "
        "with `close_on_spot`, `result` and photos); another system files with `Authorization: ApiKey <key>` as "
        "`api`, in its own area when the report has no position. JSON, or multipart with `photos`. Idempotent: the "
        "same `Idempotency-Key` header (or `client_key`) from the same caller answers the same case with 200 "
        "instead of 201. API clients are limited to 60 reports a minute (429 beyond).",
        request={"application/json": IntakeSerializer, "multipart/form-data": IntakeSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, description="Same as `client_key`."
            )
        ],
        responses={
            201: IntakeResultSerializer,
            200: OpenApiResponse(IntakeResultSerializer, description="Replay: the case filed before."),
            **error_responses(400, 401, 429),
        },
        examples=[_INTAKE_EXAMPLE],
    ),
)
class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Case]
):
    authentication_classes = _KEY_OR_STAFF_AUTH
    pagination_class = LimitOffset
    filter_backends: list[Any] = []
    queryset = Case.objects.none()  # the model, for the schema; rows come from get_queryset
    lookup_field = "number"
    lookup_value_regex = NUMBER_PATTERN

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [IsUserOrApiClient()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [IntakeThrottle()] if self.action == "create" else []

    def get_authenticate_header(self, request: Request) -> str | None:  # type: ignore[override]
        # Only intake takes a key; everywhere else an anonymous caller gets the API's usual 403.
        return super().get_authenticate_header(request) if self.action == "create" else None

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return IntakeSerializer
        if self.action == "list":
            return CaseSummarySerializer
        return CaseDetailSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cases_for(self.request.user).select_related("category", "department").order_by("-created_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        f = selectors.CaseFilter(
            status=q.get("status", ""),
            category=q.get("category", ""),
            region=q.get("region", ""),
            channel=q.get("channel", ""),
            overdue=bool(q.get("overdue")),
            text=q.get("q", ""),
        )
        page = self.paginate_queryset(selectors.apply_filter(self.get_queryset(), f))
        data = CaseSummarySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        viewer = viewer_of(request.user)
        case = _refetch(request, self.kwargs["number"], viewer)
        return Response(case_detail(request, case, viewer))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        client = api_client_of(request)
        if client is None and not has_capability(request.user, Cap.CASES_REPORT):
            raise PermissionDenied(Cap.CASES_REPORT)
        d = _INTAKE_BODY.run_validation(request.data)
        header_key = request.headers.get("Idempotency-Key", "").strip()
        if header_key and d["client_key"] and header_key != d["client_key"]:
            raise DomainError.single(
                "client_key", "key_mismatch", _("The Idempotency-Key header and client_key differ.")
            )
        client_key = header_key or d["client_key"]
        photos = clean_photos(d["photos"]) if d["photos"] else None
        report = Report(
            channel=Channel.API,
            title=d["title"],
            description=d["description"],
            category_code=d["category"].strip(),
            lon=d["lon"],
            lat=d["lat"],
            crs=d["crs"],
            address=d["address"].strip(),
            attributes=d["attributes"],
            reporter_name=d["reporter_name"],
            reporter_phone=d["reporter_phone"].strip(),
            anonymous=d["anonymous"],
            client_key=client_key,
            close_on_spot=d["close_on_spot"],
            result=d["result"],
        )
        if client is not None:
            actor = Actor()
            report.source = f"client:{client.pk}"
            report.region_hint = client.region.code
        else:
            actor = Actor.of(request.user)
            field = viewer_of(request.user).field_handle
            report.channel = Channel.PATROL if field.everything or field.prefixes else Channel.STAFF
            report.source = f"user:{request.user.pk}"
        filed = do_file_case(actor=actor, report=report, photos=photos)
        # A new case is answered from the object just written (its category and duplicate are already
        # attached); only a replay reads the stored case again.
        case = (
            filed.case
            if filed.created
            else Case.objects.select_related("category", "suggested_department", "duplicate_candidate").get(
                pk=filed.case.pk
            )
        )
        context = {"request": request, "token": filed.token if filed.created else ""}
        return Response(
            intake_answer(case, context),
            status=status.HTTP_201_CREATED if filed.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="A photo of the case",
        description="Streams the file after the same access check as the case.",
        parameters=[_PHOTO_ID],
        responses=_PHOTO_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"photos/(?P<photo_id>\d+)",
        url_name="photo",
        content_negotiation_class=FirstRenderer,
        pagination_class=None,
    )
    def photo(self, request: Request, number: str, photo_id: str) -> FileResponse:
        case = access_case_by_number(request.user, number)
        photo = selectors.photos(case).filter(pk=int(photo_id)).first()
        if photo is None:
            raise NotFound(photo_id)
        return _photo_response(photo)

    @extend_schema(
        summary="Show the reporter's contact",
        description="The reporter's phone and the title and description as typed (intake masks phone and ID "
        "numbers in the text), for the office in charge, the department handling the case and the grid worker "
        "it was given to — 403 for anyone else who can see it. The reason is recorded with your account in the "
        "audit trail (`case.reveal`). Signed-in staff only. The answer carries `Cache-Control: no-store`; do "
        "not keep the values.",
        request=RevealInputSerializer,
        responses={200: RevealResultSerializer, **error_responses(400, 404)},
        examples=[
            OpenApiExample("request", value={"reason": "电话回访处理结果"}, request_only=True),
            OpenApiExample(
                "answer",
                value={"phone": "13912345678", "title": "工地夜间扬尘", "description": "请联系我13912345678"},
                response_only=True,
            ),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reveal",
        url_name="reveal",
        pagination_class=None,
        authentication_classes=_STAFF_AUTH,
    )
    def reveal(self, request: Request, number: str) -> Response:
        viewer = viewer_of(request.user)
        case = access_case_by_number(request.user, number, viewer)
        # Before the body: a caller without a part learns nothing from a 400 about their input.
        if not may_reveal(parties_of(viewer, case)):
            raise PermissionDenied("case.reveal")
        body = RevealInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revealed = do_reveal_case_contact(
            actor=Actor.of(request.user), case_id=case.pk, reason=body.validated_data["reason"]
        )
        data = {"phone": revealed.phone, "title": revealed.title, "description": revealed.description}
        return Response(data, headers=_NO_STORE)

    @extend_schema(
        summary="Act on a case",
        description="One endpoint for every step of the workflow; the body depends on the action:\n\n"
        + _ACTION_DOC
        + "\n\nPhotos (finish, verify) as multipart `photos`. Answers the case as you now see it (a case that left "
        "your sight, e.g. after returning it, is answered without its timeline). 403 when the step is not yours, "
        "409 when the case has moved on (someone acted first).",
        parameters=[
            OpenApiParameter(
                "action_name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(ACTION_INPUTS), description="Step."
            )
        ],
        request={"application/json": _ACTION_BODY, "multipart/form-data": _ACTION_BODY},
        responses={200: CaseDetailSerializer, **error_responses(400, 404, 409)},
        examples=[
            OpenApiExample("dispatch", value={"department": 3, "note": "请尽快处置"}, request_only=True),
            OpenApiExample("finish", value={"result": "已督促工地覆盖渣土", "resolution": "solved"}, request_only=True),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<action_name>[a-z_]+)",
        url_name="action",
        pagination_class=None,
    )
    def act(self, request: Request, number: str, action_name: str) -> Response:
        viewer = viewer_of(request.user)
        case = access_case_by_number(request.user, number, viewer)
        if action_name not in ACTION_INPUTS:
            raise NotFound(action_name)
        if not transition(action_name).parties & parties_of(viewer, case):
            raise PermissionDenied(action_name)
        body = ACTION_INPUTS[action_name](data=request.data)
        body.is_valid(raise_exception=True)
        _run_action(action_name, Actor.of(request.user), case, dict(body.validated_data))
        viewer = viewer_of(request.user)
        try:
            fresh = _refetch(request, number, viewer)
        except NotFound:
            gone = Case.objects.select_related("category", "department").get(pk=case.pk)
            return Response(CaseSummarySerializer(gone, context={"request": request}).data)
        return Response(case_detail(request, fresh, viewer))


@extend_schema(
    summary="Decide a suspension or extension request",
    description="The office in charge approves or refuses a handler's request (挂起/延期审批).",
    request=DecideInputSerializer,
    responses={200: CaseDetailSerializer, **error_responses(400, 404, 409)},
)
class RequestDecideView(APIView):
    def post(self, request: Request, pk: int) -> Response:
        found = CaseRequest.objects.filter(pk=pk).values_list("case_id", flat=True).first()
        if found is None:
            raise NotFound(pk)
        viewer = viewer_of(request.user)
        case = access_case_by_id(request.user, found, viewer)
        if not transition(Action.DECIDE_REQUEST).parties & parties_of(viewer, case):
            raise PermissionDenied(Action.DECIDE_REQUEST)
        body = DecideInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        t.do_decide_request(
            actor=Actor.of(request.user),
            request_id=pk,
            approve=body.validated_data["approve"],
            note=body.validated_data["note"],
        )
        fresh = _refetch(request, case.number, viewer_of(request.user))
        return Response(case_detail(request, fresh, viewer_of(request.user)))


# ------------------------------------------------------------------------------ the resident's ticket


def _step_label(name: str) -> str:
    if name in _STEP_LABELS:
        return str(_STEP_LABELS[name])
    try:
        return str(BY_ACTION[Action(name)].label)
    except (ValueError, KeyError):
        return name


def ticket_data(request: Request, case: Case, token: str) -> dict[str, Any]:
    progress = []
    for event in selectors.timeline(case):
        if event.to_status == event.from_status and event.action != Action.RATE:
            continue  # notes, supervision, report-ins: the office's business
        step_status = event.to_status or case.status
        progress.append(
            {
                "at": event.occurred_at,
                "action": event.action,
                "label": _step_label(event.action),
                "status": step_status,
                "status_label": str(Status(step_status).label) if step_status in Status.values else step_status,
            }
        )
    context = {
        "request": request,
        "progress": progress,
        "photos": selectors.photos(case).filter(stage__in=_RESIDENT_STAGES),
        "photo_url": lambda p: (
            reverse("cases-api:ticket-photo", kwargs={"number": case.number, "photo_id": p.pk})
            + f"?token={quote(token)}"
        ),
    }
    return dict(TicketSerializer(case, context=context).data)


_TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="The ticket's token."
)


class _ResidentView(APIView):
    """No sign-in: the ticket number and its token are the credential."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_classes = [TicketThrottle]


@extend_schema(
    summary="The resident's view of a ticket",
    description="Status, progress (no staff names), the result, photos and the rating. A wrong token answers "
    "404, exactly like an unknown number.",
    parameters=[_TOKEN],
    responses={200: TicketSerializer, **error_responses(404, 429)},
    auth=[],
)
class TicketView(_ResidentView):
    def get(self, request: Request, number: str) -> Response:
        token = request.query_params.get("token", "")
        return Response(ticket_data(request, access_case_by_ticket(number, token), token))


@extend_schema(
    summary="Rate the result (the resident)",
    description="满意 `satisfied`, 基本满意 `basic` or 不满意 `unsatisfied`, once per closure; 不满意 sends the case "
    "back for rework. Wrong token → 404.",
    request=TicketRateSerializer,
    responses={200: TicketSerializer, **error_responses(400, 404, 409, 429)},
    auth=[],
)
class TicketRateView(_ResidentView):
    def post(self, request: Request, number: str) -> Response:
        body = TicketRateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = body.validated_data["token"]
        case = access_case_by_ticket(number, token)
        t.do_rate_case(
            actor=Actor(ticket_token=token),
            case_id=case.pk,
            rating=body.validated_data["rating"],
            comment=body.validated_data["comment"],
        )
        return Response(ticket_data(request, access_case_by_ticket(number, token), token))


@extend_schema(
    summary="A photo of the ticket (the resident)",
    parameters=[_PHOTO_ID, _TOKEN],
    responses=_PHOTO_RESPONSES,
    auth=[],
)
class TicketPhotoView(_ResidentView):
    content_negotiation_class = FirstRenderer

    def get(self, request: Request, number: str, photo_id: int) -> FileResponse:
        case = access_case_by_ticket(number, request.query_params.get("token", ""))
        photo = selectors.photos(case).filter(pk=photo_id, stage__in=_RESIDENT_STAGES).first()
        if photo is None:
            raise NotFound(photo_id)
        return _photo_response(photo)


# ------------------------------------------------------------------------------ indicators


@extend_schema(
    summary="Indicators",
    description="Response, on-time, solution, satisfaction and rework rates and the weighted score of the cases you "
    "may see, reported between `start` and `end` (docs/indicators.md). Needs `kpi.view`. The same numbers as the "
    "indicator pages: both call `cases.indicators.compute`.",
    parameters=[IndicatorQuerySerializer],
    responses={200: IndicatorResultSerializer, **error_responses(400)},
)
class IndicatorsView(APIView):
    def get(self, request: Request) -> Response:
        if not has_capability(request.user, Cap.KPI_VIEW):
            raise PermissionDenied(Cap.KPI_VIEW)
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        today = timezone.localdate()
        start, end = q.get("start") or today.replace(day=1), q.get("end") or today
        if start > end:
            raise DomainError.single("start", "invalid", _("The end is before the start."))
        rows = indicators.compute(
            cases_for(request.user),
            start=start,
            end=end,
            region=q["region"],
            group=q["group"],
            region_level_len=_LEVEL_LEN.get(q.get("level", ""), 0),
        )
        data = {
            "start": start,
            "end": end,
            "region": q["region"],
            "group": q["group"],
            "rows": [r.as_dict() for r in rows],
        }
        return Response(IndicatorResultSerializer(data).data)


# ------------------------------------------------------------------------------ inbox


@extend_schema_view(
    list=extend_schema(
        summary="My notifications",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones (`1`/`true`).")],
        responses={200: NotificationSerializer(many=True)},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    serializer_class = NotificationSerializer
    pagination_class = LimitOffset
    filter_backends: list[Any] = []
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        return selectors.notifications_for(self.request.user, unread_only=unread)

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses={200: NotificationSerializer, **error_responses(404)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def read(self, request: Request, pk: str) -> Response:
        row = do_mark_notification_read(actor=Actor.of(request.user), notification_id=int(pk))
        return Response(NotificationSerializer(row).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses={200: OpenApiResponse(description='`{"marked": n}`'), **error_responses()},
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all", pagination_class=None)
    def read_all(self, request: Request) -> Response:
        return Response({"marked": do_mark_all_notifications_read(actor=Actor.of(request.user))})

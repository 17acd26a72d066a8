"""The micro-wish REST API: scoped wishes, posting for a resident (idempotent), one endpoint per act,
and the resident's ticket (no sign-in).

Order of checks: not signed in → 403; neither a participant nor staff with `services.view` → 403; the
wish missing or outside the caller's sight → 404; the act is not the caller's → 403; invalid input →
400; someone acted first (e.g. already claimed) → 409. Reads go through `wishes.access` and
`wishes.selectors`, writes through `wishes.actions`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.cases.api.auth import TicketThrottle
from gongzhi.cases.photos import clean_photos
from gongzhi.core.access import has_capability
from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.services.matching.explain import as_dict
from gongzhi.wishes import selectors
from gongzhi.wishes.access import (
    Participant,
    access_wish_by_number,
    access_wish_by_ticket,
    may_invite,
    participant_of,
    staff_sees,
    wishes_for,
)
from gongzhi.wishes.actions import (
    Actor,
    WishDraft,
    do_cancel_wish,
    do_claim_wish,
    do_confirm_wish,
    do_fulfil_wish,
    do_invite_to_claim,
    do_post_wish,
    do_release_claim,
)
from gongzhi.wishes.api.serializers import (
    WishCandidatesSerializer,
    WishClaimInputSerializer,
    WishDetailSerializer,
    WishFulfilInputSerializer,
    WishInviteInputSerializer,
    WishInviteResultSerializer,
    WishNoteInputSerializer,
    WishPostInputSerializer,
    WishPostResultSerializer,
    WishReasonInputSerializer,
    WishSerializer,
    WishTicketConfirmSerializer,
    WishTicketSerializer,
)
from gongzhi.wishes.models import BoardLevel, Wish, WishChannel, WishStatus
from gongzhi.wishes.recommend import invited_on, wish_candidates, wish_place

NUMBER_PATTERN = r"W[0-9]{6,12}"
_CARD = ("category__parent", "community", "claimant_volunteer__person", "claimant_unit")


def _participant(request: Request) -> Participant:
    participant: Participant | None = getattr(request, "_wish_participant", None)
    if participant is None:
        participant = participant_of(request.user)
        request._wish_participant = participant  # type: ignore[attr-defined]
    return participant


def _require_standing(request: Request) -> Participant:
    participant = _participant(request)
    if not participant.is_participant and not has_capability(request.user, Cap.SERVICES_VIEW):
        raise PermissionDenied(Cap.SERVICES_VIEW)
    return participant


def _context(request: Request, wish: Wish) -> dict[str, Any]:
    return {
        "request": request,
        "staff": staff_sees(request.user, wish),
        "claimant": _participant(request).is_claimant(wish),
    }


_LIST_PARAMS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="open, claimed, fulfilled, confirmed, cancelled, expired"),
    OpenApiParameter("board", OpenApiTypes.STR, description="community or street"),
    OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the wishes you or your units claimed."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List wishes",
        description="Staff: the wishes of their `services.view` area. Participants: the open wishes of their boards "
        "and the ones they claimed. Filter with `status=open` for the board.",
        parameters=_LIST_PARAMS,
        responses={200: WishSerializer(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(summary="A wish", responses={200: WishDetailSerializer, **error_responses(403, 404)}),
)
class WishViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Wish]):
    serializer_class = WishSerializer
    pagination_class = LimitOffset
    filter_backends: list[Any] = []
    queryset = Wish.objects.none()
    lookup_field = "number"
    lookup_value_regex = NUMBER_PATTERN
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Wish]:
        participant = _require_standing(self.request)
        rows = wishes_for(self.request.user, participant)
        params = self.request.query_params
        if params.get("status", "") in WishStatus.values:
            rows = rows.filter(status=params["status"])
        if params.get("board", "") in BoardLevel.values:
            rows = rows.filter(board_level=params["board"])
        if params.get("mine", "").lower() in ("1", "true", "yes"):
            rows = rows.filter(pk__in=selectors.claimed_by(participant).values("pk"))
        return rows.select_related(*_CARD).order_by("-created_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.get_queryset()
        page = self.paginate_queryset(rows)
        staff_scope = has_capability(request.user, Cap.SERVICES_VIEW)
        participant = _participant(request)
        data = [
            WishSerializer(
                w,
                context={
                    "request": request,
                    "staff": staff_scope and staff_sees(request.user, w),
                    "claimant": participant.is_claimant(w),
                },
            ).data
            for w in (page if page is not None else rows)
        ]
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_object(self) -> Wish:
        participant = _require_standing(self.request)
        return access_wish_by_number(self.request.user, self.kwargs["number"], participant)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wish = self.get_object()
        return Response(WishDetailSerializer(wish, context=_context(request, wish)).data)

    def _answer(self, request: Request, wish: Wish) -> Response:
        wish = access_wish_by_number(request.user, wish.number, _participant(request))
        return Response(WishDetailSerializer(wish, context=_context(request, wish)).data)

    @extend_schema(
        summary="Post a wish for a resident",
        description="Grid workers and community or street staff (`services.report`) in their area. Idempotent by "
        "`client_key`: the same key answers the wish posted before (200, no token).",
        request=WishPostInputSerializer,
        responses={
            201: WishPostResultSerializer,
            200: OpenApiResponse(WishPostResultSerializer, description="Replay: the wish posted before."),
            **error_responses(400, 403),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not has_capability(request.user, Cap.SERVICES_REPORT):
            raise PermissionDenied(Cap.SERVICES_REPORT)
        body = WishPostInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        key = request.headers.get("Idempotency-Key", "") or data["client_key"]
        posted = do_post_wish(
            actor=Actor.of(request.user),
            draft=WishDraft(
                title=data["title"],
                description=data["description"],
                category_code=data["category"],
                person_id=data["person"],
                name=data["name"],
                phone=data["phone"],
                community_id=data["community"],
                building_id=data["building"],
                channel=WishChannel.API,
                client_key=key,
            ),
        )
        answer = dict(WishSerializer(posted.wish, context=_context(request, posted.wish)).data)
        answer["created"] = posted.created
        answer["token"] = posted.token
        answer["status_url"] = (
            request.build_absolute_uri(reverse("wishes:h5_status", args=[posted.wish.number, posted.token]))
            if posted.token
            else ""
        )
        return Response(answer, status=status.HTTP_201_CREATED if posted.created else status.HTTP_200_OK)

    @extend_schema(
        summary="Claim a wish",
        description="As yourself (a volunteer who may serve in the wish's community), or for `unit` as its liaison. "
        "Exactly one claimant: a wish claimed already answers 409.",
        request=WishClaimInputSerializer,
        responses={200: WishDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, number: str) -> Response:
        _require_standing(request)
        wish = Wish.objects.filter(number=number).first()
        if wish is None:
            raise NotFound(number)
        body = WishClaimInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        claimed = do_claim_wish(actor=Actor.of(request.user), wish_id=wish.pk, unit_id=body.validated_data["unit"])
        return self._answer(request, claimed)

    @extend_schema(
        summary="Give a claimed wish back",
        request=WishReasonInputSerializer,
        responses={200: WishDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        body = WishReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_release_claim(actor=Actor.of(request.user), wish_id=wish.pk, reason=body.validated_data["reason"])
        return self._answer(request, wish)

    @extend_schema(
        summary="Report a wish fulfilled",
        description="The claimant, multipart with `note` and one to six `photos` (JPEG, PNG or WebP, 8 MB each).",
        request={"multipart/form-data": WishFulfilInputSerializer},
        responses={200: WishDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        files = request.FILES.getlist("photos") if hasattr(request.FILES, "getlist") else []
        photos = clean_photos(list(files))
        do_fulfil_wish(
            actor=Actor.of(request.user), wish_id=wish.pk, note=str(request.data.get("note", "")), photos=photos
        )
        return self._answer(request, wish)

    @extend_schema(
        summary="Confirm for the resident",
        description="Staff with `services.report` where the wish is; records the service hours and points.",
        request=WishNoteInputSerializer,
        responses={200: WishDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        body = WishNoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_confirm_wish(actor=Actor.of(request.user), wish_id=wish.pk, note=body.validated_data["note"])
        return self._answer(request, wish)

    @extend_schema(
        summary="Withdraw a wish",
        request=WishReasonInputSerializer,
        responses={200: WishDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        body = WishReasonInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        do_cancel_wish(actor=Actor.of(request.user), wish_id=wish.pk, reason=body.validated_data["reason"])
        return self._answer(request, wish)

    @extend_schema(
        summary="Recommended people for a wish (推荐人选)",
        description="Staff with `services.manage` or `services.report` where the wish is: the top five volunteers who "
        "may claim it, by skill, distance from the resident's building, availability today and recent load, each "
        "with the parts of the score explained. Empty once the wish is no longer open.",
        responses={200: WishCandidatesSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def candidates(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        if not may_invite(request.user, wish):
            raise PermissionDenied(Cap.SERVICES_REPORT)
        rows: list[dict[str, Any]] = []
        place = wish_place(wish)
        if wish.status == WishStatus.OPEN:
            invited = invited_on([wish.pk])
            ranked = wish_candidates(wish, place=place)
            rows = [as_dict(c, invited=(wish.pk, c.volunteer.pk) in invited) for c in ranked]
        return Response({"wish": wish.number, "status": wish.status, "place": place.source, "candidates": rows})

    @extend_schema(
        summary="Invite a volunteer to claim a wish (邀请认领)",
        description="Staff with `services.manage` or `services.report` where the wish is. The volunteer must serve "
        "where the wish's boards are (400 otherwise); a wish no longer open answers 409. Once a day per volunteer: "
        "a repeat answers `sent: false` and sends nothing.",
        request=WishInviteInputSerializer,
        responses={200: WishInviteResultSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, number: str) -> Response:
        wish = self.get_object()
        body = WishInviteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = do_invite_to_claim(
            actor=Actor.of(request.user), wish_id=wish.pk, volunteer_id=body.validated_data["volunteer"]
        )
        return Response({"wish": wish.number, "volunteer": invitation.volunteer.pk, "sent": invitation.sent})


_TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="The query code."
)


class _ResidentView(APIView):
    """No sign-in: the wish number and its token are the credential."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_classes = [TicketThrottle]


@extend_schema(
    summary="The resident's view of a wish",
    description="Status, steps, the claimant (masked) and the evidence. A wrong token answers 404 like an "
    "unknown number.",
    parameters=[_TOKEN],
    responses={200: WishTicketSerializer, **error_responses(404, 429)},
    auth=[],
)
class WishTicketView(_ResidentView):
    def get(self, request: Request, number: str) -> Response:
        token = request.query_params.get("token", "")
        wish = access_wish_by_ticket(number, token)
        return Response(WishTicketSerializer(wish, context={"request": request, "token": token}).data)


@extend_schema(
    summary="Confirm a wish fulfilled (the resident)",
    request=WishTicketConfirmSerializer,
    responses={200: WishTicketSerializer, **error_responses(400, 404, 409, 429)},
    auth=[],
)
class WishTicketConfirmView(_ResidentView):
    def post(self, request: Request, number: str) -> Response:
        body = WishTicketConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = body.validated_data["token"]
        wish = access_wish_by_ticket(number, token)
        do_confirm_wish(actor=Actor(ticket_token=token), wish_id=wish.pk, note=body.validated_data["note"])
        wish = access_wish_by_ticket(number, token)
        return Response(WishTicketSerializer(wish, context={"request": request, "token": token}).data)

"""The points API: my balance and statement, stations and their catalogue, redeeming; for staff a
person's statement and reversals.

Order of checks as on the pages: not a participant (or not staff) → 403 (/points/me/: 404); object
missing or out of scope → 404; the act not the caller's → 403; body invalid or refused → 400.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.access import has_capability
from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.points import actions, selectors
from gongzhi.points.api.serializers import (
    EntrySerializer,
    ItemSerializer,
    MyPointsSerializer,
    RedeemRequestSerializer,
    RedemptionSerializer,
    ReverseRequestSerializer,
    StationSerializer,
    TransactionSerializer,
)
from gongzhi.points.models import Redemption, Station
from gongzhi.registrations.access import volunteer_of


def _paginated(view: APIView, request: Request, rows: QuerySet[Any], **extra: Any) -> Response:
    paginator = LimitOffset()
    page = paginator.paginate_queryset(rows, request, view=view)
    response = paginator.get_paginated_response(EntrySerializer(page, many=True).data)
    response.data = {**extra, **response.data}
    return response


class MyPointsView(APIView):
    @extend_schema(
        summary="My points",
        description="The signed-in participant's balance and statement (newest first, `?limit=&offset=`). "
        "404 for users without a volunteer profile.",
        responses={200: MyPointsSerializer, **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        volunteer = volunteer_of(request.user)
        if volunteer is None:
            raise NotFound("me")
        account = selectors.account_of(volunteer)
        if account is None:
            return Response({"balance": 0, "count": 0, "next": None, "previous": None, "results": []})
        return _paginated(self, request, selectors.statement(account), balance=account.balance)


def _require_participant_or_staff(request: Request) -> None:
    if volunteer_of(request.user) is None and not selectors.is_staff(request.user):
        raise PermissionDenied


@extend_schema_view(
    list=extend_schema(
        summary="Love stations",
        description="Open stations of the communities the participant serves in; for staff every station in "
        "their jurisdiction (`services.view`).",
        responses={200: StationSerializer(many=True), **error_responses(403)},
    ),
    retrieve=extend_schema(summary="Love station", responses={200: StationSerializer, **error_responses(404)}),
)
class StationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Station]):
    serializer_class = StationSerializer
    pagination_class = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _require_participant_or_staff(request)

    def get_queryset(self) -> QuerySet[Station]:
        return selectors.stations_for(self.request.user).select_related("community").order_by("region_code", "name")

    def get_object(self) -> Station:
        return selectors.access_station_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="A station's catalogue",
        description="Items on offer with their cost in points and stock (staff managing the station also see "
        "items taken off offer).",
        responses={200: ItemSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def items(self, request: Request, pk: str) -> Response:
        station = self.get_object()
        manage = selectors.can_manage(request.user, station.region_code)
        return Response(ItemSerializer(selectors.catalogue(station, everything=manage), many=True).data)


def redemption_body(redemption: Redemption) -> dict[str, Any]:
    return {
        "code": redemption.code,
        "item": redemption.item_id,
        "item_name": redemption.item.name,
        "station": redemption.item.station_id,
        "quantity": redemption.quantity,
        "points": max(abs(e.amount) for e in redemption.transaction.entries.all()),
        "balance": selectors.balance_of(redemption.volunteer),
        "created_at": redemption.created_at,
    }


class RedemptionViewSet(viewsets.GenericViewSet[Redemption]):
    serializer_class = RedemptionSerializer

    @extend_schema(
        summary="Redeem an item",
        description="The signed-in participant exchanges points for an item of a station in a community they "
        "serve in. Refused with 400 `insufficient_points` or `out_of_stock`; nothing is written then.",
        request=RedeemRequestSerializer,
        responses={201: RedemptionSerializer, **error_responses(400, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        volunteer = volunteer_of(request.user)
        if volunteer is None:
            raise PermissionDenied
        body = RedeemRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = selectors.access_item_by_id(request.user, body.validated_data["item"])
        redemption = actions.do_redeem_item(
            actor=request.user, volunteer=volunteer, item=item, quantity=body.validated_data["quantity"]
        )
        return Response(RedemptionSerializer(redemption_body(redemption)).data, status=status.HTTP_201_CREATED)


class StaffViewSet(viewsets.GenericViewSet[Any]):
    section_cap: Cap
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not has_capability(request.user, self.section_cap):
            raise PermissionDenied(self.section_cap)


class AccountViewSet(StaffViewSet):
    section_cap = Cap.SERVICES_VIEW
    serializer_class = EntrySerializer

    @extend_schema(
        summary="A points account's statement",
        description="Entries newest first with the running balance (`services.view` over the account's "
        "community, or over a community where it took part in a transaction).",
        responses={200: MyPointsSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def statement(self, request: Request, pk: str) -> Response:
        account = selectors.access_account_by_id(request.user, int(pk))
        return _paginated(
            self, request, selectors.statement(account), balance=account.balance, account=account.pk, kind=account.kind
        )


class TransactionViewSet(StaffViewSet):
    section_cap = Cap.SERVICES_MANAGE
    serializer_class = TransactionSerializer

    @extend_schema(
        summary="Reverse a transaction",
        description="Writes the mirror transaction (kind `reverse`); a reversed redemption returns its stock. "
        "Refused (400) for a reversal, a transaction reversed already, or when the member has spent the points.",
        request=ReverseRequestSerializer,
        responses={201: TransactionSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        txn = selectors.access_transaction_by_id(request.user, int(pk))
        body = ReverseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = actions.do_reverse_transaction(
            actor=request.user, transaction_id=txn.pk, reason=body.validated_data["reason"]
        )
        return Response(TransactionSerializer(reversal).data, status=status.HTTP_201_CREATED)

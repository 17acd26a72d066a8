"""/api/v1/ of the supply–demand loop: resources, needs, projects (+claims), ordered services (+actions).

Order of checks, as elsewhere in the API: not signed in, or neither service staff nor a participant
→ 403; object missing or out of sight → 404; visible but the act is not the caller's → 403; only
then is the body validated (400); an order or project that moved on → 409. Reads come from
services.access / selectors, writes go through services.actions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Person, Unit
from gongzhi.regions.models import Region
from gongzhi.services import selectors
from gongzhi.services.access import (
    access_claim_by_id,
    access_need_by_id,
    access_order_by_id,
    access_project_by_id,
    access_resource_by_id,
    needs_for,
    orders_for,
    projects_for,
    resources_for,
)
from gongzhi.services.actions import lists, orders, projects
from gongzhi.services.api import serializers as s
from gongzhi.services.models import NeedCategory, Project, ServiceOrder
from gongzhi.services.views.common import require_staff_or_participant
from gongzhi.services.workflow import OrderAction
from gongzhi.volunteers.models import Team, Volunteer


def _region(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def _get(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError.single(field, "does_not_exist", "No such object.")
    return found


class _ServiceViewSet(viewsets.GenericViewSet[Any]):
    permission_classes = [IsAuthenticated]
    pagination_class: type[LimitOffset] | None = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_staff_or_participant(request.user)

    def _filters(self) -> selectors.HubFilters:
        q = self.request.query_params
        return selectors.HubFilters(
            region=q.get("region", "")[:15],
            category=q.get("category", "")[:12],
            status=q.get("status", "")[:12],
            q=q.get("q", "")[:50],
        )


@extend_schema_view(list=extend_schema(summary="The need taxonomy (major and minor classes)"))
class NeedCategoryViewSet(mixins.ListModelMixin, _ServiceViewSet):
    serializer_class = s.NeedCategorySerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[NeedCategory]:
        return NeedCategory.objects.filter(is_active=True).select_related("parent")


@extend_schema_view(
    list=extend_schema(summary="资源清单: resources in sight (filters: region, category, status=active|inactive, q)"),
    retrieve=extend_schema(summary="One resource", responses={200: s.ResourceSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Offer a resource",
        request=s.ResourceCreateSerializer,
        responses={201: s.ResourceSerializer, **error_responses(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a resource",
        request=s.ResourceUpdateSerializer,
        responses={200: s.ResourceSerializer, **error_responses(400, 404)},
    ),
)
class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ServiceViewSet):
    serializer_class = s.ResourceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            return selectors.hub_resources(self.request.user, self._filters())
        return resources_for(self.request.user)

    def get_object(self) -> Any:
        return access_resource_by_id(self.request.user, int(self.kwargs["pk"]))

    def create(self, request: Request) -> Response:
        body = s.ResourceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        resource = lists.do_create_resource(
            actor=request.user,
            region=_region(d["region"]),
            category_code=d["category"],
            title=d["title"],
            kind=d["kind"],
            description=d["description"],
            capacity=d["capacity"],
            capacity_unit=d["capacity_unit"],
            availability=d["availability"],
            days=d["days"],
            place=d["place"],
            unit=_get(Unit, d["unit"], "unit"),
            team=_get(Team, d["team"], "team"),
            volunteer=_get(Volunteer, d["volunteer"], "volunteer"),
        )
        return Response(s.ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        resource = self.get_object()
        body = s.ResourceUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        resource = lists.do_update_resource(actor=request.user, resource_id=resource.pk, data=body.validated_data)
        return Response(s.ResourceSerializer(resource).data)


@extend_schema_view(
    list=extend_schema(summary="需求清单: needs in sight (filters: region, category, status, q)"),
    retrieve=extend_schema(summary="One need", responses={200: s.NeedSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Raise a need",
        request=s.NeedCreateSerializer,
        responses={201: s.NeedSerializer, **error_responses(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a need",
        request=s.NeedUpdateSerializer,
        responses={200: s.NeedSerializer, **error_responses(400, 404)},
    ),
)
class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ServiceViewSet):
    serializer_class = s.NeedSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            return selectors.hub_needs(self.request.user, self._filters()).select_related("order", "resource")
        return needs_for(self.request.user)

    def get_object(self) -> Any:
        return access_need_by_id(self.request.user, int(self.kwargs["pk"]))

    def create(self, request: Request) -> Response:
        body = s.NeedCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        person = None
        if d["person"] is not None:
            from gongzhi.people.selectors import people_for

            person = people_for(request.user).filter(pk=d["person"]).first()
            if person is None:
                raise NotFound(d["person"])
        need = lists.do_create_need(
            actor=request.user,
            community_region=_region(d["community"]),
            category_code=d["category"],
            title=d["title"],
            description=d["description"],
            urgency=d["urgency"],
            person=person if isinstance(person, Person) else None,
            resident_name=d["resident_name"],
        )
        return Response(s.NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        body = s.NeedUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        need = lists.do_update_need(actor=request.user, need_id=need.pk, data=body.validated_data)
        return Response(s.NeedSerializer(need).data)

    @extend_schema(
        summary="Match, meet, close or reopen a need",
        request=s.NeedStatusSerializer,
        responses={200: s.NeedSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        body = s.NeedStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        need = lists.do_set_need_status(
            actor=request.user,
            need_id=need.pk,
            status=d["status"],
            note=d["note"],
            resource_id=d["resource"],
            order_id=d["order"],
            wish_id=d["wish"],
        )
        return Response(s.NeedSerializer(need).data)


@extend_schema_view(
    list=extend_schema(summary="项目清单: projects in sight (filters: region, category, status, q)"),
    retrieve=extend_schema(
        summary="One project with its claims", responses={200: s.ProjectSerializer, **error_responses(404)}
    ),
    create=extend_schema(
        summary="Define a project (draft)",
        request=s.ProjectCreateSerializer,
        responses={201: s.ProjectSerializer, **error_responses(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a project",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectSerializer, **error_responses(400, 404)},
    ),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ServiceViewSet):
    serializer_class = s.ProjectSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            return selectors.hub_projects(self.request.user, self._filters())
        return projects_for(self.request.user)

    def get_object(self) -> Project:
        return access_project_by_id(self.request.user, int(self.kwargs["pk"]))

    def create(self, request: Request) -> Response:
        body = s.ProjectCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        project = projects.do_create_project(
            actor=request.user,
            community_region=_region(d["community"]),
            title=d["title"],
            goal=d["goal"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            slots=d["slots"],
            budget=d["budget"],
            category_code=d["category"],
        )
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        body = s.ProjectUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        project = projects.do_update_project(actor=request.user, project_id=project.pk, data=body.validated_data)
        return Response(s.ProjectSerializer(project).data)

    @extend_schema(
        summary="Publish, close or finish a project",
        request=s.ProjectStatusSerializer,
        responses={200: s.ProjectSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        body = s.ProjectStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = projects.do_set_project_status(
            actor=request.user, project_id=project.pk, status=body.validated_data["status"]
        )
        return Response(s.ProjectSerializer(project).data)

    @extend_schema(
        summary="Claim the project for your unit (项目认领)",
        request=s.ClaimInputSerializer,
        responses={201: s.ClaimSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        body = s.ClaimInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unit = Unit.objects.filter(pk=body.validated_data["unit"]).first()
        if unit is None:
            raise PermissionDenied("services.claim")
        claim = projects.do_claim_project(
            actor=request.user, project_id=project.pk, unit=unit, plan=body.validated_data["plan"]
        )
        return Response(s.ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimActionView(APIView):
    """POST /project-claims/<id>/<withdraw|deliver|confirm>/."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_staff_or_participant(request.user)

    @extend_schema(
        summary="Withdraw, deliver (the unit) or confirm (the community) a claim",
        request=s.ClaimActionSerializer,
        responses={200: s.ClaimSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, pk: int, verb: str) -> Response:
        claim = access_claim_by_id(request.user, pk)
        body = s.ClaimActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        if verb == "withdraw":
            claim = projects.do_withdraw_project_claim(actor=request.user, claim_id=claim.pk, reason_text=d["reason"])
        elif verb == "deliver":
            claim = projects.do_deliver_project(actor=request.user, claim_id=claim.pk, evidence=d["evidence"])
        elif verb == "confirm":
            claim = projects.do_confirm_project_delivery(actor=request.user, claim_id=claim.pk, hours=d["hours"])
        else:
            raise NotFound(verb)
        return Response(s.ClaimSerializer(claim).data)


@extend_schema_view(
    list=extend_schema(summary="Ordered services in sight (filters: status, queue=alliance|inbox|community)"),
    retrieve=extend_schema(
        summary="One order with its timeline", responses={200: s.OrderDetailSerializer, **error_responses(404)}
    ),
    create=extend_schema(
        summary="社区点单: order a service from the street's alliance",
        request=s.OrderCreateSerializer,
        responses={201: s.OrderDetailSerializer, **error_responses(400, 404)},
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ServiceViewSet):
    serializer_class = s.OrderSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        user = self.request.user
        queue = self.request.query_params.get("queue", "")
        if queue == "alliance":
            qs = selectors.alliance_queue(user)
        elif queue == "inbox":
            qs = selectors.unit_inbox(user)
        elif queue == "community":
            qs = selectors.community_orders(user, "all")
        else:
            qs = orders_for(user).select_related("community", "street", "category", "unit", "team")
        wanted = self.request.query_params.get("status", "")
        return qs.filter(status=wanted) if wanted else qs.order_by("-ordered_at", "-id")

    def get_serializer_class(self) -> Any:
        return s.OrderDetailSerializer if self.action == "retrieve" else s.OrderSerializer

    def get_object(self) -> ServiceOrder:
        return access_order_by_id(self.request.user, int(self.kwargs["pk"]))

    def create(self, request: Request) -> Response:
        body = s.OrderCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        order = orders.do_place_order(
            actor=request.user,
            community_region=_region(d["community"]),
            category_code=d["category"],
            title=d["title"],
            description=d["description"],
            wanted_by=d["wanted_by"],
            need_id=d["need"],
        )
        return Response(
            s.OrderDetailSerializer(order, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class OrderActionView(APIView):
    """POST /orders/<id>/<action>/: one step of the order workflow (see services.workflow)."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_staff_or_participant(request.user)

    @extend_schema(
        operation_id="v1_orders_act",
        summary="Dispatch, accept, decline, start, complete, confirm or cancel an order",
        request=s.OrderActionSerializer,
        responses={200: s.OrderDetailSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, pk: int, verb: str) -> Response:
        try:
            act = OrderAction(verb)
        except ValueError:
            raise NotFound(verb) from None
        order = access_order_by_id(request.user, pk)
        body = s.OrderActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        user = request.user
        if act == OrderAction.DISPATCH:
            order = orders.do_dispatch_order(
                actor=user,
                order_id=order.pk,
                unit=_get(Unit, d["unit"], "unit"),
                team=_get(Team, d["team"], "team"),
                accept_hours=d["accept_hours"],
                note=d["note"][:300],
            )
        elif act == OrderAction.ACCEPT:
            order = orders.do_accept_order(actor=user, order_id=order.pk, note=d["note"][:300])
        elif act == OrderAction.DECLINE:
            order = orders.do_decline_order(actor=user, order_id=order.pk, reason_text=d["reason"])
        elif act == OrderAction.START:
            order = orders.do_start_order(actor=user, order_id=order.pk, note=d["note"][:300])
        elif act == OrderAction.COMPLETE:
            order = orders.do_complete_order(actor=user, order_id=order.pk, note=d["note"])
        elif act == OrderAction.CONFIRM:
            order = orders.do_confirm_order(actor=user, order_id=order.pk, hours=d["hours"], note=d["note"][:300])
        elif act == OrderAction.SEND_BACK:
            order = orders.do_send_back_order(actor=user, order_id=order.pk, reason_text=d["reason"])
        else:
            order = orders.do_cancel_order(actor=user, order_id=order.pk, reason_text=d["reason"])
        # Re-read without the scope: after declining, the unit no longer sees the order it answers about.
        fresh = ServiceOrder.objects.select_related("community", "street", "category", "unit", "team").get(pk=order.pk)
        return Response(s.OrderDetailSerializer(fresh, context={"request": request}).data)

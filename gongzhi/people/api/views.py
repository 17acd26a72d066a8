"""API of people, party organisations and members, units and departments.

Same order of checks as the pages (see `gongzhi.people.views.common`): no capability for the
endpoint at all → 403; object missing or outside the jurisdiction → 404; visible but the act is not
the caller's → 403; only then is the body validated (400). Every queryset comes from
`gongzhi.people.selectors`; writes go through `gongzhi.people.actions`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from gongzhi.core.api.pagination import LimitOffset
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.people import actions, selectors
from gongzhi.people.api.filters import (
    DepartmentFilterSet,
    PartyMemberFilterSet,
    PartyOrganizationFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from gongzhi.people.api.serializers import (
    DepartmentSerializer,
    PartyMemberSerializer,
    PartyOrganizationSerializer,
    PersonCreateSerializer,
    PersonSearchResultSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    SearchRequestSerializer,
    UnitSerializer,
    UnitUnmaskRequestSerializer,
    UnmaskRequestSerializer,
    UnmaskResultSerializer,
)
from gongzhi.people.models import Department, PartyMember, PartyOrganization, Person, Unit
from gongzhi.people.views.common import SEARCH_LIMIT, require_section, tree_order
from gongzhi.regions.models import Region

NO_STORE = {"Cache-Control": "no-store"}

_HOME = ("room__unit__building__compound", "room__unit__building__community__parent__parent")


class SectionViewSet(viewsets.GenericViewSet[Any]):
    """A viewset whose every endpoint needs `section_cap` somewhere (else 403 before any lookup)."""

    section_cap: Cap
    pagination_class = LimitOffset
    lookup_value_regex = r"\d+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates: anonymous callers get their 403 first
        require_section(request.user, self.section_cap)


def _grid_name() -> Subquery:
    return Subquery(Region.objects.filter(code=OuterRef("region_code")).values("name")[:1])


# ------------------------------------------------------------------------------- people

_PERSON_EXAMPLE = OpenApiExample(
    "resident",
    value={
        "id": 17,
        "url": "http://example.org/api/v1/people/17/",
        "name": "王秀英",
        "gender": "F",
        "birth_date": "1956-03-08",
        "id_number_masked": "320113********0021",
        "phone_masked": "139****5678",
        "grid": {
            "url": "http://example.org/api/v1/regions/320113001001001/",
            "code": "320113001001001",
            "name": "第一网格",
            "level": "grid",
        },
        "home": {
            "building": "3201130010010010001",
            "unit": 1,
            "room": "302",
            "address": "栖霞区/尧化街道/尧化门社区/银城东苑/3栋/1单元/302室",
        },
        "household_relation": "head",
        "residence_type": "registered",
        "is_active": True,
        "party_member": None,
        "created_at": "2025-01-02T03:04:05Z",
        "updated_at": "2025-01-02T03:04:05Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List residents",
        description="Residents within your jurisdiction (needs `people.view`), ordered by grid and name. ID numbers "
        "and phones are masked. To find someone by name, ID number or phone use `POST /people/search/`: "
        "such values never belong in a URL.",
        responses={200: PersonSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Resident detail",
        responses={200: PersonSerializer, **error_responses(404)},
        examples=[_PERSON_EXAMPLE],
    ),
    create=extend_schema(
        summary="Register a resident",
        description="Needs `people.edit` in the grid. Give `grid`, or the home as `building` + `unit` + `room` "
        "(the grid then follows from the building). Gender and birth date are derived from the ID number.",
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, **error_responses(400, 404)},
        examples=[
            OpenApiExample(
                "new resident",
                value={
                    "name": "王秀英",
                    "id_number": "11010519491231002X",
                    "phone": "13912345678",
                    "grid": "320113001001001",
                    "residence_type": "registered",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a resident",
        description="Needs `people.edit` where the resident lives (and where they move to). Absent fields stay "
        'as they are; `phone: ""` removes the phone. The ID number cannot be changed.',
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, **error_responses(400, 404)},
    ),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    SectionViewSet,
):
    section_cap = Cap.PEOPLE_VIEW
    filterset_class = PersonFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Person]:
        return (
            selectors.people_for(self.request.user)
            .select_related(*_HOME, "party_member__organization")
            .annotate(grid_name=_grid_name())
            .order_by("region_code", "name", "id")
        )

    def get_object(self) -> Person:
        return selectors.access_person_by_id(self.request.user, int(self.kwargs["pk"]))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return PersonCreateSerializer
        if self.action == "partial_update":
            return PersonUpdateSerializer
        return PersonSerializer

    def _out(self, person: Person, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_section(request.user, Cap.PEOPLE_EDIT)
        body = PersonCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        person = actions.do_create_person(actor=request.user, **body.validated_data)
        return self._out(person, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        selectors.require_capability(request.user, Cap.PEOPLE_EDIT, person.region_code)
        body = PersonUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        actions.do_update_person(actor=request.user, person=person, **body.validated_data)
        return self._out(person)

    @extend_schema(
        summary="Show a full ID number or phone",
        description="Needs `people.unmask` where the resident lives. The reason is recorded with your account in "
        "the audit trail (`pii.unmask`). The answer carries `Cache-Control: no-store`; do not keep the value.",
        request=UnmaskRequestSerializer,
        responses={200: UnmaskResultSerializer, **error_responses(400, 404)},
        examples=[
            OpenApiExample("request", value={"field": "phone", "reason": "入户走访核实联系方式"}, request_only=True),
            OpenApiExample("answer", value={"field": "phone", "value": "13912345678"}, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def unmask(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        # Before the body: a caller without the right learns nothing from a 400 about their input.
        selectors.require_capability(request.user, Cap.PEOPLE_UNMASK, person.region_code)
        body = UnmaskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = actions.do_unmask_person_field(
            actor=request.user, person=person, field=body.validated_data["field"], reason=body.validated_data["reason"]
        )
        return Response({"field": body.validated_data["field"], "value": value}, headers=NO_STORE)

    @extend_schema(
        summary="Search residents",
        description="By name (contains), or by a complete ID number or mobile number (exact, through a keyed hash "
        "— the number itself is never stored or compared). A POST so that the number stays out of URLs and "
        "access logs. At most 50 results; list filters may be given as query parameters.",
        request=SearchRequestSerializer,
        responses={200: PersonSearchResultSerializer, **error_responses(400)},
        examples=[OpenApiExample("by phone", value={"q": "13912345678"}, request_only=True)],
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def search(self, request: Request) -> Response:
        body = SearchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = selectors.search_people(request.user, body.validated_data["q"])
        people = self.filter_queryset(self.get_queryset().filter(pk__in=found.values("pk")))
        results = list(people[:SEARCH_LIMIT])
        data = {"count": people.count(), "results": results}
        return Response(
            PersonSearchResultSerializer(data, context=self.get_serializer_context()).data, headers=NO_STORE
        )


# -------------------------------------------------------------------------------- party


def _count(model: type[PartyMember] | type[PartyOrganization], link: str) -> Coalesce:
    """COUNT of `model` rows pointing at the outer row, as a correlated subquery (only for the page's rows)."""
    counted = model._default_manager.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


@extend_schema_view(
    list=extend_schema(
        summary="List party organisations",
        description="Party organisations within your jurisdiction (needs `party.view`), parents before children.",
        responses={200: PartyOrganizationSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Party organisation detail", responses={200: PartyOrganizationSerializer, **error_responses(404)}
    ),
)
class PartyOrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SectionViewSet):
    section_cap = Cap.PARTY_VIEW
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet

    def _annotated(self, organizations: QuerySet[PartyOrganization]) -> QuerySet[PartyOrganization]:
        return organizations.select_related("parent", "region", "building").annotate(
            member_count=_count(PartyMember, "organization"), child_count=_count(PartyOrganization, "parent")
        )

    def get_queryset(self) -> QuerySet[PartyOrganization]:
        return tree_order(self._annotated(selectors.party_organizations_for(self.request.user)))

    def get_object(self) -> PartyOrganization:
        found = selectors.access_party_organization_by_id(self.request.user, int(self.kwargs["pk"]))
        return self._annotated(PartyOrganization.objects.filter(pk=found.pk)).get()


@extend_schema_view(
    list=extend_schema(
        summary="List party members",
        description="Party members seen by your jurisdiction (needs `party.view`): resident members where they "
        "live, in-service members in the community they registered with.",
        responses={200: PartyMemberSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Party member detail", responses={200: PartyMemberSerializer, **error_responses(404)}
    ),
)
class PartyMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SectionViewSet):
    section_cap = Cap.PARTY_VIEW
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet

    def get_queryset(self) -> QuerySet[PartyMember]:
        return (
            selectors.party_members_for(self.request.user)
            .select_related("person", "organization", "registered_community", "employer")
            .order_by("region_code", "id")
        )

    def get_object(self) -> PartyMember:
        return selectors.access_party_member_by_id(self.request.user, int(self.kwargs["pk"]))


# -------------------------------------------------------------------------------- units


@extend_schema_view(
    list=extend_schema(
        summary="List units",
        description="Units (驻区/共建单位) within your jurisdiction (needs `units.view`); liaison phones masked.",
        responses={200: UnitSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(summary="Unit detail", responses={200: UnitSerializer, **error_responses(404)}),
)
class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SectionViewSet):
    section_cap = Cap.UNITS_VIEW
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet

    def get_queryset(self) -> QuerySet[Unit]:
        return selectors.units_for(self.request.user).select_related("community").order_by("region_code", "name")

    def get_object(self) -> Unit:
        return selectors.access_unit_by_id(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(
        summary="Show a liaison's full phone",
        description="Needs `people.unmask` in the unit's community; logged as `pii.unmask` with the reason. "
        "Answered with `Cache-Control: no-store`.",
        request=UnitUnmaskRequestSerializer,
        responses={200: UnmaskResultSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def unmask(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        selectors.require_capability(request.user, Cap.PEOPLE_UNMASK, unit.region_code)
        body = UnitUnmaskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = actions.do_unmask_unit_liaison_phone(
            actor=request.user, unit=unit, reason=body.validated_data["reason"]
        )
        return Response({"field": "liaison_phone", "value": value}, headers=NO_STORE)


# -------------------------------------------------------------------------- departments


@extend_schema_view(
    list=extend_schema(
        summary="List departments",
        description="Departments (职能部门) within your jurisdiction (needs `departments.view`).",
        responses={200: DepartmentSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(summary="Department detail", responses={200: DepartmentSerializer, **error_responses(404)}),
)
class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SectionViewSet):
    section_cap = Cap.DEPARTMENTS_VIEW
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.departments_for(self.request.user).select_related("region").order_by("code")

    def get_object(self) -> Department:
        return selectors.access_department_by_id(self.request.user, int(self.kwargs["pk"]))

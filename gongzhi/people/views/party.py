"""Pages of the party organisations (a tree that mirrors the jurisdiction tree) and their members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongzhi.core.capabilities import Cap
from gongzhi.people import selectors
from gongzhi.people.filtersets import PartyMemberFilterSet, PartyOrganizationFilterSet
from gongzhi.people.models import PartyOrganization, PartyOrgKind
from gongzhi.people.views.common import (
    KIND_DEPTH,
    PAGE_SIZE,
    can,
    filtered,
    member_count,
    region_names,
    require_section,
    tree_order,
)
from gongzhi.web.shortcuts import get_or_404


@login_required
@require_GET
def partyorg_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PARTY_VIEW)
    organizations = tree_order(
        selectors.party_organizations_for(user).select_related("region").annotate(member_count=member_count())
    )
    filterset = PartyOrganizationFilterSet(request.GET or None, queryset=organizations)
    page = Paginator(filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = dict(
        selectors.party_organizations_for(user)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return render(
        request,
        "people/partyorg_list.html",
        {
            "filterset": filterset,
            "page": page,
            # One figure per kind, in tree order: how many branches, groups and households there are.
            "kind_counts": [(kind, label, kinds.get(kind, 0)) for kind, label in PartyOrgKind.choices],
            # With a filter the rows are no longer a tree, so indenting them would mislead.
            "indent": not filterset.is_active,
        },
    )


@login_required
@require_GET
def partyorg_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PARTY_VIEW)
    organization = get_or_404(selectors.access_party_organization_by_id, user, pk)
    children = tree_order(
        selectors.party_organizations_for(user).filter(parent=organization).annotate(member_count=member_count())
    )
    members = (
        selectors.party_members_for(user)
        .filter(organization=organization)
        .select_related("person", "employer", "registered_community")
        .order_by("person__name", "id")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    chain: list[PartyOrganization] = []
    node = organization.parent
    while node is not None and len(chain) < len(KIND_DEPTH):
        chain.append(node)
        node = node.parent
    visible = set(
        selectors.party_organizations_for(user).filter(pk__in=[o.pk for o in chain]).values_list("pk", flat=True)
    )
    return render(
        request,
        "people/partyorg_detail.html",
        {
            "organization": organization,
            # Ancestors above the user's jurisdiction are named but not linked: they would 404.
            "ancestors": [(o, o.pk in visible) for o in reversed(chain)],
            "children": list(children),
            "page": page,
            "members": list(page.object_list),
        },
    )


@login_required
@require_GET
def partymember_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PARTY_VIEW)
    members = (
        selectors.party_members_for(user)
        .select_related("person", "organization", "registered_community", "employer")
        .order_by("region_code", "person__name", "id")
    )
    filterset = PartyMemberFilterSet(request.GET or None, queryset=members)
    page = Paginator(filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    organization = None
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("organization"):
        organization = (
            selectors.party_organizations_for(user).filter(pk=filterset.form.cleaned_data["organization"]).first()
        )
    return render(
        request,
        "people/partymember_list.html",
        {
            "filterset": filterset,
            "page": page,
            "members": list(page.object_list),
            "organization": organization,
        },
    )


@login_required
@require_GET
def partymember_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PARTY_VIEW)
    member = get_or_404(selectors.access_party_member_by_id, user, pk)
    person = member.person
    return render(
        request,
        "people/partymember_detail.html",
        {
            "member": member,
            "person": person,
            "person_visible": can(user, Cap.PEOPLE_VIEW, person.region_code),
            "organization_visible": can(user, Cap.PARTY_VIEW, member.organization.region_code),
            "employer_visible": member.employer is not None and can(user, Cap.UNITS_VIEW, member.employer.region_code),
            "community_name": region_names([member.region_code]).get(member.region_code, ""),
        },
    )

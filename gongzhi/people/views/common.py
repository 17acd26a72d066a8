"""What every people page does the same way: the capability gate, region names, htmx typing.

The order of checks is the product's access rule, identical on every page:

1. the role lacks the page's capability everywhere → 403, before any lookup (so the answer does
   not depend on the id in the URL and reveals nothing);
2. the object is missing or outside the user's jurisdiction → 404 (`get_or_404`);
3. the object is visible but the user may not do *this* to it there → 403 (`require_capability`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_filters import FilterSet
from django_htmx.middleware import HtmxDetails

from gongzhi.core.access import AnyUser, capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.forms import UnmaskForm, apply_domain_error
from gongzhi.people.models import PartyMember, PartyOrganization, PartyOrgKind
from gongzhi.regions.models import Region

PAGE_SIZE = 50
SEARCH_LIMIT = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


def require_section(user: AnyUser, cap: Cap) -> None:
    """403 unless the user holds `cap` somewhere: the whole page is not for their role."""
    if not has_capability(user, cap):
        raise PermissionDenied(cap)


def can(user: AnyUser, cap: Cap, region_code: str) -> bool:
    """Whether to offer a button: the same test the action will make when it is pressed."""
    return capability_scope(user, cap).covers(region_code)


def filtered(filterset: FilterSet) -> QuerySet[Any]:
    """The filtered rows, or none at all when a filter is invalid.

    django-filter skips invalid filters and returns the rest, so "32x" as a code would list
    everybody; a page must show the error and nothing else.
    """
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """code → name in one query, for rows that carry a bare `region_code`."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


# Depth of each kind in the party tree (街道党工委 → … → 党员中心户): the list indents by it.
KIND_DEPTH: dict[str, int] = {
    PartyOrgKind.STREET_WORKING_COMMITTEE: 0,
    PartyOrgKind.COMMUNITY_COMMITTEE: 1,
    PartyOrgKind.COMMUNITY_GENERAL_BRANCH: 1,
    PartyOrgKind.GRID_BRANCH: 2,
    PartyOrgKind.BUILDING_GROUP: 3,
    PartyOrgKind.CENTRAL_HOUSEHOLD: 4,
}


def tree_order(organizations: QuerySet[PartyOrganization]) -> QuerySet[PartyOrganization]:
    """Parents before children: region codes nest, and within one region the kind's depth decides.

    (The model's own ordering sorts kinds alphabetically, which puts building groups before grid
    branches.)
    """
    depth = Case(
        *[When(kind=kind, then=Value(d)) for kind, d in KIND_DEPTH.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    return organizations.annotate(depth=depth).order_by("region_code", "depth", "name", "id")


def member_count() -> Coalesce:
    """Members of the outer organisation, as a correlated subquery.

    A JOIN + GROUP BY would aggregate every organisation in scope before the page's LIMIT; the
    subquery runs only for the rows shown (see regions.api.views._count).
    """
    counted = PartyMember.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n"), output_field=IntegerField()), 0)


def unmask_response(
    request: HtmxHttpRequest,
    *,
    field: str,
    masked: str,
    back_url: str,
    subject: object,
    reveal: Callable[[str], object],
    label: str = "",
    masked_template: str = "people/includes/masked_value.html",
    revealed_template: str = "people/includes/unmasked_value.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The 「查看」 exchange, shared by residents, unit liaisons and case reporters; the caller has
    checked the right.

    GET shows the reason form (`?cancel=1`: the masked value again); a valid POST calls `reveal`
    with the reason — the action, which logs the view — and shows the value. Fragments for htmx,
    a small page without JavaScript. The callers are `never_cache`d, so every answer is `no-store`.
    A value that is more than one string brings its own fragments (given `extra` in their context)
    and the `label` the page without JavaScript names it by.
    """
    context: dict[str, Any] = {
        **(extra or {}),
        "field": field,
        "label": label,
        "masked": masked,
        "unmask_url": request.path,
        "back_url": back_url,
        "can_unmask": True,
    }
    form = UnmaskForm(request.POST if request.method == "POST" else None)
    template = "people/includes/unmask_form.html"
    if request.method == "GET" and request.GET.get("cancel"):
        template = masked_template
    elif request.method == "POST" and form.is_valid():
        try:
            context["value"] = reveal(form.cleaned_data["reason"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            template = revealed_template
    context["form"] = form
    if request.htmx:
        return render(request, template, context)
    return render(request, "people/unmask_page.html", {**context, "fragment": template, "subject": subject})

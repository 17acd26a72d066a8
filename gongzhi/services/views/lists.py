"""The hub of the three lists (资源/需求/项目清单) per community or street, and the resource and need forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Unit
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.services import selectors
from gongzhi.services.access import access_need_by_id, access_resource_by_id, can_manage, resources_for
from gongzhi.services.actions import lists
from gongzhi.services.forms import (
    NeedForm,
    NeedStatusForm,
    ResourceForm,
    apply_errors,
    days_to_mask,
    mask_to_days,
)
from gongzhi.services.matching.explain import as_dict
from gongzhi.services.models import Need, NeedStatus, ProjectStatus, Resource
from gongzhi.services.recommend import need_candidates, need_place
from gongzhi.services.views.common import (
    PAGE_SIZE,
    liaison_communities,
    region_by_code,
    regions_for,
    require_any,
    require_staff_or_participant,
)
from gongzhi.volunteers.models import Team, Volunteer
from gongzhi.web.shortcuts import get_or_404

TAB_LABELS = {"resources": "resources", "needs": "needs", "projects": "projects"}


@login_required
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    """三张清单: tabs for resources, needs and projects, filtered by region, category and status."""
    user = request.user
    me = require_staff_or_participant(user)
    staff = has_capability(user, Cap.SERVICES_VIEW)
    tab = request.GET.get("tab", "resources")
    if tab not in selectors.LISTS or (tab == "needs" and not staff):
        tab = "resources"
    regions = selectors.service_regions(user) if staff else []
    region = request.GET.get("region", "")
    if region and region not in {r.code for r in regions}:
        region = ""
    f = selectors.HubFilters(
        region=region,
        category=request.GET.get("category", "")[:12],
        status=request.GET.get("status", "")[:12],
        q=request.GET.get("q", "").strip()[:50],
    )
    rows: Any
    if tab == "resources":
        rows = selectors.hub_resources(user, f, me)
        statuses: list[tuple[str, Any]] = [("active", _("On the list")), ("inactive", _("Off the list"))]
    elif tab == "needs":
        rows = selectors.hub_needs(user, f)
        statuses = list(NeedStatus.choices)
    else:
        rows = selectors.hub_projects(user, f, me)
        statuses = list(ProjectStatus.choices)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.hub_counts(user, f, me) if staff else {}
    return render(
        request,
        "services/hub.html",
        {
            "tab": tab,
            "tabs": [t for t in selectors.LISTS if staff or t != "needs"],
            "page": page,
            "total": page.paginator.count,
            "counts": counts,
            "filters": f,
            "regions": regions,
            "majors": selectors.major_categories(),
            "statuses": statuses,
            "staff": staff,
            "can_manage": has_capability(user, Cap.SERVICES_MANAGE),
            "can_report": has_capability(user, Cap.SERVICES_REPORT),
            "can_offer": has_capability(user, Cap.SERVICES_MANAGE) or bool(me.unit_ids),
            "is_liaison": bool(me.unit_ids),
            "query": request.GET.copy(),
        },
    )


# ── resources ─────────────────────────────────────────────────────────────────────────────────────


def _providers(user: Any, me_units: frozenset[int]) -> list[tuple[str, str]]:
    """u:<id> / t:<id> / v:<id> choices the user may name as the provider."""
    scope = capability_scope(user, Cap.SERVICES_MANAGE)
    rows: list[tuple[str, str]] = []
    units = Unit.objects.filter(pk__in=me_units)
    if scope.everything or scope.prefixes:
        registered = UnitRegistration.objects.filter(scope.q("region_code"), status=RegistrationStatus.APPROVED)
        units = units | Unit.objects.filter(pk__in=registered.values("unit_id"))
        teams = Team.objects.filter(scope.q("region_code"), is_active=True).order_by("name")
        volunteers = Volunteer.objects.filter(scope.q("region_code"), is_active=True).select_related("person")
        rows += [(f"t:{t.pk}", f"{_('Team')} · {t.name}") for t in teams[:200]]
        rows += [
            (f"v:{v.pk}", f"{_('Volunteer')} · {v.person.name}") for v in volunteers.order_by("person__name")[:300]
        ]
    return [(f"u:{u.pk}", f"{_('Unit')} · {u.name}") for u in units.distinct().order_by("name")[:200]] + rows


def _provider(value: str) -> dict[str, Any]:
    kind, _sep, pk = value.partition(":")
    if not pk.isdigit():
        return {}
    model: Any = {"u": Unit, "t": Team, "v": Volunteer}.get(kind)
    if model is None:
        return {}
    found = model.objects.filter(pk=int(pk)).first()
    return {{"u": "unit", "t": "team", "v": "volunteer"}[kind]: found} if found is not None else {}


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    me = require_staff_or_participant(user)
    regions = regions_for(user, Cap.SERVICES_MANAGE, ("street", "community"))
    if me.unit_ids:
        regions += [r for r in liaison_communities(me) if r not in regions]
    if not regions:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    form = ResourceForm(request.POST or None, regions=regions, providers=_providers(user, me.unit_ids))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            resource = lists.do_create_resource(
                actor=user,
                region=region_by_code(d["region"]),
                category_code=d["category"],
                title=d["title"],
                kind=d["kind"],
                description=d["description"],
                capacity=d["capacity"],
                capacity_unit=d["capacity_unit"],
                availability=d["availability"],
                days=days_to_mask(d["days"]),
                place=d["place"],
                **_provider(d["provider"]),
            )
        except DomainError as error:
            apply_errors(form, error, {"unit": "provider", "team": "provider", "volunteer": "provider"})
        else:
            messages.success(request, _("“%(t)s” is on the resource list.") % {"t": resource.title})
            return redirect("services:resource", pk=resource.pk)
    return render(request, "services/resource_form.html", {"form": form, "resource": None})


@login_required
@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_staff_or_participant(user)
    resource = get_or_404(access_resource_by_id, user, pk)
    return render(
        request,
        "services/resource_detail.html",
        {"resource": resource, "days": mask_to_days(resource.days), "can_edit": _may_edit(user, resource)},
    )


def _may_edit(user: Any, resource: Resource) -> bool:
    if can_manage(user, resource.region_code):
        return True
    return resource.unit_id is not None and resource.unit_id in require_staff_or_participant(user).unit_ids


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_staff_or_participant(user)
    resource = get_or_404(access_resource_by_id, user, pk)
    if not _may_edit(user, resource):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    initial = {
        "kind": resource.kind,
        "category": resource.category.code,
        "title": resource.title,
        "description": resource.description,
        "capacity": resource.capacity,
        "capacity_unit": resource.capacity_unit,
        "availability": resource.availability,
        "days": mask_to_days(resource.days),
        "place": resource.place,
        "is_active": resource.is_active,
    }
    form = ResourceForm(request.POST or None, initial=initial, regions=[], providers=[], editing=True)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["days"] = days_to_mask(d["days"])
        try:
            lists.do_update_resource(actor=user, resource_id=resource.pk, data=d)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("services:resource", pk=resource.pk)
    return render(request, "services/resource_form.html", {"form": form, "resource": resource})


# ── needs ─────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_REPORT)
    communities = regions_for(user, Cap.SERVICES_REPORT)
    if not communities:  # a grid worker reports in their grid's community
        scope = capability_scope(user, Cap.SERVICES_REPORT)
        codes = sorted({p[:12] for p in scope.prefixes if len(p) >= 12})
        communities = [(c, (region_by_code(c) or c).__str__()) for c in codes]
    form = NeedForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            need = lists.do_create_need(
                actor=user,
                community_region=region_by_code(d["community"]),
                category_code=d["category"],
                title=d["title"],
                description=d["description"],
                urgency=d["urgency"],
                resident_name=d["resident_name"],
            )
        except DomainError as error:
            apply_errors(form, error, {"community_region": "community"})
        else:
            messages.success(request, _("The need is on the list."))
            return redirect("services:need", pk=need.pk)
    return render(request, "services/need_form.html", {"form": form, "need": None})


def _status_form(user: Any, need: Any, data: Any = None) -> NeedStatusForm:
    moves = lists.NEED_MOVES.get(need.status, frozenset())
    statuses: list[tuple[str, Any]] = [(v, label) for v, label in NeedStatus.choices if v in moves]
    resources = resources_for(user).filter(is_active=True, category__parent=need.category.parent_id)
    choices = [(str(r.pk), r.title) for r in resources.order_by("-id")[:100]]
    return NeedStatusForm(data, statuses=statuses, resources=choices)


@login_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_VIEW)
    need = get_or_404(access_need_by_id, user, pk)
    manage = can_manage(user, need.region_code)
    return render(
        request,
        "services/need_detail.html",
        {
            "need": need,
            "can_manage": manage,
            "status_form": _status_form(user, need) if manage and lists.NEED_MOVES.get(need.status) else None,
            "can_order": manage and need.status == NeedStatus.OPEN,
            **_recommended(need),
        },
    )


def _recommended(need: Need) -> dict[str, Any]:
    """推荐人选 while the need is open: the top candidates explained, and how its place is known."""
    if need.status != NeedStatus.OPEN:
        return {"recommended": None, "place_source": ""}
    place = need_place(need)
    return {"recommended": [as_dict(c) for c in need_candidates(need, place=place)], "place_source": place.source}


@login_required
@require_POST
def need_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_VIEW)
    need = get_or_404(access_need_by_id, user, pk)
    if not can_manage(user, need.region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    form = _status_form(user, need, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            lists.do_set_need_status(
                actor=user,
                need_id=need.pk,
                status=d["status"],
                note=d["note"],
                resource_id=int(d["resource"]) if d["resource"] else None,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The need's status has been changed."))
            return redirect("services:need", pk=need.pk)
    return render(
        request, "services/need_detail.html", {"need": need, "can_manage": True, "status_form": form}, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_VIEW)
    need = get_or_404(access_need_by_id, user, pk)
    if not can_manage(user, need.region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    initial = {
        "category": need.category.code,
        "title": need.title,
        "description": need.description,
        "urgency": need.urgency,
    }
    form = NeedForm(request.POST or None, initial=initial, communities=[], editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            lists.do_update_need(actor=user, need_id=need.pk, data=form.cleaned_data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("services:need", pk=need.pk)
    return render(request, "services/need_form.html", {"form": form, "need": need})

"""Pages of the units (驻区单位/共建单位): list, detail with the masked liaison phone, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people import actions, selectors
from gongzhi.people.filtersets import UnitFilterSet
from gongzhi.people.forms import UnitForm, apply_domain_error
from gongzhi.people.views.common import PAGE_SIZE, HtmxHttpRequest, can, filtered, require_section, unmask_response
from gongzhi.web.shortcuts import get_or_404


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.UNITS_VIEW)
    units = selectors.units_for(user).select_related("community").order_by("region_code", "name")
    filterset = UnitFilterSet(request.GET or None, queryset=units)
    page = Paginator(filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/unit_list.html",
        {"filterset": filterset, "page": page, "can_add": has_capability(user, Cap.UNITS_EDIT)},
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.UNITS_VIEW)
    unit = get_or_404(selectors.access_unit_by_id, user, pk)
    members = (
        selectors.party_members_for(user).filter(employer=unit).select_related("person", "organization")
        if can(user, Cap.PARTY_VIEW, unit.region_code)
        else None
    )
    return render(
        request,
        "people/unit_detail.html",
        {
            "unit": unit,
            "members": list(members.order_by("person__name")[:100]) if members is not None else None,
            "member_count": members.count() if members is not None else 0,
            "can_edit": can(user, Cap.UNITS_EDIT, unit.region_code),
            "can_unmask": can(user, Cap.PEOPLE_UNMASK, unit.region_code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.UNITS_EDIT)
    form = UnitForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = actions.do_create_unit(
                actor=user,
                community=data["community"],
                name=data["name"],
                credit_code=data["credit_code"],
                unit_type=data["unit_type"],
                address=data["address"],
                is_cobuilding=data["is_cobuilding"],
                liaison_name=data["liaison_name"],
                liaison_phone=data["liaison_phone"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": unit.name})
            return redirect("people:unit", pk=unit.pk)
    return render(request, "people/unit_form.html", {"form": form, "unit": None})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.UNITS_VIEW)
    unit = get_or_404(selectors.access_unit_by_id, user, pk)
    selectors.require_capability(user, Cap.UNITS_EDIT, unit.region_code)
    initial = {
        "name": unit.name,
        "unit_type": unit.unit_type,
        "address": unit.address,
        "is_cobuilding": unit.is_cobuilding,
        "liaison_name": unit.liaison_name,
    }
    form = UnitForm(request.POST or None, initial=initial, user=user, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_unit(
                actor=user,
                unit=unit,
                name=data["name"],
                unit_type=data["unit_type"],
                address=data["address"],
                is_cobuilding=data["is_cobuilding"],
                liaison_name=data["liaison_name"],
                liaison_phone=data["liaison_phone"] or None,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("people:unit", pk=unit.pk)
    return render(request, "people/unit_form.html", {"form": form, "unit": unit})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def unit_unmask(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The liaison's phone, same flow as a resident's: reason → logged → shown in place, no-store."""
    user = request.user
    require_section(user, Cap.UNITS_VIEW)
    unit = get_or_404(selectors.access_unit_by_id, user, pk)
    selectors.require_capability(user, Cap.PEOPLE_UNMASK, unit.region_code)
    return unmask_response(
        request,
        field="liaison_phone",
        masked=unit.liaison_phone_masked,
        back_url=reverse("people:unit", args=[unit.pk]),
        subject=unit,
        reveal=lambda reason: actions.do_unmask_unit_liaison_phone(actor=user, unit=unit, reason=reason),
    )

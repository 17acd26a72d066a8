"""Staff pages of 双报到: the community's registrations, applying, deciding, a unit's page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.cases.views.common import safe_next
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.registrations import actions
from gongzhi.registrations.access import (
    access_unit_registration_by_id,
    member_registrations_for,
    unit_registrations_for,
)
from gongzhi.registrations.compliance import unit_compliance
from gongzhi.registrations.forms import ContactForm, LiaisonForm, MemberApplyForm, UnitApplyForm, apply_errors
from gongzhi.registrations.models import (
    LiaisonTerm,
    MeetingAttendance,
    MemberRegistration,
    RegistrationStatus,
    UnitContact,
    UnitRegistration,
)
from gongzhi.registrations.periods import Period
from gongzhi.registrations.views.common import can, my_communities, require
from gongzhi.web.shortcuts import get_or_404

_ORDER = {RegistrationStatus.PENDING: 0, RegistrationStatus.APPROVED: 1}


@login_required
@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    communities = my_communities(user)
    code = (request.GET.get("community") or "").strip()
    units = unit_registrations_for(user).filter(status__in=_ORDER)
    members = member_registrations_for(user).filter(status__in=_ORDER)
    if code:
        units, members = units.filter(region_code=code), members.filter(region_code=code)
    manage = capability_scope(user, Cap.SERVICES_MANAGE)

    def rows(items: Iterable[UnitRegistration | MemberRegistration], status: str) -> list[dict[str, Any]]:
        return [{"r": r, "manage": manage.covers(r.region_code)} for r in items if r.status == status]

    unit_list, member_list = list(units), list(members)
    context = {
        "communities": communities,
        "community_code": code,
        "pending_units": rows(unit_list, RegistrationStatus.PENDING),
        "pending_members": rows(member_list, RegistrationStatus.PENDING),
        "units": rows(unit_list, RegistrationStatus.APPROVED),
        "members": rows(member_list, RegistrationStatus.APPROVED),
        "can_manage": my_communities(user, Cap.SERVICES_MANAGE).exists(),
    }
    return render(request, "registrations/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_MANAGE)
    communities = my_communities(user, Cap.SERVICES_MANAGE)
    units = Unit.objects.filter(capability_scope(user, Cap.SERVICES_MANAGE).q("region_code")).order_by("name")
    form = UnitApplyForm(request.POST or None, communities=communities, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            registration = actions.do_apply_unit_registration(
                actor=user,
                unit_id=form.cleaned_data["unit"].pk,
                community_id=form.cleaned_data["community"].pk,
                offers=form.cleaned_data["offers"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The unit's registration awaits approval."))
            return redirect("registrations:unit", registration.pk)
    return render(request, "registrations/apply.html", {"form": form, "heading": _("Register a unit")})


@login_required
@require_http_methods(["GET", "POST"])
def member_apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_MANAGE)
    form = MemberApplyForm(request.POST or None, communities=my_communities(user, Cap.SERVICES_MANAGE))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_apply_member_registration(
                actor=user,
                member_id=form.cleaned_data["member"].pk,
                community_id=form.cleaned_data["community"].pk,
                skills=form.cleaned_data["skills"],
                available_days=form.available_days,
                monthly_capacity=form.cleaned_data["monthly_capacity"],
                username=form.cleaned_data["username"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The member's registration awaits approval."))
            return redirect("registrations:list")
    return render(
        request, "registrations/apply.html", {"form": form, "heading": _("Register an in-service party member")}
    )


def _kind(kind: str) -> str:
    if kind not in actions.KINDS:
        raise Http404
    return kind


@login_required
@require_POST
def decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        actions.do_decide_registration(
            actor=request.user,
            kind=_kind(kind),
            registration_id=pk,
            approve=approve,
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, "; ".join(i.message for i in error.items))
    else:
        messages.success(request, _("Registration approved.") if approve else _("Registration rejected."))
    return redirect(safe_next(request, "/registrations/"))


@login_required
@require_POST
def withdraw(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    try:
        actions.do_withdraw_registration(
            actor=request.user, kind=_kind(kind), registration_id=pk, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, "; ".join(i.message for i in error.items))
    else:
        messages.success(request, _("Registration withdrawn."))
    return redirect(safe_next(request, "/registrations/"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A registered unit: its liaison, the contacts log, meetings attended, this month's 五个一."""
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    registration = get_or_404(access_unit_registration_by_id, user, pk)
    manage = can(user, Cap.SERVICES_MANAGE, registration.region_code)
    liaison_form = LiaisonForm(
        request.POST if request.POST.get("form") == "liaison" else None, community=registration.community
    )
    contact_form = ContactForm(request.POST if request.POST.get("form") == "contact" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "liaison" and liaison_form.is_valid():
                actions.do_set_unit_liaison(
                    actor=user, registration_id=pk, volunteer_id=liaison_form.cleaned_data["volunteer"].pk
                )
                messages.success(request, _("The liaison has been set."))
                return redirect("registrations:unit", pk)
            if request.POST.get("form") == "contact" and contact_form.is_valid():
                actions.do_log_unit_contact(actor=user, registration_id=pk, **contact_form.cleaned_data)
                messages.success(request, _("The contact has been logged."))
                return redirect("registrations:unit", pk)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            apply_errors(liaison_form if request.POST.get("form") == "liaison" else contact_form, error)
    month = Period.current_month(timezone.localdate())
    context = {
        "registration": registration,
        "manage": manage,
        "liaison_form": liaison_form,
        "contact_form": contact_form,
        "contacts": UnitContact.objects.filter(unit=registration.unit, community=registration.community).select_related(
            "logged_by"
        )[:100],
        "terms": LiaisonTerm.objects.filter(registration=registration).select_related("volunteer__person"),
        "attendances": MeetingAttendance.objects.filter(
            unit=registration.unit, meeting__region_code__in=(registration.region_code, registration.region_code[:9])
        ).select_related("meeting")[:50],
        "compliance": unit_compliance(registration.unit, registration.community, month)
        if registration.status == RegistrationStatus.APPROVED
        else None,
        "month": month,
    }
    return render(request, "registrations/unit_detail.html", context)

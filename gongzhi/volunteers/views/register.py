"""Staff pages of the register and the teams: list, detail, register, edit, (de)activate; teams and members."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.selectors import access_person_by_id, search_people
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.access import access_team_by_id, access_volunteer_by_id, teams_for, volunteers_for
from gongzhi.volunteers.actions import register as actions
from gongzhi.volunteers.forms import (
    MemberForm,
    TeamForm,
    VolunteerEditForm,
    VolunteerRegisterForm,
    apply_errors,
    days_of,
)
from gongzhi.volunteers.models import Attendance, ServiceRecord, TeamMember, Volunteer
from gongzhi.volunteers.views.common import PAGE_SIZE, require_section
from gongzhi.web.shortcuts import get_or_404

SEARCH_LIMIT = 20


def _can_manage(user: Any, region_code: str) -> bool:
    return capability_scope(user, Cap.SERVICES_MANAGE).covers(region_code)


def _category_names() -> dict[str, str]:
    return dict(NeedCategory.objects.values_list("code", "name"))


def _hours() -> Coalesce:
    served = ServiceRecord.objects.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
    return Coalesce(
        Subquery(served.annotate(total=Sum("hours")).values("total"), output_field=DecimalField()),
        Decimal("0"),
        output_field=DecimalField(),
    )


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    rows = volunteers_for(user).select_related("person", "community").annotate(hours=_hours())
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        rows = rows.filter(Q(person__name__contains=q) | Q(skills__icontains=q))
    status = request.GET.get("status", "active")
    if status == "active":
        rows = rows.filter(is_active=True)
    elif status == "inactive":
        rows = rows.filter(is_active=False)
    page = Paginator(rows.order_by("region_code", "person__name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "names": _category_names(),
            "can_add": has_capability(user, Cap.SERVICES_MANAGE),
        },
    )


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    volunteer = get_or_404(access_volunteer_by_id, user, pk)
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "names": _category_names(),
            "days": days_of(volunteer.available_days),
            "teams": TeamMember.objects.filter(volunteer=volunteer).select_related("team"),
            "attendances": Attendance.objects.filter(volunteer=volunteer)
            .select_related("activity")
            .order_by("-checked_in_at")[:20],
            "records": ServiceRecord.objects.filter(volunteer=volunteer)[:20],
            "total_hours": ServiceRecord.objects.filter(volunteer=volunteer).aggregate(h=Sum("hours"))["h"] or 0,
            "can_manage": _can_manage(user, volunteer.region_code),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def volunteer_add(request: HttpRequest) -> HttpResponse:
    """Find the resident (by name, ID number or mobile), then register them; the temporary password shows once."""
    user = request.user
    require_section(user, Cap.SERVICES_MANAGE)
    person_id = request.POST.get("person") or request.GET.get("person") or ""
    person = get_or_404(access_person_by_id, user, int(person_id)) if person_id.isdigit() else None
    q = (request.GET.get("q") or "").strip()[:50]
    found = list(search_people(user, q).filter(volunteer__isnull=True)[:SEARCH_LIMIT]) if q and person is None else []
    form = VolunteerRegisterForm(request.POST or None, user=user)
    if request.method == "POST" and person is not None and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer, temporary = actions.do_register_volunteer(
                actor=user,
                person=person,
                community=data["community"],
                skills=data["skills"],
                available_days=form.available_days,
                monthly_capacity=data["monthly_capacity"],
                username=data["username"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            return render(
                request, "volunteers/volunteer_registered.html", {"volunteer": volunteer, "temporary": temporary}
            )
    return render(request, "volunteers/volunteer_form.html", {"form": form, "person": person, "q": q, "found": found})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    volunteer = get_or_404(access_volunteer_by_id, user, pk)
    if not _can_manage(user, volunteer.region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    initial = {
        "skills": volunteer.skills,
        "days": days_of(volunteer.available_days),
        "monthly_capacity": volunteer.monthly_capacity,
    }
    form = VolunteerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_volunteer(
                actor=user,
                volunteer=volunteer,
                skills=form.cleaned_data["skills"],
                available_days=form.available_days,
                monthly_capacity=form.cleaned_data["monthly_capacity"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("volunteers:volunteer", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_edit.html", {"form": form, "volunteer": volunteer})


@login_required
@require_POST
def volunteer_active(request: HttpRequest, pk: int) -> HttpResponse:
    """POST active=0 deactivates (with a reason), active=1 reactivates."""
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    volunteer = get_or_404(access_volunteer_by_id, user, pk)
    if request.POST.get("active") == "1":
        actions.do_reactivate_volunteer(actor=user, volunteer=volunteer)
        messages.success(request, _("%(name)s is an active volunteer again.") % {"name": volunteer.person.name})
    else:
        actions.do_deactivate_volunteer(actor=user, volunteer=volunteer, reason=request.POST.get("reason", ""))
        messages.success(request, _("%(name)s has been taken off the register.") % {"name": volunteer.person.name})
    return redirect("volunteers:volunteer", pk=volunteer.pk)


# ── teams ────────────────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    teams = teams_for(user).select_related("community", "unit", "leader__person").order_by("region_code", "name")
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/team_list.html",
        {"page": page, "names": _category_names(), "can_add": has_capability(user, Cap.SERVICES_MANAGE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_MANAGE)
    form = TeamForm(request.POST or None, user=user, volunteers=volunteers_for(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = actions.do_create_team(
                actor=user,
                community=data["community"],
                name=data["name"],
                unit=data["unit"],
                leader=data["leader"],
                skills=data["skills"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been set up.") % {"name": team.name})
            return redirect("volunteers:team", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form})


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    team = get_or_404(access_team_by_id, user, pk)
    can_manage = _can_manage(user, team.region_code)
    members = TeamMember.objects.filter(team=team).select_related("volunteer__person").order_by("joined_on", "pk")
    candidates = volunteers_for(user).exclude(team_memberships__team=team)
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "members": members,
            "names": _category_names(),
            "can_manage": can_manage,
            "form": MemberForm(volunteers=candidates) if can_manage else None,
            "activities": team.activities.order_by("-starts_at")[:20],
        },
    )


def _member_action(request: HttpRequest, pk: int) -> tuple[Any, Volunteer | None]:
    user = request.user
    require_section(user, Cap.SERVICES_VIEW)
    team = get_or_404(access_team_by_id, user, pk)
    raw = request.POST.get("volunteer") or ""
    volunteer = volunteers_for(user).select_related("person").filter(pk=int(raw)).first() if raw.isdigit() else None
    return team, volunteer


@login_required
@require_POST
def team_member(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    """op: add, remove or leader; the volunteer is posted as `volunteer`."""
    if op not in ("add", "remove", "leader"):
        raise Http404(op)
    team, volunteer = _member_action(request, pk)
    if volunteer is None:
        messages.error(request, _("Choose a volunteer."))
        return redirect("volunteers:team", pk=team.pk)
    try:
        if op == "add":
            actions.do_add_team_member(actor=request.user, team=team, volunteer=volunteer)
        elif op == "remove":
            actions.do_remove_team_member(actor=request.user, team=team, volunteer=volunteer)
        else:
            actions.do_set_team_leader(actor=request.user, team=team, volunteer=volunteer)
    except DomainError as error:
        for item in error.items:
            messages.error(request, item.message)
    else:
        messages.success(request, _("The team has been updated."))
    return redirect("volunteers:team", pk=team.pk)

"""The 五个一 compliance board (and its Excel export), members' yearly hours, the required hours."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.regions.models import Level, Region
from gongzhi.registrations import actions
from gongzhi.registrations.compliance import (
    DEFAULT_DUTY_HOURS,
    ITEMS,
    CommunityCompliance,
    community_compliance,
    community_member_hours,
    required_hours,
)
from gongzhi.registrations.forms import DutyHoursForm, apply_errors
from gongzhi.registrations.models import DutyHours
from gongzhi.registrations.periods import Period, parse_period
from gongzhi.registrations.views.common import chosen_community, my_communities, require

STATUS_MARKS = {"met": "✓", "not_met": "✗", "pending": "…"}


def _period(request: HttpRequest) -> Period:
    text = request.GET.get("period", "")
    today = timezone.localdate()
    if not text:
        return Period.current_month(today)
    try:
        return parse_period(text)
    except ValueError:
        messages.error(request, _("Give the period as 2026-10, 2026-Q4 or 2026."))
        return Period.current_month(today)


def _board(request: HttpRequest) -> CommunityCompliance:
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    community = chosen_community(request, my_communities(user))
    return community_compliance(community, _period(request))


@login_required
@require_GET
def compliance_board(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    context = {
        "board": board,
        "items": [str(label) for _key, label in ITEMS],
        "totals": board.totals(),
        "communities": my_communities(request.user),
        "marks": STATUS_MARKS,
    }
    return render(request, "registrations/compliance.html", context)


@login_required
@require_GET
def compliance_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    board = _board(request)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = board.period.label
    sheet.append([f"{board.community.name} {board.period.label}"])
    sheet.append([_("Organisation unit"), *[str(label) for _k, label in ITEMS], _("Overall")])
    for row in board.units:
        sheet.append([row.unit.name, *[STATUS_MARKS[i.status.value] for i in row.items], _label(row.overall.value)])
    totals = board.totals()
    sheet.append([_("Units meeting the item"), *[totals["items"][k] for k, _label in ITEMS], ""])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"compliance-{board.community.code}-{board.period.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _label(overall: str) -> str:
    return {
        "compliant": _("Compliant"),
        "not_compliant": _("Not compliant"),
        "pending": _("Pending"),
    }[overall]


@login_required
@require_GET
def member_hours_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    community = chosen_community(request, my_communities(user))
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 1900 < int(year_text) < 3000 else timezone.localdate().year
    rows = community_member_hours(community, year)
    context = {
        "community": community,
        "communities": my_communities(user),
        "year": year,
        "rows": rows,
        "required": required_hours(community),
        "short": sum(1 for r in rows if not r.met),
    }
    return render(request, "registrations/hours.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def duty_hours(request: HttpRequest) -> HttpResponse:
    """Required yearly hours: each street the user manages, and the city-wide default (services.config)."""
    user = request.user
    config = has_capability(user, Cap.SERVICES_CONFIG)
    if not config:
        require(user, Cap.SERVICES_MANAGE)
    streets = Region.objects.filter(capability_scope(user, Cap.SERVICES_MANAGE).q("code"), level=Level.STREET).order_by(
        "code"
    )
    if not config and not streets.exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(Cap.SERVICES_MANAGE)
    if request.method == "POST":
        form = DutyHoursForm(request.POST)
        raw = request.POST.get("region", "")
        region_id = int(raw) if raw.isdigit() else None
        if form.is_valid():
            try:
                actions.do_set_duty_hours(actor=user, region_id=region_id, hours=form.cleaned_data["hours"])
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The required hours have been saved."))
                return redirect("registrations:duty")
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    rows = {r.region_id: r.hours for r in DutyHours.objects.all()}
    default = rows.get(None, DEFAULT_DUTY_HOURS)
    context = {
        "config": config,
        "default": default,
        "streets": [{"region": s, "hours": rows.get(s.pk), "effective": rows.get(s.pk, default)} for s in streets],
        "builtin": Decimal(DEFAULT_DUTY_HOURS),
    }
    return render(request, "registrations/duty.html", context)

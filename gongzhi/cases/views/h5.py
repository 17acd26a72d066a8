"""The resident's phone pages (H5): report a problem, follow it by ticket number and token, rate the result.

No sign-in. The ticket number with its token is the resident's only key to their case: a wrong token
answers 404 like a missing number, the token never appears in any staff page, and only its digest
is stored. Reports are limited per client address (GONGZHI_H5_REPORTS_PER_HOUR, default 10), and
wrong look-ups too, so neither filing nor guessing can be done in bulk from one address.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.cases import selectors
from gongzhi.cases.access import access_case_by_ticket
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.transitions import do_rate_case
from gongzhi.cases.forms import RateForm, ResidentReportForm, TicketLookupForm, apply_errors
from gongzhi.cases.models import Case, Channel, PhotoStage, Status
from gongzhi.cases.views.common import count_hit, event_label, rate_limited
from gongzhi.cases.views.detail import photo_response
from gongzhi.cases.views.field import file_from_form, new_client_key, report_from_form
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.core.security.net import client_ip
from gongzhi.regions.models import GeometryRevision, Level, Region
from gongzhi.web import maps

HOUR = 3600
WRONG_LOOKUPS_PER_HOUR = 30
SESSION_TICKETS = "h5_tickets"
KEEP_TICKETS = 10
SOURCE = "web"

# The steps a resident sees: what happened to their report, not who inside did what.
PUBLIC_STEPS = frozenset(
    {
        "file",
        "accept",
        "reject",
        "merge",
        "dispatch",
        "whistle",
        "sign",
        "start",
        "finish",
        "verify_pass",
        "verify_fail",
        "rate",
        "close_on_spot",
        "resume",
    }
)
_LINK = re.compile(r"/h5/t/(?P<number>[0-9A-Za-z-]{4,20})/(?P<token>[A-Za-z0-9_-]{8,64})/?")


def reports_per_hour() -> int:
    return int(getattr(settings, "GONGZHI_H5_REPORTS_PER_HOUR", 10))


def status_url(number: str, token: str) -> str:
    return reverse("cases:h5_status", args=[number, token])


def _remember(request: HttpRequest, number: str, token: str) -> None:
    tickets: dict[str, str] = dict(request.session.get(SESSION_TICKETS) or {})
    tickets[number] = token
    request.session[SESSION_TICKETS] = dict(list(tickets.items())[-KEEP_TICKETS:])


@require_GET
def h5_home(request: HttpRequest) -> HttpResponse:
    """Look a ticket up by number and token, or by the link the report page gave."""
    form = TicketLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        link, token = form.cleaned_data["link"].strip(), form.cleaned_data["token"].strip()
        found = _LINK.search(link)
        if found:
            return redirect(status_url(found["number"], found["token"]))
        if token and re.fullmatch(r"[0-9A-Za-z-]{4,20}", link) and re.fullmatch(r"[A-Za-z0-9_-]{8,64}", token):
            return redirect(status_url(link, token))
        form.add_error("token", _("Give the ticket number and its query code, or paste the whole link."))
    return render(request, "cases/h5/home.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def h5_report(request: HttpRequest) -> HttpResponse:
    area = request.GET.get("area", "")
    area = area if area.isdigit() and len(area) <= 15 else ""
    ip = client_ip(request) or "unknown"
    status = 200
    if request.method == "POST":
        form = ResidentReportForm(request.POST, request.FILES)
        if rate_limited(f"h5:report:{ip}", reports_per_hour()):
            form.is_valid()
            form.add_error(None, _("Too many reports from this network in the last hour. Please try again later."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            report = report_from_form(
                form,
                Channel.H5,
                SOURCE,
                reporter_name="" if data["anonymous"] else data["name"].strip(),
                reporter_phone="" if data["anonymous"] else data["phone"],
                anonymous=bool(data["anonymous"]),
            )
            filed = file_from_form(form, Actor(), report)
            if filed is not None:
                if filed.created:
                    count_hit(f"h5:report:{ip}", HOUR)
                    _remember(request, filed.case.number, filed.token)
                    return redirect("cases:h5_done", number=filed.case.number)
                known = (request.session.get(SESSION_TICKETS) or {}).get(filed.case.number)
                if known:
                    return redirect("cases:h5_done", number=filed.case.number)
                form.add_error(None, _("This report has already been received."))
    else:
        form = ResidentReportForm(initial={"client_key": new_client_key(), "crs": "wgs84"})
    return render(
        request,
        "cases/h5/report.html",
        {"form": form, "grids_url": reverse("cases:h5_grids") + (f"?area={area}" if area else "")},
        status=status,
    )


@never_cache
@require_GET
def h5_done(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket number and the status link, shown to the browser that filed it (kept in its session)."""
    token = (request.session.get(SESSION_TICKETS) or {}).get(number)
    if not token:
        raise Http404
    link = request.build_absolute_uri(status_url(number, token))
    return render(request, "cases/h5/done.html", {"number": number, "token": token, "link": link})


def _ticket_case(request: HttpRequest, number: str, token: str) -> Case:
    ip = client_ip(request) or "unknown"
    if rate_limited(f"h5:miss:{ip}", WRONG_LOOKUPS_PER_HOUR):
        raise Http404
    try:
        return access_case_by_ticket(number, token)
    except NotFound:
        count_hit(f"h5:miss:{ip}", HOUR)
        raise Http404 from None


def rateable(case: Case) -> bool:
    if case.status != Status.CLOSED or case.closed_on_spot:
        return False
    return not (case.rated_at is not None and case.closed_at is not None and case.rated_at >= case.closed_at)


@never_cache
@require_http_methods(["GET", "POST"])
def h5_status(request: HttpRequest, number: str, token: str) -> HttpResponse:
    case = _ticket_case(request, number, token)
    here = status_url(case.number, token)
    form = RateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_rate_case(
                actor=Actor(ticket_token=token),
                case_id=case.pk,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except Conflict as error:
            messages.warning(request, "；".join(i.message for i in error.items))
            return redirect(here)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(here)
    steps = [
        {"at": e.occurred_at, "label": event_label(e.action), "status": e.get_to_status_display()}
        for e in selectors.timeline(case)
        if e.action in PUBLIC_STEPS
    ]
    photos = [p for p in selectors.photos(case) if p.stage in (PhotoStage.REPORT, PhotoStage.RESULT)]
    return render(
        request,
        "cases/h5/status.html",
        {
            "case": case,
            "token": token,
            "steps": steps,
            "report_photos": [p for p in photos if p.stage == PhotoStage.REPORT],
            "result_photos": [p for p in photos if p.stage == PhotoStage.RESULT],
            "form": form,
            "can_rate": rateable(case),
            "show_result": bool(case.result) and case.status in (Status.CLOSED, Status.REJECTED, Status.REWORK),
        },
    )


@require_GET
def h5_photo(request: HttpRequest, number: str, token: str, photo_id: int) -> FileResponse:
    case = _ticket_case(request, number, token)
    photo = selectors.photos(case).filter(pk=photo_id, stage__in=(PhotoStage.REPORT, PhotoStage.RESULT)).first()
    if photo is None:
        raise Http404
    return photo_response(photo)


@require_GET
def h5_categories(request: HttpRequest) -> JsonResponse:
    """The category search of the report form: leaves by their name or their class's name."""
    text = (request.GET.get("q") or "")[:30]
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "path": f"{c.parent.name} › {c.name}" if c.parent is not None else c.name,
        }
        for c in selectors.search_categories(text, limit=20)
    ]
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


@require_GET
def h5_grids(request: HttpRequest) -> JsonResponse:
    """The grid outlines the resident taps on: our own polygons in WGS-84, there is no base map."""
    area = request.GET.get("area", "")
    area = area if area.isdigit() and len(area) <= 15 else ""
    revision = GeometryRevision.objects.values_list("revision", flat=True).first() or 0
    key = f"h5:grids:{revision}:{area}"
    collection: dict[str, Any] | None = cache.get(key)
    if collection is None:
        grids = list(
            Region.objects.filter(level=Level.GRID, geometry__isnull=False, code__startswith=area).order_by("code")
        )
        tolerance = max((maps.tolerance_for(g) for g in grids), default=0.0) * 4
        features = []
        for grid in grids:
            feature = maps.region_feature(grid, "child", tolerance)
            feature["properties"].pop("url", None)  # the resident has no region pages to open
            features.append(feature)
        collection = {"type": "FeatureCollection", "features": features}
        cache.set(key, collection, 300)
    return JsonResponse(collection, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})

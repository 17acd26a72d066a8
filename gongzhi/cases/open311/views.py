"""GeoReport v2 (docs/open311.md): services, service definitions, service requests, tokens.

Plain Django views, not DRF: the spec fixes the formats (`.json` / `.xml` suffix), the form-encoded
POST, the `api_key` parameter and the error body, none of which are the rest of the API's.

Services are the active leaf categories. Requests are cases, filed through intake as channel
`open311` with source `client:<id>`; the case number is the service_request_id at once (type
`realtime`). Anyone may read requests, but personal data only reaches a client whose area covers
the case: others get no description and no photo, the grid instead of the typed address, and the
position rounded to about 100 m.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.cases import selectors, sla
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.intake import MAX_DESCRIPTION, Report, do_file_case
from gongzhi.cases.api.auth import FeedThrottle, IntakeThrottle, client_for_key
from gongzhi.cases.models import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    ApiClient,
    Case,
    CaseEvent,
    Category,
    Channel,
    PhotoStage,
    Status,
)
from gongzhi.cases.open311.formats import Open311Error, error_response, render, w3c
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.regions.models import Building, Region

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
COARSE_DIGITS = 3  # about 100 m: where, but not which door
_DATATYPES = {"text": "string", "number": "number", "choice": "singlevaluelist"}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,50})\](\[\])?$")
_FIELD_NAMES = {
    "lon": "long",
    "lat": "lat",
    "address": "address_string",
    "reporter_phone": "phone",
    "reporter_name": "first_name",
    "category": "service_code",
    "title": "description",
}
CLIENT_KEY_ATTRIBUTE = "client_key"

View = Callable[..., HttpResponseBase]


def open311(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Method check, CSRF exemption (other systems post here) and the spec's error body for every failure."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponseBase:
            try:
                if request.method not in methods:
                    raise Open311Error.one(405, 405, _("Method not allowed."))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                response = error_response(fmt, exc)
            except DomainError as exc:
                items = [(i.code, f"{_spec_field(i.field)}: {i.message}") for i in exc.items]
                response = error_response(fmt, Open311Error(400, items))
            except NotFound:
                response = error_response(fmt, Open311Error.one(404, 404, _("Not found.")))
            except PermissionDenied:
                response = error_response(fmt, Open311Error.one(403, 403, _("Not allowed.")))
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


def _spec_field(field: str) -> str:
    if field.startswith("attributes."):
        return f"attribute[{field.removeprefix('attributes.')}]"
    return _FIELD_NAMES.get(field, field)


def _api_key(request: HttpRequest) -> str:
    return str(request.POST.get("api_key") or request.GET.get("api_key") or "")


def _client(request: HttpRequest, *, required: bool) -> ApiClient | None:
    key = _api_key(request)
    if not key and not required:
        return None
    client = client_for_key(key)
    if client is None:
        raise Open311Error.one(403, 403, _("Missing or invalid api_key."))
    return client


def _throttle(throttle: IntakeThrottle, ident: str) -> None:
    if not throttle.allow_ident(ident):
        raise Open311Error.one(429, 429, _("Too many requests; try again in a minute."))


def _covers(client: ApiClient | None, case: Case) -> bool:
    return client is not None and bool(case.region_code) and case.region_code.startswith(client.region.code)


# ------------------------------------------------------------------------------ services


def _keywords(leaf: Category) -> str:
    words: list[str] = []
    for node in (leaf, leaf.parent, leaf.parent.parent if leaf.parent else None):
        if node is None:
            continue
        words.extend([node.name, *(str(a) for a in node.aliases or [])])
    return ", ".join(dict.fromkeys(w for w in words[1:] if w))


def _service(leaf: Category) -> dict[str, Any]:
    klass = leaf.parent
    family = klass.parent if klass is not None else None
    path = " · ".join(n.name for n in (family, klass, leaf) if n is not None)
    description = _("%(path)s. Answered within %(hours)d hours, handled within %(days)d working days.") % {
        "path": path,
        "hours": leaf.response_hours,
        "days": leaf.handling_days,
    }
    return {
        "service_code": leaf.code,
        "service_name": leaf.name,
        "description": description,
        "metadata": bool(leaf.attributes),
        "type": "realtime",
        "keywords": _keywords(leaf),
        "group": klass.name if klass is not None else "",
    }


@open311(("GET", "HEAD"))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", "service", [_service(c) for c in selectors.leaf_categories()])


def _leaf(code: str) -> Category:
    leaf = selectors.leaf_categories().filter(code=code).first()
    if leaf is None:
        raise Open311Error.one(404, 404, _("No service with the code %(code)s.") % {"code": code})
    return leaf


def _attribute(order: int, spec: dict[str, Any]) -> dict[str, Any]:
    datatype = _DATATYPES.get(str(spec.get("type")), "string")
    row: dict[str, Any] = {
        "variable": True,
        "code": spec["key"],
        "datatype": datatype,
        "required": bool(spec.get("required")),
        "datatype_description": _("A number.") if datatype == "number" else None,
        "order": order,
        "description": spec.get("label", spec["key"]),
    }
    if datatype == "singlevaluelist":
        row["values"] = [{"key": str(v), "name": str(v)} for v in spec.get("choices", [])]
    return row


@open311(("GET", "HEAD"))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    leaf = _leaf(code)
    attributes = [_attribute(i, spec) for i, spec in enumerate(leaf.attributes or [], start=1)]
    return render(fmt, "service_definition", None, {"service_code": leaf.code, "attributes": attributes})


# ------------------------------------------------------------------------------ POST requests


def _float(params: QueryDict, name: str) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise Open311Error.one(400, "invalid_number", _("%(name)s must be a number.") % {"name": name}) from exc


def _attributes(params: QueryDict) -> tuple[dict[str, Any], str]:
    values: dict[str, Any] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if match is None:
            continue
        given = [v for v in params.getlist(name) if v != ""]
        if given:
            # No category takes several values (no multivaluelist): the last one counts.
            values[match.group(1)] = given[-1]
    client_key = str(values.pop(CLIENT_KEY_ATTRIBUTE, "")).strip()
    return values, client_key


def _building_point(client: ApiClient, address_id: str) -> tuple[float, float]:
    building = (
        Building.objects.filter(code=address_id, grid__code__startswith=client.region.code).only("lon", "lat").first()
    )
    if building is None:
        raise Open311Error.one(
            400, "address_id_invalid", _("address_id: no such building (19-digit code) in your area.")
        )
    return building.lon, building.lat


def _notice(case: Case) -> str:
    if case.category is None:
        return str(_("Received. The office in charge will register it and tell you the category."))
    return _("Received. Answered within %(hours)d hours, handled within %(days)d working days.") % {
        "hours": case.category.response_hours,
        "days": case.category.handling_days,
    }


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    client = _client(request, required=True)
    if client is None:  # pragma: no cover - required=True raises instead
        raise Open311Error.one(403, 403, _("Missing or invalid api_key."))
    _throttle(IntakeThrottle(), f"client:{client.pk}")
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error.one(400, "service_code_required", _("service_code was not provided."))
    _leaf(code)
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error.one(400, "location_incomplete", _("Send lat and long together."))
    if lat is None and address_id:
        lon, lat = _building_point(client, address_id)
    if lat is None and not address:
        raise Open311Error.one(
            400, "location_required", _("A location is required: lat and long, address_string or address_id.")
        )
    attributes, client_key = _attributes(params)
    name = f"{params.get('last_name', '').strip()}{params.get('first_name', '').strip()}"
    phone = (params.get("phone") or "").strip()
    description = (params.get("description") or "").strip()[: MAX_DESCRIPTION + 1]
    report = Report(
        channel=Channel.OPEN311,
        title="",
        description=description,
        category_code=code,
        lon=lon,
        lat=lat,
        crs="wgs84",
        address=address[:200],
        attributes=attributes,
        reporter_name=name[:20],
        reporter_phone=phone,
        anonymous=not (name or phone),
        source=f"client:{client.pk}",
        client_key=client_key[:100],
        region_hint=client.region.code,
    )
    filed = do_file_case(actor=Actor(), report=report)
    case = Case.objects.select_related("category").get(pk=filed.case.pk)
    row: dict[str, Any] = {
        "service_request_id": case.number,
        "service_notice": _notice(case),
        "account_id": (params.get("account_id") or "").strip() or None,
    }
    if (params.get("extensions") or "").lower() in ("1", "true"):
        # Our extension: the resident's ticket token, with which they follow and rate the case.
        row["ticket_token"] = filed.token or None
        row["ticket_url"] = request.build_absolute_uri(reverse("cases-api:ticket", kwargs={"number": case.number}))
    return render(fmt, "service_requests", "request", [row], status=201 if filed.created else 200)


# ------------------------------------------------------------------------------ GET requests


def _feed() -> QuerySet[Case]:
    """Every case, for the public feed: the fields a row may show are decided per row (`_row`)."""
    updated = CaseEvent.objects.filter(case_id=OuterRef("pk")).order_by("-occurred_at", "-id").values("occurred_at")
    return Case.objects.select_related("category", "department", "duplicate_of").annotate(
        updated_at=Subquery(updated[:1])
    )


def _area_names(cases: list[Case]) -> dict[str, str]:
    codes = {c.region_code for c in cases} | {c.region_code[:12] for c in cases}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _status_notes(case: Case) -> str | None:
    if case.status == Status.MERGED and case.duplicate_of is not None:
        return _("Merged into request %(n)s.") % {"n": case.duplicate_of.number}
    if case.status in TERMINAL_STATUSES:
        return case.result or None
    return str(Status(case.status).label)


def _media_url(request: HttpRequest, case: Case) -> str | None:
    photo = selectors.photos(case).filter(stage=PhotoStage.REPORT).first()
    if photo is None:
        return None
    return request.build_absolute_uri(reverse("open311:media", kwargs={"number": case.number, "photo_id": photo.pk}))


def _row(request: HttpRequest, case: Case, client: ApiClient | None, names: dict[str, str]) -> dict[str, Any]:
    covered = _covers(client, case)
    closed = case.status in TERMINAL_STATUSES
    if covered:
        address = case.address
        lat, lon = case.lat, case.lon
    else:
        area = [names.get(case.region_code[:12], ""), names.get(case.region_code, "")]
        address = " ".join(dict.fromkeys(a for a in area if a))
        lat = round(case.lat, COARSE_DIGITS) if case.lat is not None else None
        lon = round(case.lon, COARSE_DIGITS) if case.lon is not None else None
    updated = case.closed_at if closed and case.closed_at else getattr(case, "updated_at", None) or case.created_at
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(case),
        "service_name": case.category.name if case.category is not None else None,
        "service_code": case.category.code if case.category is not None else None,
        "description": case.description if covered else None,
        "agency_responsible": case.department.name if case.department is not None else None,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(case.handle_due),
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": _media_url(request, case) if covered else None,
    }


def _when(params: QueryDict, name: str) -> dt.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    # An unencoded "+08:00" arrives as " 08:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = dt.datetime.combine(day, dt.time.min) if day is not None else None
    except ValueError:
        value = None
    if value is None:
        raise Open311Error.one(
            400, "invalid_date", _("%(name)s must be a W3C datetime such as 2010-01-01T00:00:00Z.") % {"name": name}
        )
    return value if timezone.is_aware(value) else value.replace(tzinfo=sla.LOCAL)


def _span(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """The spec's default: the 90 days up to now, or 90 days from (or up to) the one bound given."""
    if start is not None and end is not None:
        return start, end
    if start is not None:
        return start, start + MAX_SPAN
    end = end or timezone.now()
    return end - MAX_SPAN, end


def _filtered(params: QueryDict) -> QuerySet[Case]:
    qs = _feed()
    ids = [s.strip() for s in (params.get("service_request_id") or "").split(",") if s.strip()]
    if ids:
        return qs.filter(number__in=ids[:MAX_RESULTS])  # "overrides all other arguments"
    codes = [s.strip() for s in (params.get("service_code") or "").split(",") if s.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    start, end = _span(_when(params, "start_date"), _when(params, "end_date"))
    if end < start:
        raise Open311Error.one(400, "invalid_range", _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error.one(400, "range_too_long", _("A query may not span more than 90 days."))
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error.one(400, "invalid_status", _("status must be open or closed."))
    if statuses == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=TERMINAL_STATUSES)
    return qs


def _rows(request: HttpRequest, cases: list[Case], client: ApiClient | None) -> list[dict[str, Any]]:
    names = _area_names(cases)
    return [_row(request, case, client, names) for case in cases]


@open311(("GET", "HEAD", "POST"))
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    client = _client(request, required=False)
    _throttle(FeedThrottle(), f"client:{client.pk}" if client else f"ip:{request.META.get('REMOTE_ADDR', '')}")
    cases = list(_filtered(request.GET).order_by("-created_at", "-id")[:MAX_RESULTS])
    return render(fmt, "service_requests", "request", _rows(request, cases, client))


@open311(("GET", "HEAD"))
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    client = _client(request, required=False)
    case = _feed().filter(number=number).first()
    if case is None:
        raise Open311Error.one(404, 404, _("No request with the id %(id)s.") % {"id": number})
    return render(fmt, "service_requests", "request", _rows(request, [case], client))


@open311(("GET", "HEAD"))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Requests are assigned their id at once, so a token is the id itself (for clients that always ask)."""
    if not Case.objects.filter(number=token, channel=Channel.OPEN311).exists():
        raise Open311Error.one(404, 404, _("No request with the token %(t)s.") % {"t": token})
    return render(fmt, "service_requests", "request", [{"service_request_id": token, "token": token}])


@open311(("GET", "HEAD"))
def media(request: HttpRequest, fmt: str, number: str, photo_id: int) -> HttpResponseBase:
    """A request's photo, for the client whose area covers it (the same `api_key` as for the request)."""
    client = _client(request, required=True)
    case = Case.objects.filter(number=number).first()
    if case is None or not _covers(client, case):
        raise NotFound(number)
    photo = selectors.photos(case).filter(pk=photo_id, stage=PhotoStage.REPORT).first()
    if photo is None:
        raise NotFound(photo_id)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@open311(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request: HttpRequest, fmt: str = "json", **kwargs: Any) -> HttpResponse:
    raise Open311Error.one(404, 404, _("No such resource. See docs/open311.md for the endpoints."))

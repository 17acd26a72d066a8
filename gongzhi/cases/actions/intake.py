"""Filing a case from any channel: validate, locate, classify, route, check for duplicates, store.

Phone and ID numbers a resident types into the title or description are masked before anything reads
the text (the classifier, the office's notice, every page and export); the text as typed is sealed
with the case for the logged 「查看」 of the parties working it (actions.privacy).

Idempotent: a submission carrying a client key is stored once per (channel, source, key); sending it
again answers the case already filed (created=False), even when both arrive at the same moment.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.cases import notify, routing, sla
from gongzhi.cases.actions.common import Actor, now, record, token_digest
from gongzhi.cases.models import Case, Category, Channel, PhotoStage, Resolution, Status
from gongzhi.cases.photos import CleanPhoto, save_photos
from gongzhi.cases.workflow import Action
from gongzhi.core import pii
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem
from gongzhi.people.validators import validate_mobile
from gongzhi.regions.crs import CRS_NAMES

MAX_TITLE = 100
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 200
_NUMBER_TRIES = 5


@dataclass(slots=True)
class Report:
    """What a channel hands to intake, already parsed from its own format."""

    channel: str
    title: str
    description: str
    category_code: str = ""
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    source: str = ""  # the API client, the hotline batch, the user who filed it
    client_key: str = ""
    region_hint: str = ""  # the area a channel covers, when the report has no position
    occurred_at: dt.datetime | None = None  # hotline tickets keep their own time
    close_on_spot: bool = False
    result: str = ""  # what the grid worker did, when closing on the spot
    # A batch (the hotline import) tells each office once for the whole batch, not once per case.
    notify_office: bool = True


@dataclass(frozen=True, slots=True)
class Filed:
    case: Case
    token: str  # the resident's status-page token; empty when the case already existed
    created: bool


def _clean_attributes(category: Category | None, values: dict[str, Any], errors: list[ErrorItem]) -> dict[str, Any]:
    if category is None:
        return {str(k): v for k, v in values.items()}
    out: dict[str, Any] = {}
    for spec in category.attributes or []:
        key = spec["key"]
        raw = values.get(key, "")
        text = str(raw).strip() if raw is not None else ""
        if not text:
            if spec.get("required"):
                errors.append(
                    ErrorItem(f"attributes.{key}", "required", _("%(label)s is required.") % {"label": spec["label"]})
                )
            continue
        if spec.get("type") == "number":
            try:
                number = float(text)
            except ValueError:
                errors.append(
                    ErrorItem(
                        f"attributes.{key}", "not_a_number", _("%(label)s must be a number.") % {"label": spec["label"]}
                    )
                )
                continue
            out[key] = int(number) if number.is_integer() else number
        elif spec.get("type") == "choice":
            if text not in spec.get("choices", []):
                errors.append(
                    ErrorItem(
                        f"attributes.{key}",
                        "invalid_choice",
                        _("Choose %(label)s from the list.") % {"label": spec["label"]},
                    )
                )
                continue
            out[key] = text
        else:
            out[key] = text[:100]
    return out


def _validate(report: Report) -> tuple[Category | None, dict[str, Any], list[ErrorItem]]:
    errors: list[ErrorItem] = []
    if report.channel not in Channel.values:
        errors.append(ErrorItem("channel", "invalid_choice", _("Unknown channel.")))
    report.title = (report.title or "").strip()
    report.description = (report.description or "").strip()
    if not report.description:
        errors.append(ErrorItem("description", "required", _("Describe the problem.")))
    elif len(report.description) > MAX_DESCRIPTION:
        errors.append(ErrorItem("description", "too_long", _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}))
    if not report.title:
        # From the masked text: a cut through a typed number would leave its first digits unmasked.
        report.title = pii.redact_free_text(report.description)[:30]
    if len(report.title) > MAX_TITLE:
        errors.append(ErrorItem("title", "too_long", _("At most %(n)d characters.") % {"n": MAX_TITLE}))
    if len(report.address) > MAX_ADDRESS:
        errors.append(ErrorItem("address", "too_long", _("At most %(n)d characters.") % {"n": MAX_ADDRESS}))
    if len(report.client_key) > 100:
        errors.append(ErrorItem("client_key", "too_long", _("At most %(n)d characters.") % {"n": 100}))
    category: Category | None = None
    if report.category_code:
        category = routing.category_by_code(report.category_code)
        if category is None or not category.is_active or not category.is_leaf:
            errors.append(ErrorItem("category", "category_invalid", _("Choose a category from the list.")))
            category = None
    attributes = _clean_attributes(category, report.attributes or {}, errors)
    if (report.lon is None) != (report.lat is None):
        errors.append(ErrorItem("lon", "incomplete", _("Give both longitude and latitude.")))
    elif report.lon is not None and report.lat is not None:
        if not (-180 <= report.lon <= 180 and -90 <= report.lat <= 90):
            errors.append(ErrorItem("lon", "out_of_range", _("Longitude or latitude out of range.")))
        name = (report.crs or "wgs84").lower().replace("-", "").replace("_", "")
        if name not in CRS_NAMES:
            errors.append(
                ErrorItem("crs", "invalid_choice", _("Coordinates must be declared as WGS-84, GCJ-02 or BD-09."))
            )
    if report.reporter_phone:
        try:
            report.reporter_phone = validate_mobile(report.reporter_phone)
        except DomainError as exc:
            errors.extend(ErrorItem("reporter_phone", i.code, i.message) for i in exc.items)
    if report.close_on_spot and len((report.result or "").strip()) < 2:
        errors.append(ErrorItem("result", "required", _("Say what was done on the spot.")))
    return category, attributes, errors


def _place(report: Report) -> routing.Place:
    if report.lon is not None and report.lat is not None:
        hit = routing.locate_point(report.lon, report.lat, report.crs or "wgs84")
        if hit is None:
            raise DomainError.single("lon", "outside_area", _("That point is outside every grid of this city."))
        return hit
    if report.address:
        hit = routing.resolve_address(report.address)
        if hit is not None:
            return hit
    if report.region_hint:
        return routing.Place(None, None, report.region_hint)
    raise DomainError.single(
        "address", "location_required", _("Tap the map or type an address we can find (小区 and 楼栋).")
    )


def _redact(report: Report) -> str:
    """Mask the numbers typed into the report's text; the text as typed, sealed, when any was masked."""
    title, description = pii.redact_free_text(report.title), pii.redact_free_text(report.description)
    if title == report.title and description == report.description:
        return ""
    original = {"title": report.title, "description": report.description}
    report.title, report.description = title, description
    return pii.encrypt(json.dumps(original, ensure_ascii=False))


def _new_number(at: dt.datetime) -> str:
    return f"{at.astimezone(sla.LOCAL):%y%m%d}{secrets.randbelow(10**8):08d}"


def _already_filed(report: Report) -> Case | None:
    # The exclude repeats the unique index's condition: SQLite uses a partial index only when the query
    # states its condition, and without it every intake scanned the whole table. Only the id is read
    # first (the usual answer is "none"), which spares compiling a select of every column per request.
    found = list(
        Case.objects.filter(channel=report.channel, source=report.source, client_key=report.client_key)
        .exclude(client_key="")
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
    return Case.objects.get(pk=found[0]) if found else None


def do_file_case(*, actor: Actor, report: Report, photos: list[CleanPhoto] | None = None) -> Filed:
    # A replay is rare, so the key is not looked up first: the insert meets the unique index and only
    # then is the case already filed read back. A replay that no longer validates (the category was
    # retired since, say) still answers its case rather than an error.
    try:
        category, attributes, errors = _validate(report)
        if report.close_on_spot and not photos:
            errors.append(ErrorItem("photos", "required", _("Closing on the spot needs at least one photo.")))
        if errors:
            raise DomainError(errors)
        place = _place(report)
    except DomainError:
        existing = _already_filed(report) if report.client_key else None
        if existing is not None:
            return Filed(existing, "", False)
        raise
    original_text_sealed = _redact(report)
    suggestions = routing.suggest(report.title, report.description)
    suggested = routing.category_by_code(suggestions[0][0]) if suggestions else None
    effective = category or (suggested if suggested is not None and suggested.is_leaf else None)
    route = routing.route(effective, place.region_code)
    duplicate = routing.find_duplicate(
        category_id=effective.pk if effective else None, lon=place.lon, lat=place.lat, region_code=place.region_code
    )
    token = secrets.token_urlsafe(16)
    for _attempt in range(_NUMBER_TRIES):
        try:
            with transaction.atomic():
                case = _store(
                    actor,
                    report,
                    category,
                    attributes,
                    place,
                    suggestions,
                    suggested,
                    route,
                    duplicate,
                    token,
                    photos,
                    original_text_sealed,
                )
            return Filed(case, token, True)
        except IntegrityError:
            if report.client_key:
                existing = _already_filed(report)
                if existing is not None:
                    return Filed(existing, "", False)
            # Otherwise a ticket number collided (1 in 10⁸ per day-pair): draw another.
    raise DomainError.single("number", "busy", _("Could not allot a ticket number; try again."))


def _store(
    actor: Actor,
    report: Report,
    category: Category | None,
    attributes: dict[str, Any],
    place: routing.Place,
    suggestions: list[tuple[str, float]],
    suggested: Category | None,
    route: routing.Route,
    duplicate: Case | None,
    token: str,
    photos: list[CleanPhoto] | None,
    original_text_sealed: str,
) -> Case:
    at = now()
    created_at = report.occurred_at or at
    user = actor.db_user
    phone = pii.seal_phone(report.reporter_phone) if report.reporter_phone and not report.anonymous else None
    case = Case(
        number=_new_number(created_at),
        token_digest=token_digest(token),
        channel=report.channel,
        source=report.source[:64],
        client_key=report.client_key,
        category=category,
        suggested_category=suggested,
        suggestion_confidence=suggestions[0][1] if suggestions else None,
        suggestions=[[c, p] for c, p in suggestions],
        suggested_department_id=route.department_id,
        duplicate_candidate=duplicate,
        title=report.title,
        description=report.description,
        original_text_sealed=original_text_sealed,
        attributes=attributes,
        address=(report.address or place.label)[:MAX_ADDRESS],
        lon=place.lon,
        lat=place.lat,
        region_code=place.region_code,
        status=Status.PENDING,
        owner_code=route.owner_code,
        reporter=user,
        anonymous=report.anonymous,
        reporter_name_masked="" if report.anonymous else pii.mask_name(report.reporter_name.strip()[:20]),
        reporter_phone_ciphertext=phone.ciphertext if phone else "",
        reporter_phone_digest=phone.digest if phone else "",
        reporter_phone_masked=phone.masked if phone else "",
        created_at=created_at,
    )
    case.save()
    record(
        case,
        actor,
        "file",
        from_status="",
        to_status=Status.PENDING,
        data={
            "channel": report.channel,
            "region": place.region_code,
            "suggested": suggestions[:1],
            "duplicate_of": duplicate.number if duplicate else "",
        },
        at=created_at,
    )
    if photos:
        save_photos(case, PhotoStage.REPORT, photos)
    if report.close_on_spot:
        _close_on_spot(case, actor, report, at)
    elif report.notify_office:
        # The office's inbox rows are written with the case, not after it: at intake's rate a separate
        # write after commit was a second commit (and disk flush) per report, and in the same
        # transaction no notice is lost to a crash between the two.
        notify.send(
            notify.office_users(case.owner_code, Cap.CASES_DISPATCH),
            case,
            "new_case",
            _("New case %(n)s: %(t)s") % {"n": case.number, "t": case.title},
        )
    return case


def _close_on_spot(case: Case, actor: Actor, report: Report, at: dt.datetime) -> None:
    """即报即办: a grid worker fixed it while there; the photo is the evidence, nobody else acts."""
    if report.channel != Channel.PATROL or actor.user is None:
        raise DomainError.single(
            "close_on_spot", "patrol_only", _("Only a grid worker's patrol report closes on the spot.")
        )
    from gongzhi.cases.access import viewer_of

    if not viewer_of(actor.user).field_handle.covers(case.region_code):
        raise DomainError.single(
            "close_on_spot", "not_your_grid", _("You can close on the spot only in your own grid.")
        )
    if case.category is None:
        raise DomainError.single("category", "category_required", _("Choose the category."))
    case.status = Status.CLOSED
    case.closed_on_spot = True
    case.assignee_code = case.region_code
    case.registered_at = case.dispatched_at = case.responded_at = case.handled_at = case.closed_at = at
    case.responded_on_time = case.handled_on_time = True
    case.resolution = Resolution.SOLVED
    case.result = report.result.strip()[:2000]
    case.save()
    record(
        case, actor, Action.CLOSE_ON_SPOT, from_status=Status.PENDING, to_status=Status.CLOSED, note=case.result, at=at
    )

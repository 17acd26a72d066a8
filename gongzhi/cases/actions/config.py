"""Writes to the loop's reference data: taxonomy, duty lists, admissions, escalation, calendar, API keys.

Taxonomy, duty lists, escalation, calendar and API keys belong to the system administrator
(`cases.config`); an admission (准入) is the street's decision (`cases.admit`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import classifier, routing, sla
from gongzhi.cases.actions.common import Actor, clean_reason, now, token_digest
from gongzhi.cases.models import (
    Admission,
    ApiClient,
    Category,
    ClassifierModel,
    DutyItem,
    EscalationStep,
    Family,
    HandlingLevel,
    LoopSettings,
    Responsibility,
    WorkCalendarDay,
)
from gongzhi.cases.taxonomy_data import TAXONOMY, leaves
from gongzhi.core import audit
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem, NotFound
from gongzhi.people.models import Department
from gongzhi.regions.models import Level, Region

DEFAULT_ESCALATION = (
    # (step, hours overdue, escalate to, put under supervision)
    (1, 0, HandlingLevel.COMMUNITY, False),
    (2, 24, HandlingLevel.STREET, True),
    (3, 72, HandlingLevel.DEPARTMENT, True),  # DEPARTMENT here means the district command
)


def _require(actor: Actor, cap: str, code: str = "") -> None:
    if actor.system:
        return
    if actor.user is None:
        raise PermissionDenied(cap)
    scope = capability_scope(actor.user, cap)
    if not (scope.covers(code) if code else (scope.everything or bool(scope.prefixes))):
        raise PermissionDenied(cap)


def _user(actor: Actor) -> Any:
    return actor.db_user


# ── seeding a deployment ──────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_load_default_taxonomy(*, actor: Actor) -> int:
    """Creates the seeded tree's missing nodes; nodes already there (perhaps edited) are left alone."""
    _require(actor, Cap.CASES_CONFIG)
    existing = set(Category.objects.values_list("code", flat=True))
    created = 0
    order = 0
    for family in TAXONOMY:
        order += 1
        root = Category.objects.filter(code=family.code).first()
        if root is None:
            root = Category.objects.create(
                code=family.code, name=family.name, family=family.code, depth=1, sort_order=order
            )
            created += 1
        for klass in family.classes:
            order += 1
            node = Category.objects.filter(code=klass.code).first()
            if node is None:
                # A class takes its sector's name, so another scheme's first-level label maps to it.
                node = Category.objects.create(
                    parent=root,
                    code=klass.code,
                    name=klass.name,
                    family=family.code,
                    depth=2,
                    sort_order=order,
                    aliases=list(klass.aliases)
                    or ([f"{family.name}·{klass.name}"] if family.code != Family.APPEAL else []),
                )
                created += 1
            for leaf in klass.leaves:
                order += 1
                if leaf.code in existing:
                    continue
                Category.objects.create(
                    parent=node,
                    code=leaf.code,
                    name=leaf.name,
                    family=family.code,
                    depth=3,
                    handling_level=leaf.level,
                    response_hours=leaf.response_hours,
                    handling_days=leaf.handling_days,
                    attributes=list(leaf.attributes),
                    sort_order=order,
                )
                created += 1
    if created:
        audit.record(actor=_user(actor), action="cases.taxonomy.load", changes={"created": created})
    routing.forget_cached()
    return created


@transaction.atomic
def do_load_default_duty_lists(*, actor: Actor) -> int:
    """Duty list and responsibility map from the seeded tree, for every district's departments.

    A leaf goes to its own level and to every level above it (a street may handle what a community
    does), and to the department that answers for it.
    """
    _require(actor, Cap.CASES_CONFIG)
    by_code = {c.code: c for c in Category.objects.filter(depth=3)}
    ladder: list[str] = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET]
    items: list[DutyItem] = []
    duties: set[tuple[int, str, int | None]] = set(
        DutyItem.objects.values_list("category_id", "level", "department_id")
    )
    responsibilities: set[tuple[int, int, str]] = set(
        Responsibility.objects.values_list("category_id", "department_id", "area_code")
    )
    new_resp: list[Responsibility] = []
    departments = list(Department.objects.filter(is_active=True).select_related("region"))
    for _family, _klass, leaf in leaves():
        category = by_code.get(leaf.code)
        if category is None:
            continue
        if leaf.level in ladder:
            for level in ladder[ladder.index(leaf.level) :]:
                if (category.pk, level, None) not in duties:
                    items.append(DutyItem(category=category, level=level))
                    duties.add((category.pk, level, None))
        for department in departments:
            if department.short_name != leaf.department:
                continue
            if (category.pk, "", department.pk) not in duties:
                items.append(DutyItem(category=category, department=department))
                duties.add((category.pk, "", department.pk))
            key = (category.pk, department.pk, department.region.code)
            if key not in responsibilities:
                new_resp.append(
                    Responsibility(category=category, department=department, area_code=department.region.code)
                )
                responsibilities.add(key)
    DutyItem.objects.bulk_create(items)
    Responsibility.objects.bulk_create(new_resp)
    for step, hours, level, supervise in DEFAULT_ESCALATION:
        EscalationStep.objects.get_or_create(
            order=step, defaults={"overdue_hours": hours, "target_level": level, "supervise": supervise}
        )
    if not LoopSettings.objects.exists():
        LoopSettings.objects.create()
    audit.record(
        actor=_user(actor),
        action="cases.duty.load",
        changes={"duty_items": len(items), "responsibilities": len(new_resp)},
    )
    routing.forget_cached()
    return len(items)


# ── editing ───────────────────────────────────────────────────────────────────────────────────────

_EDITABLE = ("name", "handling_level", "response_hours", "handling_days", "attributes", "aliases", "is_active")
_ATTRIBUTE_TYPES = ("text", "number", "choice")


def _check_attributes(value: Any, errors: list[ErrorItem]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        errors.append(ErrorItem("attributes", "invalid", _("Attributes must be a list.")))
        return []
    out = []
    for i, spec in enumerate(value):
        if not isinstance(spec, dict) or not str(spec.get("key", "")).strip() or not str(spec.get("label", "")).strip():
            errors.append(ErrorItem(f"attributes.{i}", "invalid", _("Each attribute needs a key and a label.")))
            continue
        kind = spec.get("type", "text")
        if kind not in _ATTRIBUTE_TYPES:
            errors.append(ErrorItem(f"attributes.{i}", "invalid", _("Type must be text, number or choice.")))
            continue
        if kind == "choice" and not spec.get("choices"):
            errors.append(ErrorItem(f"attributes.{i}", "invalid", _("A choice attribute needs its choices.")))
            continue
        out.append(
            {
                "key": str(spec["key"]).strip(),
                "label": str(spec["label"]).strip(),
                "type": kind,
                "required": bool(spec.get("required", False)),
                **({"choices": [str(c) for c in spec["choices"]]} if kind == "choice" else {}),
            }
        )
    return out


@transaction.atomic
def do_update_category(*, actor: Actor, category_id: int, **changes: Any) -> Category:
    _require(actor, Cap.CASES_CONFIG)
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(category_id)
    errors: list[ErrorItem] = []
    before = {f: getattr(category, f) for f in _EDITABLE}
    for key, value in changes.items():
        if key not in _EDITABLE:
            errors.append(ErrorItem(key, "not_editable", _("This field cannot be changed.")))
            continue
        if key == "name":
            value = str(value).strip()
            if not value or len(value) > 60:
                errors.append(ErrorItem("name", "invalid", _("A name of 1 to 60 characters.")))
                continue
            if Category.objects.filter(parent=category.parent, name=value).exclude(pk=category.pk).exists():
                errors.append(ErrorItem("name", "duplicate", _("Another category here has this name.")))
                continue
        elif key == "handling_level" and value not in HandlingLevel.values:
            errors.append(ErrorItem(key, "invalid_choice", _("Choose a level from the list.")))
            continue
        elif key in ("response_hours", "handling_days"):
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors.append(ErrorItem(key, "not_a_number", _("Enter a whole number.")))
                continue
            limit = 720 if key == "response_hours" else 365
            if not 1 <= value <= limit:
                errors.append(ErrorItem(key, "out_of_range", _("Between 1 and %(n)d.") % {"n": limit}))
                continue
        elif key == "attributes":
            value = _check_attributes(value, errors)
        elif key == "aliases":
            value = [str(v).strip() for v in (value or []) if str(v).strip()]
        elif key == "is_active":
            value = bool(value)
        setattr(category, key, value)
    if errors:
        raise DomainError(errors)
    category.save()
    after = {f: getattr(category, f) for f in _EDITABLE}
    audit.record(actor=_user(actor), action="cases.category.update", obj=category, changes=audit.diff(before, after))
    routing.forget_cached()
    return category


@transaction.atomic
def do_set_duty_item(
    *, actor: Actor, category_id: int, level: str = "", department_id: int | None = None, present: bool
) -> bool:
    _require(actor, Cap.CASES_CONFIG)
    category = Category.objects.filter(pk=category_id, depth=3).first()
    if category is None:
        raise NotFound(category_id)
    if (department_id is None) == (not level):
        raise DomainError.single("level", "target_required", _("Choose a level or a department."))
    if level and level not in (HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET):
        raise DomainError.single("level", "invalid_choice", _("Choose grid, community or street."))
    lookup: dict[str, Any] = {"category": category}
    lookup.update(
        {"department_id": department_id, "level": ""} if department_id else {"level": level, "department": None}
    )
    qs = DutyItem.objects.filter(**lookup)
    changed = False
    if present and not qs.exists():
        DutyItem.objects.create(**lookup)
        changed = True
    elif not present and qs.exists():
        qs.delete()
        changed = True
    if changed:
        audit.record(
            actor=_user(actor),
            action="cases.duty.add" if present else "cases.duty.remove",
            obj=category,
            changes={"level": level, "department": department_id},
        )
    return changed


@transaction.atomic
def do_grant_admission(
    *, actor: Actor, category_id: int, street_code: str, reason: str, level: str = "", department_id: int | None = None
) -> Admission:
    """准入: the street lets a listed-out item go to a level or department in its area, with a reason."""
    reason = clean_reason(reason, max_length=200)
    _require(actor, Cap.CASES_ADMIT, street_code)
    street = Region.objects.filter(code=street_code, level=Level.STREET).first()
    category = Category.objects.filter(pk=category_id, depth=3).first()
    if street is None or category is None:
        raise NotFound(street_code)
    if (department_id is None) == (not level):
        raise DomainError.single("level", "target_required", _("Choose a level or a department."))
    admission = Admission.objects.create(
        category=category,
        street=street,
        reason=reason,
        level=level if not department_id else "",
        department_id=department_id,
        approved_by=_user(actor),
    )
    audit.record(actor=_user(actor), action="cases.admission.grant", obj=admission, changes={"reason": reason})
    return admission


@transaction.atomic
def do_revoke_admission(*, actor: Actor, admission_id: int) -> Admission:
    admission = Admission.objects.select_for_update().select_related("street").filter(pk=admission_id).first()
    if admission is None:
        raise NotFound(admission_id)
    _require(actor, Cap.CASES_ADMIT, admission.street.code)
    if admission.revoked_at is None:
        admission.revoked_at = now()
        admission.save(update_fields=["revoked_at"])
        audit.record(actor=_user(actor), action="cases.admission.revoke", obj=admission)
    return admission


@transaction.atomic
def do_set_calendar_day(*, actor: Actor, date: dt.date, is_workday: bool, note: str = "") -> WorkCalendarDay:
    _require(actor, Cap.CASES_CONFIG)
    day, _created = WorkCalendarDay.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "note": note[:60]}
    )
    audit.record(
        actor=_user(actor), action="cases.calendar.set", obj=day, changes={"is_workday": is_workday, "note": note}
    )
    transaction.on_commit(sla.overrides_changed)
    return day


@transaction.atomic
def do_create_api_client(*, actor: Actor, name: str, region_code: str) -> tuple[ApiClient, str]:
    """A new key for another system; the key is shown once and only its digest is kept."""
    _require(actor, Cap.CASES_CONFIG)
    name = (name or "").strip()
    if not name or ApiClient.objects.filter(name=name).exists():
        raise DomainError.single("name", "invalid", _("Give the client a new, unique name."))
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise DomainError.single("region", "invalid", _("Choose the area this client covers."))
    key = "gz_" + secrets.token_urlsafe(24)
    client = ApiClient.objects.create(name=name, key_digest=token_digest(key), key_prefix=key[:8], region=region)
    audit.record(actor=_user(actor), action="cases.api_client.create", obj=client, changes={"region": region_code})
    return client, key


@transaction.atomic
def do_update_loop_settings(*, actor: Actor, **values: int) -> LoopSettings:
    _require(actor, Cap.CASES_CONFIG)
    row = LoopSettings.objects.select_for_update().order_by("pk").first() or LoopSettings()
    before = {k: getattr(row, k) for k in values}
    for key, value in values.items():
        if not hasattr(row, key) or key == "id":
            raise DomainError.single(key, "not_editable", _("This field cannot be changed."))
        if not isinstance(value, int) or value < 0 or value > 10_000:
            raise DomainError.single(key, "out_of_range", _("Enter a whole number from 0 to 10000."))
        setattr(row, key, value)
    if row.weight_response + row.weight_solution + row.weight_satisfaction != 100:
        raise DomainError.single("weight_response", "weights_sum", _("The three weights must add up to 100."))
    row.save()
    audit.record(actor=_user(actor), action="cases.settings.update", obj=row, changes=audit.diff(before, values))
    routing.forget_cached()
    return row


@transaction.atomic
def do_store_classifier(
    *, actor: Actor, source: str, model: classifier.TextClassifier, n_samples: int, metrics: dict[str, Any]
) -> ClassifierModel:
    """Make a trained model the one routing uses (the old ones stay, inactive); one audit row.

    Called by `gongzhi train-classifier` and the demo seed, never from a page: training is an
    operator's job, so the command line is the gate.
    """
    ClassifierModel.objects.select_for_update().filter(is_active=True).update(is_active=False)
    row = ClassifierModel.objects.create(
        source=source[:100],
        n_samples=n_samples,
        labels=list(model.labels),
        metrics=metrics,
        blob=model.to_bytes(),
        is_active=True,
    )
    audit.record(
        actor=actor.db_user,
        action="cases.classifier.train",
        obj=row,
        object_repr=row.source,
        changes={"n_samples": row.n_samples, "labels": len(row.labels), "metrics": metrics},
    )
    transaction.on_commit(routing.forget_cached)
    return row

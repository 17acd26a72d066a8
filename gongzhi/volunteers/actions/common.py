"""What the volunteers actions share: the clock, authorisation by community, error collection, skills."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem, NotFound
from gongzhi.regions.models import Level, Region
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.access import sees


def now() -> dt.datetime:
    return timezone.now()


def authorise_manage(actor: AnyUser | None, region_code: str) -> None:
    """None is the system. Outside the actor's `services.view` → NotFound; seen but not managed → 403."""
    if actor is None:
        return
    if not sees(capability_scope(actor, Cap.SERVICES_VIEW), region_code):
        raise NotFound(region_code)
    require_manage(actor, region_code)


def require_manage(actor: AnyUser | None, region_code: str) -> None:
    """403 unless the actor holds `services.manage` over the community (None is the system)."""
    if actor is not None and not capability_scope(actor, Cap.SERVICES_MANAGE).covers(region_code):
        raise PermissionDenied(Cap.SERVICES_MANAGE)


class Errors:
    """Collects field errors so a form shows all of them at once."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.items.append(ErrorItem(field, code, str(message)))

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(self.items)


def check_community(errors: Errors, community: Region | None) -> None:
    if community is None:
        errors.add("community", "required", _("Choose the community."))
    elif community.level != Level.COMMUNITY:
        errors.add("community", "not_a_community", _("%(name)s is not a community.") % {"name": community.name})


def clean_skills(errors: Errors, skills: Iterable[str], field: str = "skills") -> list[str]:
    """Need-category codes, known and active, without repeats, in the given order."""
    codes = list(dict.fromkeys(str(code).strip() for code in skills if str(code).strip()))
    known = set(NeedCategory.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        errors.add(field, "unknown_category", _("Unknown service category: %(codes)s.") % {"codes": ", ".join(unknown)})
    return codes


def clean_text(errors: Errors, field: str, value: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, "required", _("This field is required."))
    elif len(value) > max_length:
        errors.add(field, "too_long", _("At most %(n)d characters.") % {"n": max_length})
    return value

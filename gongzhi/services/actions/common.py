"""What the service actions share: authorising a region, cleaning text, the category lookup."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.regions.models import Level, Region
from gongzhi.services.models import NeedCategory

Actor = AbstractBaseUser | AnonymousUser
MIN_REASON_CHARS = 2


def authorise(actor: Actor, region_code: str, *, act: Cap, view: Cap = Cap.SERVICES_VIEW) -> None:
    """Not in the actor's sight → NotFound (as if missing); in sight but not theirs to change → 403."""
    if not capability_scope(actor, view).covers(region_code) and not capability_scope(actor, act).covers(region_code):
        raise NotFound(region_code)
    if not capability_scope(actor, act).covers(region_code):
        raise PermissionDenied(act)


def actor_label(actor: Actor) -> str:
    full = getattr(actor, "get_full_name", lambda: "")()
    return str(full or getattr(actor, "username", "") or _("System"))[:60]


def db_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError.single(field, "required", _("This field is required."))
    if len(value) > max_length:
        raise DomainError.single(field, "too_long", _("At most %(n)d characters.") % {"n": max_length})
    return value


def reason(value: str | None, field: str = "reason", max_length: int = 300) -> str:
    value = (value or "").strip()
    if len(value) < MIN_REASON_CHARS:
        raise DomainError.single(field, "reason_required", _("Give a reason (at least two characters)."))
    return text(value, field, max_length)


def category(code: str, field: str = "category") -> NeedCategory:
    found = NeedCategory.objects.filter(code=(code or "").strip(), is_active=True).first()
    if found is None:
        raise DomainError.single(field, "category_invalid", _("Choose a need category from the list."))
    return found


def community(region: Region | None, field: str = "community") -> Region:
    if region is None or region.level != Level.COMMUNITY:
        raise DomainError.single(field, "not_a_community", _("Choose a community."))
    return region


def positive_int(value: object, field: str, *, minimum: int = 1, maximum: int = 100000) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise DomainError.single(field, "invalid", _("Enter a whole number.")) from None
    if not minimum <= number <= maximum:
        raise DomainError.single(
            field, "out_of_range", _("Enter a number from %(a)d to %(b)d.") % {"a": minimum, "b": maximum}
        )
    return number


def money(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError.single(field, "invalid", _("Enter an amount in yuan.")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise DomainError.single(field, "invalid", _("Enter an amount in yuan."))
    return amount.quantize(Decimal("0.01"))


def hours_value(value: object, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError.single(field, "invalid", _("Enter the hours as a number.")) from None
    if not hours.is_finite() or hours < 0 or hours > 1000:
        raise DomainError.single(field, "invalid", _("Enter the hours as a number."))
    return hours.quantize(Decimal("0.01"))

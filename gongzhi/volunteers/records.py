"""Writing the record of service: the one place hours, duty, 五个一 and points are derived from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction

from gongzhi.core import audit
from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.volunteers.models import ServiceKind, ServiceRecord, Volunteer


def service_key(kind: str, source_id: int, who: str = "") -> str:
    return f"{kind}:{source_id}" + (f":{who}" if who else "")


def do_record_service(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    kind: ServiceKind | str,
    source_id: int,
    community: Region,
    served_on: dt.date,
    summary: str,
    volunteer: Volunteer | None = None,
    unit: Unit | None = None,
    hours: Decimal = Decimal("0"),
    key_suffix: str = "",
) -> tuple[ServiceRecord, bool]:
    """Records one confirmed piece of service once, and awards its points in the same transaction.

    Called by the confirming actions (wish confirmed, order completed, attendance confirmed, project
    delivered) inside their own transaction; a repeat with the same key returns the first record and
    awards nothing, so a retried confirmation never pays twice. Returns (record, created).
    """
    if volunteer is None and unit is None:
        raise ValueError("a service record needs a volunteer or a unit")
    key = service_key(str(kind), source_id, key_suffix)
    existing = ServiceRecord.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                key=key,
                kind=str(kind),
                source_id=source_id,
                volunteer=volunteer,
                unit=unit,
                community=community,
                region_code=community.code,
                served_on=served_on,
                hours=hours,
                summary=summary[:200],
            )
    except IntegrityError:
        return ServiceRecord.objects.get(key=key), False
    audit.record(actor=actor, action="services.record", obj=record, changes={"key": key, "hours": str(hours)})
    from gongzhi.points.earning import award_for_service  # points sit above records; lazy to keep one direction

    award_for_service(record, actor=actor)
    return record, True

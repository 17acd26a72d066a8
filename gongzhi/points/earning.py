"""Earning points for recorded service. Replaced by the points ledger's earning rules."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from gongzhi.volunteers.models import ServiceRecord


def award_for_service(record: ServiceRecord, *, actor: AbstractBaseUser | AnonymousUser | None) -> None:
    """Credits the points the earning rules give for `record` (idempotent per record)."""
    # TODO(points helper): implement with the ledger; this placeholder awards nothing yet.
    return None

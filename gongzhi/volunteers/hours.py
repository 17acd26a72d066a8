"""The hours an attendance earns: check-in to check-out, capped by the activity, in half hours.

    minutes  = min(check-out − check-in, the activity's length)
    hours    = minutes / 60 rounded to the nearest half hour (a quarter hour rounds up)
    and never more than the activity's length rounded down to a half hour.

So 1 h 14 min → 1.0, 1 h 15 min → 1.5; arriving early or leaving late earns nothing beyond the
activity's own length. Pure.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

HALF_HOUR = 30  # minutes


def _halves(minutes: Decimal, rounding: str) -> Decimal:
    halves = (minutes / HALF_HOUR).quantize(Decimal("1"), rounding=rounding)
    return (halves / 2).quantize(Decimal("0.1"))


def attendance_hours(
    checked_in_at: dt.datetime, checked_out_at: dt.datetime, starts_at: dt.datetime, ends_at: dt.datetime
) -> Decimal:
    length = Decimal(max((ends_at - starts_at).total_seconds(), 0)) / 60
    present = Decimal(max((checked_out_at - checked_in_at).total_seconds(), 0)) / 60
    hours = _halves(min(present, length), ROUND_HALF_UP)
    return min(hours, _halves(length, ROUND_FLOOR))

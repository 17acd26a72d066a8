"""Reporting periods of the 五个一 board: a month ("2026-10"), a quarter ("2026-Q4") or a year ("2026").

A quarter or a year is read as the months it is made of; quarters are calendar quarters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(PeriodKind.MONTH, dt.date(year, month, 1), dt.date(year, month, last))

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        first = (day.month - 1) // 3 * 3 + 1
        end = cls.month(day.year, first + 2).end
        return cls(PeriodKind.QUARTER, dt.date(day.year, first, 1), end)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def current_month(cls, today: dt.date) -> Period:
        return cls.month(today.year, today.month)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def months(self) -> list[Period]:
        result = []
        year, month = self.start.year, self.start.month
        while dt.date(year, month, 1) <= self.end:
            result.append(Period.month(year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    @property
    def quarter(self) -> Period:
        return Period.quarter_of(self.start)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def over(self, today: dt.date) -> bool:
        """Whether the period has ended by `today` (a period still running can still be met)."""
        return self.end < today

    def previous(self) -> Period:
        return parse_period(_shift(self, -1))

    def next(self) -> Period:
        return parse_period(_shift(self, 1))


def _shift(period: Period, step: int) -> str:
    if period.kind == PeriodKind.MONTH:
        index = period.start.year * 12 + period.start.month - 1 + step
        return f"{index // 12}-{index % 12 + 1:02d}"
    if period.kind == PeriodKind.QUARTER:
        index = period.start.year * 4 + (period.start.month - 1) // 3 + step
        return f"{index // 4}-Q{index % 4 + 1}"
    return str(period.start.year + step)


def parse_period(text: str) -> Period:
    """ "2026-10", "2026-Q4" or "2026"; ValueError for anything else."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and year >= 1900:
            return Period.month(year, month)
    elif match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        if year >= 1900:
            return Period.quarter_of(dt.date(year, quarter * 3 - 2, 1))
    elif (match := _YEAR.match(text)) and int(match[1]) >= 1900:
        return Period.year_of(int(match[1]))
    raise ValueError(text)

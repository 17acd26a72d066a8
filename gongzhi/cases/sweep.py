"""The overdue sweep: warn before the deadline, mark overdue after it, escalate by the configured rule.

Run by `gongzhi worker` (every minute) or once by `gongzhi sweep`. Each case is its own short
transaction with the row locked and locked rows skipped, so the sweep never waits for a user and two
sweeps never act twice on one case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import notify, routing
from gongzhi.cases.actions.common import SYSTEM, record
from gongzhi.cases.models import Case, EscalationStep, HandlingLevel, PartyRole, WhistleParty
from gongzhi.cases.routing import COMMUNITY_LEN, STREET_LEN
from gongzhi.cases.selectors import due_for_sweep
from gongzhi.core.capabilities import Cap

DISTRICT_LEN = 6
BATCH = 500


@dataclass(slots=True)
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    late_report_ins: int = 0


def _office_at(level: str, region_code: str) -> str:
    lengths: dict[str, int] = {HandlingLevel.COMMUNITY: COMMUNITY_LEN, HandlingLevel.STREET: STREET_LEN}
    length = lengths.get(level, DISTRICT_LEN)
    return region_code[:length]


def _each(ids: list[int], fn: Callable[[Case], bool]) -> int:
    done = 0
    for case_id in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is not None and fn(case):
                done += 1
    return done


def run_sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    settings = routing.loop_settings()
    result = SweepResult()
    base = due_for_sweep(now)

    warn_before = dt.timedelta(hours=settings.warn_hours_before)
    to_warn = list(
        base.filter(
            warned_at__isnull=True, is_overdue=False, handle_due__gt=now, handle_due__lte=now + warn_before
        ).values_list("pk", flat=True)[:BATCH]
    )

    def warn(case: Case) -> bool:
        if case.warned_at is not None or case.handle_due is None or case.closed_at is not None:
            return False
        case.warned_at = now
        case.save(update_fields=["warned_at"])
        record(case, SYSTEM, "deadline_warning", from_status=case.status, at=now)
        notify.send_on_commit(
            notify.handler_users(case) | notify.office_users(case.owner_code),
            case,
            "deadline",
            _("Case %(n)s is due %(due)s.") % {"n": case.number, "due": f"{case.handle_due:%Y-%m-%d %H:%M}"},
        )
        return True

    result.warned = _each(to_warn, warn)

    to_mark = list(base.filter(is_overdue=False, handle_due__lt=now).values_list("pk", flat=True)[:BATCH])

    def mark(case: Case) -> bool:
        if case.is_overdue or case.handle_due is None or case.handle_due >= now or case.closed_at is not None:
            return False
        case.is_overdue = True
        case.save(update_fields=["is_overdue"])
        record(case, SYSTEM, "overdue", from_status=case.status, at=now)
        notify.send_on_commit(
            notify.handler_users(case), case, "overdue", _("Case %(n)s is overdue.") % {"n": case.number}
        )
        return True

    result.overdue = _each(to_mark, mark)

    steps = list(EscalationStep.objects.order_by("order"))
    if steps:
        to_escalate = list(
            base.filter(is_overdue=True, escalation_step__lt=steps[-1].order).values_list("pk", flat=True)[:BATCH]
        )

        def escalate(case: Case) -> bool:
            if case.handle_due is None or not case.is_overdue:
                return False
            late = now - case.handle_due
            due_steps = [
                s for s in steps if s.order > case.escalation_step and late >= dt.timedelta(hours=s.overdue_hours)
            ]
            if not due_steps:
                return False
            step = due_steps[-1]
            office = _office_at(step.target_level, case.region_code or case.owner_code)
            case.escalation_step = step.order
            fields = ["escalation_step"]
            if step.supervise and not case.supervised:
                case.supervised = True
                fields.append("supervised")
            case.save(update_fields=fields)
            record(
                case,
                SYSTEM,
                "escalate_overdue",
                from_status=case.status,
                data={"step": step.order, "office": office, "supervise": step.supervise},
                at=now,
            )
            cap = Cap.CASES_SUPERVISE if step.target_level != HandlingLevel.COMMUNITY else Cap.CASES_DISPATCH
            notify.send_on_commit(
                notify.office_users(office, cap) | notify.handler_users(case),
                case,
                "escalation",
                _("Overdue case %(n)s escalated (step %(s)d).") % {"n": case.number, "s": step.order},
            )
            return True

        result.escalated = _each(to_escalate, escalate)
    result.late_report_ins = _remind_late_report_ins(now)
    return result


def _remind_late_report_ins(now: dt.datetime) -> int:
    """吹哨报到: a summoned department that has not reported in by the deadline is reminded, and the
    street that blew the whistle is told, once."""
    late = list(
        WhistleParty.objects.filter(
            whistle__report_in_due__lt=now,
            reported_in_at__isnull=True,
            reminded_at__isnull=True,
            role__in=(PartyRole.LEAD, PartyRole.ASSIST),
            whistle__case__closed_at__isnull=True,
        ).values_list("pk", flat=True)[:BATCH]
    )
    done = 0
    for party_id in late:
        with transaction.atomic():
            party = (
                WhistleParty.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("whistle__case", "department")
                .filter(pk=party_id, reminded_at__isnull=True)
                .first()
            )
            if party is None:
                continue
            party.reminded_at = now
            party.save(update_fields=["reminded_at"])
            case = party.whistle.case
            record(
                case,
                SYSTEM,
                "report_in_late",
                from_status=case.status,
                data={"department": party.department.name},
                at=now,
            )
            notify.send_on_commit(
                notify.department_users(party.department_id) | notify.office_users(case.region_code[:STREET_LEN]),
                case,
                "report_in_late",
                _("%(d)s has not reported in on case %(n)s.") % {"d": party.department.name, "n": case.number},
            )
            done += 1
    return done

"""QR check-in and check-out, and the organiser's confirmation that credits the hours.

A scan carries a token (gongzhi.volunteers.tokens); it is refused with a clear message when it is
malformed, forged, expired, for another activity or for the other direction. Check-in needs a
sign-up, an activity that takes place (open or sign-up closed) and the time from 30 minutes before
the start to the end; check-out is possible until 30 minutes after the end. Hours: gongzhi.volunteers.hours.

Confirmation writes the ServiceRecord through `records.do_record_service` (which awards the points)
in the same transaction; confirming again is a no-op, so hours and points are credited once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.access import AnyUser
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.volunteers import tokens
from gongzhi.volunteers.actions.activities import lock_activity_as_organiser, participant
from gongzhi.volunteers.actions.common import now
from gongzhi.volunteers.hours import attendance_hours
from gongzhi.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    ServiceKind,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from gongzhi.volunteers.records import do_record_service

EARLY_CHECK_IN = dt.timedelta(minutes=30)
LATE_CHECK_OUT = dt.timedelta(minutes=30)
RUNNING = (ActivityStatus.OPEN, ActivityStatus.CLOSED)


def token_message(code: str) -> str:
    if code == "expired":
        return _("This QR code has expired. Scan the code now shown on the organiser's phone.")
    if code == "wrong_activity":
        return _("This QR code belongs to another activity.")
    if code == "wrong_mode_in":
        return _("This is the check-out code; scan the check-in code to check in.")
    if code == "wrong_mode_out":
        return _("This is the check-in code; scan the check-out code to check out.")
    return _("This QR code is not valid. Scan the code shown on the organiser's phone.")


def _refuse(code: str) -> DomainError:
    return DomainError.single("token", code, token_message(code))


def read_token(
    token: str, at: dt.datetime, activity_id: int | None = None, *, lock: bool = True
) -> tuple[Activity, tokens.Mode]:
    """The activity and direction of a valid token (its row locked with `lock`); DomainError otherwise.

    Without `lock` it only looks: the scan page uses it to show what a tap on 确认 would do.
    """
    try:
        parsed = tokens.parse_token(token)
    except tokens.TokenError as exc:
        raise _refuse(exc.code) from exc
    rows = Activity.objects.select_for_update() if lock else Activity.objects.select_related("community")
    activity = rows.filter(pk=parsed.activity_id).first()
    if activity is None:
        raise _refuse("forged")
    try:
        tokens.verify_token(activity.qr_secret, parsed, at.timestamp())
    except tokens.TokenError as exc:
        raise _refuse(exc.code) from exc
    if activity_id is not None and activity_id != activity.pk:
        raise _refuse("wrong_activity")
    return activity, parsed.mode


def _check_running(activity: Activity) -> None:
    if activity.status not in RUNNING:
        message = (
            _("This activity has been cancelled.")
            if activity.status == ActivityStatus.CANCELLED
            else _("This activity is over.")
        )
        raise DomainError.single("activity", "not_running", message)


def _check_in(activity: Activity, who: Volunteer, at: dt.datetime) -> tuple[Attendance, bool]:
    existing = Attendance.objects.select_for_update().filter(activity=activity, volunteer=who).first()
    if existing is not None:
        return existing, False
    if at < activity.starts_at - EARLY_CHECK_IN:
        raise DomainError.single(
            "activity",
            "too_early",
            _("Check-in opens 30 minutes before the start, at %(time)s.")
            % {"time": timezone.localtime(activity.starts_at - EARLY_CHECK_IN).strftime("%H:%M")},
        )
    if at > activity.ends_at:
        raise DomainError.single("activity", "too_late", _("The activity has ended; check-in is closed."))
    return Attendance.objects.create(activity=activity, volunteer=who, checked_in_at=at), True


def _check_out(activity: Activity, who: Volunteer, at: dt.datetime) -> tuple[Attendance, bool]:
    attendance = Attendance.objects.select_for_update().filter(activity=activity, volunteer=who).first()
    if attendance is None:
        raise DomainError.single("activity", "not_checked_in", _("You have not checked in to this activity."))
    if attendance.checked_out_at is not None:
        return attendance, False
    if at > activity.ends_at + LATE_CHECK_OUT:
        raise DomainError.single(
            "activity", "too_late", _("Check-out closed 30 minutes after the end; ask the organiser.")
        )
    out = max(at, attendance.checked_in_at)
    attendance.checked_out_at = out
    attendance.hours = attendance_hours(attendance.checked_in_at, out, activity.starts_at, activity.ends_at)
    attendance.save(update_fields=["checked_out_at", "hours"])
    return attendance, True


@transaction.atomic
def do_scan(
    *,
    actor: AnyUser | None,
    token: str,
    expected: tokens.Mode | None = None,
    activity_id: int | None = None,
    volunteer: Volunteer | None = None,
    at: dt.datetime | None = None,
) -> tuple[Attendance, tokens.Mode, bool]:
    """Checks the signed-in volunteer in or out, as the scanned token says.

    `expected` (the API's check-in / check-out endpoints) refuses a token of the other direction;
    `activity_id` one of another activity. Returns the attendance, the direction and whether this
    scan changed anything (a second scan of the same direction changes nothing).
    """
    at = at or now()
    who = participant(actor, volunteer)
    activity, mode = read_token(token, at, activity_id)
    if expected is not None and mode != expected:
        raise _refuse(f"wrong_mode_{expected.value}")
    if not SignUp.objects.filter(activity=activity, volunteer=who, status=SignUpStatus.SIGNED_UP).exists():
        raise DomainError.single("activity", "not_signed_up", _("You have not signed up for this activity."))
    _check_running(activity)
    attendance, changed = _check_in(activity, who, at) if mode == tokens.Mode.IN else _check_out(activity, who, at)
    if changed:
        audit.record(
            actor=actor,
            action="activity.check_in" if mode == tokens.Mode.IN else "activity.check_out",
            obj=attendance,
            changes={
                "activity": activity.pk,
                "volunteer": who.pk,
                "at": at.isoformat(),
                "hours": str(attendance.hours) if attendance.hours is not None else None,
            },
        )
    return attendance, mode, changed


def do_check_in(
    *,
    actor: AnyUser | None,
    token: str,
    activity_id: int | None = None,
    volunteer: Volunteer | None = None,
    at: dt.datetime | None = None,
) -> Attendance:
    """`do_scan` that accepts only a check-in code."""
    return do_scan(
        actor=actor, token=token, expected=tokens.Mode.IN, activity_id=activity_id, volunteer=volunteer, at=at
    )[0]


def do_check_out(
    *,
    actor: AnyUser | None,
    token: str,
    activity_id: int | None = None,
    volunteer: Volunteer | None = None,
    at: dt.datetime | None = None,
) -> Attendance:
    """`do_scan` that accepts only a check-out code."""
    return do_scan(
        actor=actor, token=token, expected=tokens.Mode.OUT, activity_id=activity_id, volunteer=volunteer, at=at
    )[0]


MIN_REASON_CHARS = 2


def _locked_attendance(activity: Activity, attendance_id: int) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("volunteer__person")
        .filter(pk=attendance_id, activity=activity)
        .first()
    )
    if attendance is None:
        raise NotFound(attendance_id)
    return attendance


@transaction.atomic
def do_record_check_out(
    *,
    actor: AnyUser | None,
    activity_id: int,
    attendance_id: int,
    hours: Decimal | str,
    reason: str,
    at: dt.datetime | None = None,
) -> Attendance:
    """补签退: the volunteer checked in but never scanned out; the organiser records the hours served.

    At most the activity's own length; the reason goes on the audit row. The attendance can then be
    confirmed like any other, and only confirmation credits the hours.
    """
    activity = lock_activity_as_organiser(actor, activity_id)
    attendance = _locked_attendance(activity, attendance_id)
    if attendance.checked_out_at is not None:
        raise DomainError.single(
            "attendance",
            "already_checked_out",
            _("%(name)s has already checked out.") % {"name": attendance.volunteer.person.name},
        )
    try:
        served = Decimal(str(hours).strip())
    except InvalidOperation:
        served = Decimal(-1)
    longest = attendance_hours(activity.starts_at, activity.ends_at, activity.starts_at, activity.ends_at)
    # Scanned hours count in half hours (hours.attendance_hours); recorded ones do too.
    if not served.is_finite() or served <= 0 or served > longest or served % Decimal("0.5") != 0:
        raise DomainError.single(
            "hours",
            "out_of_range",
            _("Give the hours served in half hours: more than 0 and at most %(max)s.") % {"max": longest},
        )
    why = (reason or "").strip()
    if len(why) < MIN_REASON_CHARS or len(why) > 200:
        raise DomainError.single("reason", "reason_required", _("Give a reason (at least two characters)."))
    at = at or now()
    attendance.checked_out_at = max(attendance.checked_in_at, min(at, activity.ends_at))
    attendance.hours = served
    attendance.save(update_fields=["checked_out_at", "hours"])
    audit.record(
        actor=actor,
        action="activity.check_out_recorded",
        obj=attendance,
        changes={"activity": activity.pk, "volunteer": attendance.volunteer_id, "hours": str(served), "reason": why},
    )
    return attendance


# ── confirmation ─────────────────────────────────────────────────────────────────────────────────


def _confirm(actor: AnyUser | None, activity: Activity, attendance: Attendance, at: dt.datetime) -> bool:
    if attendance.confirmed_at is not None:
        return False
    if attendance.checked_out_at is None or attendance.hours is None:
        raise DomainError.single(
            "attendance",
            "not_checked_out",
            _("%(name)s has not checked out yet.") % {"name": attendance.volunteer.person.name},
        )
    attendance.confirmed_at = at
    attendance.confirmed_by = actor if isinstance(actor, User) else None
    attendance.save(update_fields=["confirmed_at", "confirmed_by"])
    do_record_service(
        actor=actor,
        kind=ServiceKind.ACTIVITY,
        source_id=attendance.pk,
        volunteer=attendance.volunteer,
        community=activity.community,
        served_on=timezone.localdate(attendance.checked_in_at),
        hours=attendance.hours,
        summary=activity.title,
    )
    audit.record(
        actor=actor,
        action="activity.confirm",
        obj=attendance,
        changes={"activity": activity.pk, "volunteer": attendance.volunteer_id, "hours": str(attendance.hours)},
    )
    return True


def _check_confirmable(activity: Activity) -> None:
    if activity.status in (ActivityStatus.DRAFT, ActivityStatus.CANCELLED):
        raise DomainError.single("activity", "not_confirmable", _("A cancelled activity earns no hours."))


@transaction.atomic
def do_confirm_attendance(
    *, actor: AnyUser | None, activity_id: int, attendance_id: int, at: dt.datetime | None = None
) -> tuple[Attendance, bool]:
    """The organiser confirms one attendance: its hours are recorded and credited once.

    Returns the attendance and whether this call confirmed it (False: it already was).
    """
    activity = lock_activity_as_organiser(actor, activity_id)
    attendance = _locked_attendance(activity, attendance_id)
    if attendance.confirmed_at is not None:
        return attendance, False
    _check_confirmable(activity)
    return attendance, _confirm(actor, activity, attendance, at or now())


@transaction.atomic
def do_confirm_all(*, actor: AnyUser | None, activity_id: int, at: dt.datetime | None = None) -> list[Attendance]:
    """Confirms every checked-out, unconfirmed attendance; those still checked in wait. Returns the confirmed."""
    activity = lock_activity_as_organiser(actor, activity_id)
    _check_confirmable(activity)
    waiting = list(
        Attendance.objects.select_for_update(of=("self",))
        .select_related("volunteer__person")
        .filter(activity=activity, confirmed_at__isnull=True, checked_out_at__isnull=False)
        .order_by("pk")
    )
    at = at or now()
    return [attendance for attendance in waiting if _confirm(actor, activity, attendance, at)]

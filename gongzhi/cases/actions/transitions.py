"""Every move of a case through the workflow: one function per action, each one transaction.

Each locks the case row (lock_for), checks the workflow table, changes the case, appends its timeline
and audit rows, and schedules notifications for after the commit. A refusal raises before anything
is written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import notify, sla
from gongzhi.cases.actions.common import Actor, clean_reason, lock_for, now, record
from gongzhi.cases.models import (
    Admission,
    Case,
    CaseRequest,
    Category,
    DutyItem,
    HandlingLevel,
    PartyRole,
    PhotoStage,
    Rating,
    RequestKind,
    RequestStatus,
    Resolution,
    Status,
    Whistle,
    WhistleParty,
)
from gongzhi.cases.photos import CleanPhoto, save_photos
from gongzhi.cases.routing import COMMUNITY_LEN, GRID_LEN, STREET_LEN
from gongzhi.cases.workflow import Action
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.people.models import Department
from gongzhi.regions.models import Level, Region

DISTRICT_LEN = 6
REPORT_IN_HOURS = 24


def _leaf(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None or not category.is_leaf:
        raise DomainError.single("category", "category_invalid", _("Choose a category from the list (a leaf)."))
    return category


def _set_deadline(case: Case, at: dt.datetime) -> None:
    if case.category is not None and case.handle_due is None:
        case.handle_due = sla.deadline(at, case.category.handling_days)


# ── registration (立案) ─────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_accept_case(*, actor: Actor, case_id: int, category_code: str = "", note: str = "") -> Case:
    case, _parties = lock_for(actor, case_id, Action.ACCEPT)
    if category_code:
        case.category = _leaf(category_code)
    if case.category is None:
        raise DomainError.single("category", "category_required", _("Choose the category before registering."))
    at = now()
    case.status = Status.REGISTERED
    case.registered_at = at
    _set_deadline(case, at)
    case.save()
    record(
        case,
        actor,
        Action.ACCEPT,
        from_status=Status.PENDING,
        to_status=Status.REGISTERED,
        note=note,
        data={"category": case.category.code},
        at=at,
    )
    return case


@transaction.atomic
def do_reject_case(*, actor: Actor, case_id: int, reason: str) -> Case:
    reason = clean_reason(reason)
    case, _parties = lock_for(actor, case_id, Action.REJECT)
    at = now()
    case.status = Status.REJECTED
    case.closed_at = at
    case.result = reason
    case.save()
    record(case, actor, Action.REJECT, from_status=Status.PENDING, to_status=Status.REJECTED, note=reason, at=at)
    return case


@transaction.atomic
def do_merge_case(*, actor: Actor, case_id: int, into_number: str) -> Case:
    case, _parties = lock_for(actor, case_id, Action.MERGE)
    target = Case.objects.select_for_update().filter(number=into_number.strip()).first()
    if target is None or target.pk == case.pk or not target.is_open:
        raise DomainError.single("into", "merge_target_invalid", _("Merge into another open case."))
    if target.region_code[:STREET_LEN] != case.region_code[:STREET_LEN]:
        raise DomainError.single("into", "merge_target_invalid", _("Merge into another open case."))
    at = now()
    before = case.status
    case.status = Status.MERGED
    case.duplicate_of = target
    case.closed_at = at
    case.save()
    record(case, actor, Action.MERGE, from_status=before, to_status=Status.MERGED, data={"into": target.number}, at=at)
    record(target, actor, "merged_in", from_status=target.status, data={"case": case.number}, at=at)
    return case


def _parent_office(code: str) -> str:
    if len(code) >= GRID_LEN:
        return code[:COMMUNITY_LEN]
    if len(code) >= COMMUNITY_LEN:
        return code[:STREET_LEN]
    if len(code) >= STREET_LEN:
        return code[:DISTRICT_LEN]
    return ""


@transaction.atomic
def do_escalate_case(*, actor: Actor, case_id: int, reason: str) -> Case:
    """上报: the office in charge passes the case to the level above."""
    reason = clean_reason(reason)
    case, _parties = lock_for(actor, case_id, Action.ESCALATE)
    parent = _parent_office(case.owner_code)
    if not parent:
        raise DomainError.single("owner", "top_level", _("The case is already at the district."))
    before = case.owner_code
    case.owner_code = parent
    case.save(update_fields=["owner_code"])
    record(case, actor, Action.ESCALATE, from_status=case.status, note=reason, data={"owner": [before, parent]})
    notify.send_on_commit(
        notify.office_users(parent), case, "escalated", _("Case %(n)s was reported up to you.") % {"n": case.number}
    )
    return case


@transaction.atomic
def do_assign_down_case(*, actor: Actor, case_id: int, to_code: str, note: str = "") -> Case:
    """下发: the office in charge hands the case to the office below that covers where it happened."""
    case, _parties = lock_for(actor, case_id, Action.ASSIGN_DOWN)
    to_code = to_code.strip()
    below = {STREET_LEN: DISTRICT_LEN, COMMUNITY_LEN: STREET_LEN}
    if (
        len(to_code) not in below
        or len(case.owner_code) != below[len(to_code)]
        or not to_code.startswith(case.owner_code)
    ):
        raise DomainError.single("to", "not_below", _("Hand down only to the office directly below."))
    if not case.region_code.startswith(to_code):
        raise DomainError.single("to", "not_covering", _("That office does not cover where the case happened."))
    before = case.owner_code
    case.owner_code = to_code
    case.save(update_fields=["owner_code"])
    record(case, actor, Action.ASSIGN_DOWN, from_status=case.status, note=note, data={"owner": [before, to_code]})
    notify.send_on_commit(
        notify.office_users(to_code), case, "assigned", _("Case %(n)s was handed down to you.") % {"n": case.number}
    )
    return case


# ── dispatch (派遣) and the duty list (非准不入) ─────────────────────────────────────────────────────


def check_duty(case: Case, *, department: Department | None, level: str) -> None:
    """A category goes only where the duty list puts it, or where the street admitted it (准入)."""
    if case.category is None:
        raise DomainError.single("category", "category_required", _("Choose the category before dispatching."))
    street_code = case.region_code[:STREET_LEN]
    if department is not None:
        listed = DutyItem.objects.filter(category=case.category, department=department).exists()
        admitted = Admission.objects.filter(
            category=case.category, department=department, street__code=street_code, revoked_at__isnull=True
        ).exists()
        target = department.name
    else:
        listed = DutyItem.objects.filter(category=case.category, level=level, department__isnull=True).exists()
        admitted = Admission.objects.filter(
            category=case.category,
            level=level,
            department__isnull=True,
            street__code=street_code,
            revoked_at__isnull=True,
        ).exists()
        target = str(HandlingLevel(level).label)
    if not (listed or admitted):
        raise DomainError.single(
            "department" if department is not None else "grid",
            "not_on_duty_list",
            _("“%(category)s” is not on the duty list of %(target)s and the street has not admitted it (非准不入).")
            % {"category": case.category.name, "target": target},
        )


@transaction.atomic
def do_dispatch_case(
    *, actor: Actor, case_id: int, department_id: int | None = None, grid_code: str = "", note: str = ""
) -> Case:
    case, _parties = lock_for(actor, case_id, Action.DISPATCH)
    if case.category is None:
        raise DomainError.single("category", "category_required", _("Choose the category before dispatching."))
    if (department_id is None) == (not grid_code):
        raise DomainError.single("department", "target_required", _("Dispatch to one department or one grid."))
    department: Department | None = None
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, is_active=True).first()
        if department is None or not case.region_code.startswith(department.region.code):
            raise DomainError.single("department", "department_invalid", _("Choose a department of this district."))
        check_duty(case, department=department, level="")
    else:
        grid = Region.objects.filter(code=grid_code, level=Level.GRID).first()
        if grid is None or not grid.code.startswith(case.owner_code):
            raise DomainError.single("grid", "grid_invalid", _("Choose a grid the office in charge covers."))
        check_duty(case, department=None, level=HandlingLevel.GRID)
    at = now()
    before = case.status
    case.status = Status.DISPATCHED
    case.department = department
    case.assignee_code = "" if department is not None else grid_code
    case.dispatched_at = at
    if case.responded_at is None:
        case.response_due = sla.response_deadline(at, case.category.response_hours)
    _set_deadline(case, at)
    case.save()
    target = department.name if department is not None else grid_code
    record(
        case,
        actor,
        Action.DISPATCH,
        from_status=before,
        to_status=Status.DISPATCHED,
        note=note,
        data={"to": target},
        at=at,
    )
    notify.send_on_commit(
        notify.handler_users(case), case, "dispatched", _("New case %(n)s: %(t)s") % {"n": case.number, "t": case.title}
    )
    return case


@transaction.atomic
def do_blow_whistle(
    *,
    actor: Actor,
    case_id: int,
    lead_department_id: int,
    assisting_ids: list[int] | None = None,
    notified_ids: list[int] | None = None,
    report_in_hours: int = REPORT_IN_HOURS,
    note: str = "",
) -> Case:
    """吹哨报到: the street names a lead department, assisting and notified ones, and a report-in deadline."""
    case, _parties = lock_for(actor, case_id, Action.WHISTLE)
    if case.category is None:
        raise DomainError.single("category", "category_required", _("Choose the category before dispatching."))
    assisting = [i for i in dict.fromkeys(assisting_ids or []) if i != lead_department_id]
    notified = [i for i in dict.fromkeys(notified_ids or []) if i != lead_department_id and i not in assisting]
    wanted = [lead_department_id, *assisting, *notified]
    departments = {
        d.pk: d
        for d in Department.objects.filter(pk__in=wanted, is_active=True).select_related("region")
        if case.region_code.startswith(d.region.code)
    }
    if set(wanted) - set(departments):
        raise DomainError.single("departments", "department_invalid", _("Choose departments of this district."))
    if not 1 <= report_in_hours <= 24 * 7:
        raise DomainError.single("report_in_hours", "out_of_range", _("Report-in deadline: 1 to 168 hours."))
    if hasattr(case, "whistle"):
        case.whistle.delete()  # a re-blown whistle (after a return) replaces the old order
    at = now()
    whistle = Whistle.objects.create(
        case=case,
        blown_by=actor.db_user,
        blown_at=at,
        report_in_due=at + dt.timedelta(hours=report_in_hours),
        note=note,
    )
    WhistleParty.objects.bulk_create(
        [WhistleParty(whistle=whistle, department_id=lead_department_id, role=PartyRole.LEAD)]
        + [WhistleParty(whistle=whistle, department_id=i, role=PartyRole.ASSIST) for i in assisting]
        + [WhistleParty(whistle=whistle, department_id=i, role=PartyRole.NOTIFY) for i in notified]
    )
    before = case.status
    case.status = Status.DISPATCHED
    case.department = departments[lead_department_id]
    case.assignee_code = ""
    case.dispatched_at = at
    if case.responded_at is None:
        case.response_due = sla.response_deadline(at, case.category.response_hours)
    _set_deadline(case, at)
    case.save()
    record(
        case,
        actor,
        Action.WHISTLE,
        from_status=before,
        to_status=Status.DISPATCHED,
        note=note,
        data={
            "lead": departments[lead_department_id].name,
            "assisting": [departments[i].name for i in assisting],
            "notified": [departments[i].name for i in notified],
            "report_in_due": whistle.report_in_due.isoformat(),
        },
        at=at,
    )
    users: set[int] = set()
    for i in wanted:
        users |= notify.department_users(i)
    notify.send_on_commit(users, case, "whistle", _("Whistle: report in on case %(n)s.") % {"n": case.number})
    return case


# ── handling (签收, 退回, 处置, 办结) ─────────────────────────────────────────────────────────────────


@transaction.atomic
def do_sign_case(*, actor: Actor, case_id: int) -> Case:
    case, _parties = lock_for(actor, case_id, Action.SIGN)
    at = now()
    case.status = Status.SIGNED
    if case.responded_at is None:
        case.responded_at = at
        case.responded_on_time = case.response_due is None or at <= case.response_due
    case.save()
    record(case, actor, Action.SIGN, from_status=Status.DISPATCHED, to_status=Status.SIGNED, at=at)
    return case


@transaction.atomic
def do_return_case(*, actor: Actor, case_id: int, reason: str) -> Case:
    reason = clean_reason(reason)
    case, _parties = lock_for(actor, case_id, Action.RETURN)
    before = case.status
    was = case.department.name if case.department is not None else case.assignee_code
    case.status = Status.RETURNED
    case.department = None
    case.assignee_code = ""
    case.save()
    record(case, actor, Action.RETURN, from_status=before, to_status=Status.RETURNED, note=reason, data={"from": was})
    notify.send_on_commit(
        notify.office_users(case.owner_code), case, "returned", _("Case %(n)s was returned.") % {"n": case.number}
    )
    return case


@transaction.atomic
def do_start_case(*, actor: Actor, case_id: int, note: str = "") -> Case:
    case, _parties = lock_for(actor, case_id, Action.START)
    before = case.status
    case.status = Status.HANDLING
    case.save(update_fields=["status"])
    record(case, actor, Action.START, from_status=before, to_status=Status.HANDLING, note=note)
    return case


def _joint_parts_missing(case: Case) -> list[str]:
    whistle = Whistle.objects.filter(case=case).first()
    if whistle is None:
        return []
    missing = []
    for party in whistle.parties.select_related("department"):
        if party.role == PartyRole.NOTIFY:
            continue
        if party.reported_in_at is None or (party.role == PartyRole.ASSIST and party.part_submitted_at is None):
            missing.append(party.department.name)
    return missing


@transaction.atomic
def do_finish_case(
    *,
    actor: Actor,
    case_id: int,
    result: str,
    resolution: str = Resolution.SOLVED,
    photos: list[CleanPhoto] | None = None,
) -> Case:
    """办结反馈: the handler reports the result; the case goes straight on to verification."""
    result = clean_reason(result, field="result", max_length=2000)
    if resolution not in Resolution.values:
        raise DomainError.single("resolution", "invalid_choice", _("Choose a resolution from the list."))
    case, _parties = lock_for(actor, case_id, Action.FINISH)
    missing = _joint_parts_missing(case)
    if missing:
        raise DomainError.single(
            "whistle",
            "parts_missing",
            _("Waiting for these departments to report in and submit their part: %(names)s.")
            % {"names": "、".join(missing)},
        )
    at = now()
    case.status = Status.HANDLED
    case.result = result
    case.resolution = resolution
    case.handled_at = at
    case.handled_on_time = case.handle_due is None or at <= case.handle_due
    case.save()
    record(
        case,
        actor,
        Action.FINISH,
        from_status=Status.HANDLING,
        to_status=Status.HANDLED,
        note=result,
        data={"resolution": resolution},
        at=at,
    )
    if photos:
        save_photos(case, PhotoStage.RESULT, photos)
    # Verification follows at once: the grid worker where it happened checks the result on site.
    case.status = Status.VERIFYING
    case.save(update_fields=["status"])
    record(
        case, Actor(system=True), Action.SEND_TO_VERIFY, from_status=Status.HANDLED, to_status=Status.VERIFYING, at=at
    )
    verifiers = notify.office_users(case.region_code, Cap.CASES_VERIFY) or notify.office_users(
        case.region_code[:COMMUNITY_LEN], Cap.CASES_VERIFY
    )
    notify.send_on_commit(verifiers, case, "verify", _("Please verify case %(n)s on site.") % {"n": case.number})
    return case


# ── verification, rating, rework (核查, 评价, 返工) ────────────────────────────────────────────────────


@transaction.atomic
def do_verify_case(
    *, actor: Actor, case_id: int, passed: bool, note: str = "", photos: list[CleanPhoto] | None = None
) -> Case:
    if not passed:
        note = clean_reason(note, field="note")
    case, _parties = lock_for(actor, case_id, Action.VERIFY_PASS if passed else Action.VERIFY_FAIL)
    at = now()
    if passed:
        case.status = Status.CLOSED
        case.closed_at = at
        action = Action.VERIFY_PASS
    else:
        case.status = Status.REWORK
        case.rework_count += 1
        action = Action.VERIFY_FAIL
    case.save()
    record(case, actor, action, from_status=Status.VERIFYING, to_status=case.status, note=note, at=at)
    if photos:
        save_photos(case, PhotoStage.VERIFY, photos)
    if not passed:
        notify.send_on_commit(
            notify.handler_users(case), case, "rework", _("Case %(n)s needs rework.") % {"n": case.number}
        )
    return case


@transaction.atomic
def do_rate_case(*, actor: Actor, case_id: int, rating: str, comment: str = "") -> Case:
    """The reporter rates each closure once; 不满意 sends the case back as rework against the handler."""
    if rating not in Rating.values:
        raise DomainError.single("rating", "invalid_choice", _("Choose 满意, 基本满意 or 不满意."))
    comment = (comment or "").strip()[:200]
    case, _parties = lock_for(actor, case_id, Action.RATE)
    if case.rated_at is not None and case.closed_at is not None and case.rated_at >= case.closed_at:
        raise Conflict.single("rating", "already_rated", _("This result has already been rated."))
    if case.closed_on_spot:
        raise DomainError.single(
            "rating", "not_rateable", _("Cases closed on the spot by a grid worker are not rated.")
        )
    at = now()
    case.rating = rating
    case.rating_comment = comment
    case.rated_at = at
    if rating == Rating.UNSATISFIED:
        case.status = Status.REWORK
        case.rework_count += 1
        case.closed_at = None
    case.save()
    record(
        case,
        actor,
        Action.RATE,
        from_status=Status.CLOSED,
        to_status=case.status,
        note=comment,
        data={"rating": rating},
        at=at,
    )
    if rating == Rating.UNSATISFIED:
        notify.send_on_commit(
            notify.handler_users(case) | notify.office_users(case.owner_code),
            case,
            "rework",
            _("The resident is not satisfied with case %(n)s: rework.") % {"n": case.number},
        )
    return case


# ── suspension and extension (挂起, 延期), with approval ─────────────────────────────────────────────


@transaction.atomic
def do_request_change(*, actor: Actor, case_id: int, kind: str, reason: str, days: int = 0) -> CaseRequest:
    reason = clean_reason(reason)
    if kind not in RequestKind.values:
        raise DomainError.single("kind", "invalid_choice", _("Choose suspension or extension."))
    if kind == RequestKind.EXTEND and not 1 <= days <= 30:
        raise DomainError.single("days", "out_of_range", _("Ask for 1 to 30 working days."))
    action = Action.REQUEST_SUSPEND if kind == RequestKind.SUSPEND else Action.REQUEST_EXTEND
    case, _parties = lock_for(actor, case_id, action)
    if CaseRequest.objects.filter(case=case, kind=kind, status=RequestStatus.PENDING).exists():
        raise Conflict.single("kind", "request_pending", _("A request of this kind is already waiting for a decision."))
    if actor.user is None:
        raise PermissionDenied(action)
    request = CaseRequest.objects.create(
        case=case,
        kind=kind,
        days=days if kind == RequestKind.EXTEND else 0,
        reason=reason,
        requested_by=actor.user,
        requested_at=now(),
    )
    record(case, actor, action, from_status=case.status, note=reason, data={"days": request.days})
    notify.send_on_commit(
        notify.office_users(case.owner_code),
        case,
        "request",
        _("Case %(n)s: a request awaits your decision.") % {"n": case.number},
    )
    return request


@transaction.atomic
def do_decide_request(*, actor: Actor, request_id: int, approve: bool, note: str = "") -> CaseRequest:
    request = CaseRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise NotFound(request_id)
    case, _parties = lock_for(actor, request.case_id, Action.DECIDE_REQUEST)
    request = CaseRequest.objects.select_for_update().get(pk=request_id)
    if request.status != RequestStatus.PENDING:
        raise Conflict.single("request", "already_decided", _("This request has already been decided."))
    at = now()
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = actor.db_user
    request.decided_at = at
    request.decision_note = note[:300]
    request.save()
    before = case.status
    if approve and request.kind == RequestKind.SUSPEND:
        case.suspended_status = case.status
        case.suspended_at = at
        case.status = Status.SUSPENDED
    elif approve and request.kind == RequestKind.EXTEND and case.handle_due is not None:
        case.handle_due = sla.extend(case.handle_due, request.days)
        case.is_overdue = at > case.handle_due
    case.save()
    record(
        case,
        actor,
        Action.DECIDE_REQUEST,
        from_status=before,
        to_status=case.status,
        note=note,
        data={"kind": request.kind, "approved": approve, "days": request.days},
        at=at,
    )
    notify.send_on_commit(
        [request.requested_by_id],
        case,
        "decision",
        (_("Approved: %(k)s of case %(n)s") if approve else _("Refused: %(k)s of case %(n)s"))
        % {"k": RequestKind(request.kind).label, "n": case.number},
    )
    return request


@transaction.atomic
def do_resume_case(*, actor: Actor, case_id: int) -> Case:
    """Back to where it was; the deadline moves on by the working days the case spent suspended."""
    case, _parties = lock_for(actor, case_id, Action.RESUME)
    at = now()
    if case.suspended_at is not None and case.handle_due is not None:
        paused = sla.working_days_between(
            case.suspended_at.astimezone(sla.LOCAL).date(), at.astimezone(sla.LOCAL).date()
        )
        if paused > 0:
            case.handle_due = sla.extend(case.handle_due, paused)
    target = case.suspended_status or Status.HANDLING
    case.status = target
    case.suspended_status = ""
    case.suspended_at = None
    case.save()
    record(case, actor, Action.RESUME, from_status=Status.SUSPENDED, to_status=target, at=at)
    return case


# ── oversight and joint handling (督办, 报到) ──────────────────────────────────────────────────────────


@transaction.atomic
def do_supervise_case(*, actor: Actor, case_id: int, note: str) -> Case:
    note = clean_reason(note, field="note")
    case, _parties = lock_for(actor, case_id, Action.SUPERVISE)
    case.supervised = True
    case.save(update_fields=["supervised"])
    record(case, actor, Action.SUPERVISE, from_status=case.status, note=note)
    notify.send_on_commit(
        notify.handler_users(case) | notify.office_users(case.owner_code),
        case,
        "supervise",
        _("Case %(n)s is under supervision: %(note)s") % {"n": case.number, "note": note},
    )
    return case


def _my_party(actor: Actor, case: Case) -> WhistleParty:
    from gongzhi.cases.access import viewer_of

    if actor.user is None:
        raise NotFound(case.pk)
    departments = viewer_of(actor.user).departments
    party = (
        WhistleParty.objects.select_for_update()
        .filter(whistle__case=case, department_id__in=departments)
        .select_related("department")
        .order_by("role")
        .first()
    )
    if party is None:
        raise NotFound(case.pk)
    return party


@transaction.atomic
def do_report_in(*, actor: Actor, case_id: int) -> WhistleParty:
    case, _parties = lock_for(actor, case_id, Action.REPORT_IN)
    party = _my_party(actor, case)
    if party.reported_in_at is not None:
        raise Conflict.single("whistle", "already_reported_in", _("Your department has already reported in."))
    party.reported_in_at = now()
    party.save(update_fields=["reported_in_at"])
    late = party.reported_in_at > case.whistle.report_in_due
    record(
        case,
        actor,
        Action.REPORT_IN,
        from_status=case.status,
        data={"department": party.department.name, "role": party.role, "late": late},
    )
    return party


@transaction.atomic
def do_submit_part(*, actor: Actor, case_id: int, text: str) -> WhistleParty:
    text = clean_reason(text, field="text", max_length=2000)
    case, _parties = lock_for(actor, case_id, Action.SUBMIT_PART)
    party = _my_party(actor, case)
    if party.reported_in_at is None:
        raise DomainError.single("whistle", "report_in_first", _("Report in before submitting your part."))
    if party.role == PartyRole.NOTIFY:
        raise DomainError.single("whistle", "notified_only", _("Notified departments have no part to submit."))
    party.part = text
    party.part_submitted_at = now()
    party.save(update_fields=["part", "part_submitted_at"])
    record(
        case,
        actor,
        Action.SUBMIT_PART,
        from_status=case.status,
        note=text,
        data={"department": party.department.name, "role": party.role},
    )
    return party

"""Activity pages. One list and one detail URL serve both sides: staff and organisers see sign-ups,
attendance and the confirm buttons; a participant (a volunteer without staff role) sees the activities
they may join, with 报名 / 取消报名. The organiser's QR page redraws its code every 50 s (htmx poll, or a
meta refresh without JavaScript); the scan landing page shows what a tap will do, and the tap (POST)
checks in or out.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.registrations.access import volunteer_of
from gongzhi.volunteers import tokens
from gongzhi.volunteers.access import (
    access_activity_by_id,
    access_activity_for_participant,
    activities_for,
    activities_open_to,
    led_teams,
    may_organise,
)
from gongzhi.volunteers.actions import activities as activity_actions
from gongzhi.volunteers.actions import attendance as attendance_actions
from gongzhi.volunteers.actions.activities import NEXT
from gongzhi.volunteers.forms import ActivityForm, apply_errors
from gongzhi.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    TeamMember,
    Volunteer,
)
from gongzhi.volunteers.views.common import PAGE_SIZE, name_for, require_participant, require_section
from gongzhi.web.shortcuts import get_or_404

REFRESH_SECONDS = 50  # below the 60 s window, so a shown code is always accepted
STATUS_BUTTONS: dict[str, Any] = {
    ActivityStatus.OPEN: gettext_lazy("Open sign-up"),
    ActivityStatus.CLOSED: gettext_lazy("Close sign-up"),
    ActivityStatus.DONE: gettext_lazy("Finish"),
    ActivityStatus.CANCELLED: gettext_lazy("Cancel the activity"),
}


def _taken(activity: Activity) -> int:
    return SignUp.objects.filter(activity=activity, status=SignUpStatus.SIGNED_UP).count()


def _with_taken(rows: Any) -> Any:
    return rows.annotate(taken=Count("signups", filter=Q(signups__status=SignUpStatus.SIGNED_UP)))


# ── lists and detail ─────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    volunteer = volunteer_of(user)
    if volunteer is not None:
        return _participant_list(request, volunteer)
    require_section(user, Cap.SERVICES_VIEW)
    rows = _with_taken(activities_for(user).select_related("community", "organiser_team"))
    status = request.GET.get("status", "")
    if status in ActivityStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/activity_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ActivityStatus.choices,
            "can_add": has_capability(user, Cap.SERVICES_MANAGE),
        },
    )


def _leader_without_staff_role(user: AnyUser) -> Volunteer | None:
    """A participant who leads an active team organises that team's activities on these pages too."""
    if has_capability(user, Cap.SERVICES_MANAGE):
        return None
    volunteer = volunteer_of(user)
    return volunteer if volunteer is not None and led_teams(volunteer).exists() else None


def _participant_list(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    now = timezone.now()
    rows = _with_taken(
        activities_open_to(volunteer)
        .filter(status__in=(ActivityStatus.OPEN, ActivityStatus.CLOSED), ends_at__gt=now)
        .select_related("community", "organiser_team")
        .order_by("starts_at", "pk")
    )[:100]
    mine = set(
        SignUp.objects.filter(volunteer=volunteer, status=SignUpStatus.SIGNED_UP).values_list("activity_id", flat=True)
    )
    return render(
        request,
        "volunteers/participant_list.html",
        {
            "activities": rows,
            "mine": mine,
            "volunteer": volunteer,
            "now": now,
            "can_add": led_teams(volunteer).exists(),
        },
    )


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        activity = access_activity_by_id(user, pk)
    except NotFound:
        volunteer = volunteer_of(user)
        if volunteer is None:
            if not has_capability(user, Cap.SERVICES_VIEW):
                raise PermissionDenied(Cap.SERVICES_VIEW) from None
            raise Http404 from None
        activity = get_or_404(access_activity_for_participant, volunteer, pk)
        return _participant_detail(request, activity, volunteer)
    staff = volunteer_of(user) is None
    signups = SignUp.objects.filter(activity=activity).select_related("volunteer__person").order_by("signed_up_at")
    attendances = Attendance.objects.filter(activity=activity).select_related("volunteer__person", "confirmed_by")
    organiser = may_organise(user, activity)
    return render(
        request,
        "volunteers/activity_detail.html",
        {
            "activity": activity,
            "staff": staff,
            "signups": [
                {"row": s, "name": name_for(s.volunteer, staff=staff), "phone": s.volunteer.person.phone_masked}
                for s in signups
            ],
            "attendances": [{"row": a, "name": name_for(a.volunteer, staff=staff)} for a in attendances],
            "taken": _taken(activity),
            "can_organise": organiser,
            "next_statuses": [(s, STATUS_BUTTONS[s]) for s in sorted(NEXT[activity.status])] if organiser else [],
            "waiting": sum(1 for a in attendances if a.confirmed_at is None and a.checked_out_at is not None),
        },
    )


def _participant_detail(request: HttpRequest, activity: Activity, volunteer: Volunteer) -> HttpResponse:
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    return render(
        request,
        "volunteers/participant_detail.html",
        {
            "activity": activity,
            "signed_up": signup is not None and signup.status == SignUpStatus.SIGNED_UP,
            "attendance": Attendance.objects.filter(activity=activity, volunteer=volunteer).first(),
            "taken": _taken(activity),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    leader = _leader_without_staff_role(user)
    if leader is None:
        require_section(user, Cap.SERVICES_MANAGE)
    form = ActivityForm(request.POST or None, user=user, leader=leader)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = activity_actions.do_create_activity(
                actor=user,
                community=data["community"],
                title=data["title"],
                description=data["description"],
                category_code=data["category_code"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                capacity=data["capacity"],
                organiser_team=data["organiser_team"],
                publish=data["publish"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The activity has been created."))
            return redirect("volunteers:activity", pk=activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form})


@login_required
@require_POST
def activity_status(request: HttpRequest, pk: int) -> HttpResponse:
    get_or_404(access_activity_by_id, request.user, pk)
    try:
        activity_actions.do_set_activity_status(
            actor=request.user, activity_id=pk, status=request.POST.get("status", "")
        )
    except DomainError as error:
        messages.error(request, error.items[0].message)
    else:
        messages.success(request, _("The activity's status has been changed."))
    return redirect("volunteers:activity", pk=pk)


@login_required
@require_POST
def activity_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirms one attendance (`attendance`) or, without it, all that have checked out."""
    get_or_404(access_activity_by_id, request.user, pk)
    raw = request.POST.get("attendance") or ""
    try:
        if raw.isdigit():
            attendance_actions.do_confirm_attendance(actor=request.user, activity_id=pk, attendance_id=int(raw))
            messages.success(request, _("The attendance has been confirmed and the hours credited."))
        else:
            done = attendance_actions.do_confirm_all(actor=request.user, activity_id=pk)
            messages.success(request, _("%(n)d attendances confirmed.") % {"n": len(done)})
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.items[0].message)
    return redirect("volunteers:activity", pk=pk)


@login_required
@require_POST
def activity_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    """补签退 for one attendance that never checked out: hours and a reason from the organiser."""
    get_or_404(access_activity_by_id, request.user, pk)
    raw = request.POST.get("attendance") or ""
    if not raw.isdigit():
        raise Http404
    try:
        attendance_actions.do_record_check_out(
            actor=request.user,
            activity_id=pk,
            attendance_id=int(raw),
            hours=request.POST.get("hours", ""),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.items[0].message)
    else:
        messages.success(request, _("The check-out has been recorded; confirm it to credit the hours."))
    return redirect("volunteers:activity", pk=pk)


# ── the organiser's QR page ──────────────────────────────────────────────────────────────────────


def _mode(request: HttpRequest) -> tokens.Mode:
    return tokens.Mode.OUT if request.GET.get("mode") == "out" else tokens.Mode.IN


def _organised(request: HttpRequest, pk: int) -> Activity:
    activity = get_or_404(access_activity_by_id, request.user, pk)
    if not may_organise(request.user, activity):
        raise PermissionDenied("organisers only")
    return activity


def qr_svg(request: HttpRequest, activity: Activity, mode: tokens.Mode) -> tuple[SafeString, str]:
    """The current code as inline SVG, and the URL it encodes."""
    token = tokens.make_token(activity.qr_secret, activity.pk, mode, timezone.now().timestamp())
    url = request.build_absolute_uri(reverse("volunteers:scan", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True, svgclass="qr-svg")
    return mark_safe(svg), url  # noqa: S308 - segno's own markup of our own URL


@never_cache
@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _organised(request, pk)
    mode = _mode(request)
    svg, url = qr_svg(request, activity, mode)
    counts = Attendance.objects.filter(activity=activity).aggregate(
        checked_in=Count("pk"), checked_out=Count("pk", filter=Q(checked_out_at__isnull=False))
    )
    return render(
        request,
        "volunteers/activity_qr.html",
        {
            "activity": activity,
            "mode": mode.value,
            "svg": svg,
            "url": url,
            "refresh": REFRESH_SECONDS,
            "taken": _taken(activity),
            **counts,
        },
    )


@never_cache
@login_required
@require_GET
def activity_qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Just the code, for the page's poll."""
    activity = _organised(request, pk)
    svg, url = qr_svg(request, activity, _mode(request))
    return HttpResponse(format_html('{}<p class="qr-url code">{}</p>', svg, url))


# ── participant: sign-up, scan, my page ──────────────────────────────────────────────────────────


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    where = request.POST.get("back")
    if where == "detail":
        return redirect("volunteers:activity", pk=pk)
    if where == "me":
        return redirect("volunteers:me")
    return redirect("volunteers:activity_list")


@login_required
@require_POST
def activity_sign_up(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    """op: sign-up or cancel."""
    if op not in ("sign-up", "cancel"):
        raise Http404(op)
    require_participant(request.user)
    try:
        if op == "cancel":
            activity_actions.do_cancel_sign_up(actor=request.user, activity_id=pk)
            messages.success(request, _("Your sign-up has been cancelled."))
        else:
            activity_actions.do_sign_up(actor=request.user, activity_id=pk)
            messages.success(request, _("You have signed up."))
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.items[0].message)
    return _back(request, pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the code is for (or why it is refused); POST (the big button): check in or out."""
    require_participant(request.user)
    context: dict[str, Any] = {"token": token}
    try:
        if request.method == "POST":
            attendance, mode, changed = attendance_actions.do_scan(actor=request.user, token=token)
            context.update(
                activity=attendance.activity, mode=mode.value, attendance=attendance, done=True, changed=changed
            )
        else:
            activity, mode = attendance_actions.read_token(token, timezone.now(), lock=False)
            context.update(activity=activity, mode=mode.value)
    except DomainError as error:
        context["error"] = error.items[0].message
    return render(request, "volunteers/scan.html", context, status=400 if "error" in context else 200)


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    volunteer = require_participant(request.user)
    now = timezone.now()
    upcoming = (
        Activity.objects.filter(signups__volunteer=volunteer, signups__status=SignUpStatus.SIGNED_UP, ends_at__gt=now)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("starts_at")
    )
    organised = (
        Activity.objects.filter(Q(organiser_volunteer=volunteer) | Q(organiser_team__leader=volunteer))
        .exclude(status__in=(ActivityStatus.CANCELLED,))
        .order_by("-starts_at")[:20]
    )
    records = ServiceRecord.objects.filter(volunteer=volunteer)
    return render(
        request,
        "volunteers/me.html",
        {
            "volunteer": volunteer,
            "teams": TeamMember.objects.filter(volunteer=volunteer).select_related("team"),
            "upcoming": upcoming,
            "organised": organised,
            "attendances": Attendance.objects.filter(volunteer=volunteer)
            .select_related("activity")
            .order_by("-checked_in_at")[:30],
            "total_hours": records.aggregate(h=Sum("hours"))["h"] or 0,
            "records": records[:30],
        },
    )

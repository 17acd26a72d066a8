"""联席会议 pages: the meetings a user's communities take part in, and who signed in at each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.regions.models import Level, Region
from gongzhi.registrations import actions
from gongzhi.registrations.access import access_meeting_by_id, meetings_for
from gongzhi.registrations.forms import AttendanceForm, MeetingForm, apply_errors
from gongzhi.registrations.models import RegistrationStatus
from gongzhi.registrations.views.common import can, require
from gongzhi.web.shortcuts import get_or_404


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    scope = capability_scope(user, Cap.SERVICES_MANAGE)
    regions = Region.objects.filter(scope.q("code"), level__in=(Level.COMMUNITY, Level.STREET)).order_by("code")
    form = MeetingForm(request.POST or None, regions=regions)
    if request.method == "POST":
        require(user, Cap.SERVICES_MANAGE)
        if form.is_valid():
            try:
                meeting = actions.do_create_joint_meeting(
                    actor=user,
                    region_id=form.cleaned_data["region"].pk,
                    held_on=form.cleaned_data["held_on"],
                    subject=form.cleaned_data["subject"],
                    minutes=form.cleaned_data["minutes"],
                )
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The meeting has been recorded."))
                return redirect("registrations:meeting", meeting.pk)
    meetings = meetings_for(user).annotate(units=Count("attendances"))[:200]
    return render(
        request,
        "registrations/meetings.html",
        {"meetings": meetings, "form": form, "can_create": regions.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, Cap.SERVICES_VIEW)
    meeting = get_or_404(access_meeting_by_id, user, pk)
    scope = capability_scope(user, Cap.SERVICES_MANAGE)
    units = (
        Unit.objects.filter(
            Q(registrations__status=RegistrationStatus.APPROVED)
            & Q(registrations__region_code__startswith=meeting.region_code)
            & scope.q("registrations__region_code")
        )
        .exclude(meeting_attendances__meeting=meeting)
        .distinct()
        .order_by("name")
    )
    form = AttendanceForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_mark_attendance(
                actor=user,
                meeting_id=pk,
                unit_id=form.cleaned_data["unit"].pk,
                attendee_name=form.cleaned_data["attendee_name"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("registrations:meeting", pk)
    context = {
        "meeting": meeting,
        "attendances": meeting.attendances.select_related("unit").order_by("unit__name"),
        "form": form,
        "manage": can(user, Cap.SERVICES_MANAGE, meeting.region_code) or units.exists(),
    }
    return render(request, "registrations/meeting_detail.html", context)

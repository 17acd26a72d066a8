"""我的服务: where a participant (volunteer, party member, unit liaison) lands after signing in.

Participants hold no staff role, so the workbench has nothing for them; this page gathers what is
waiting for them across the service loop — wishes to claim and to fulfil, activities to join, points,
duty hours — each linking to its own app's page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.points.selectors import balance_of
from gongzhi.registrations.compliance import member_hours
from gongzhi.registrations.models import MemberRegistration, RegistrationStatus
from gongzhi.volunteers.access import activities_open_to
from gongzhi.volunteers.models import ActivityStatus
from gongzhi.wishes.access import participant_of
from gongzhi.wishes.models import WishStatus
from gongzhi.wishes.selectors import board, claimed_by


@login_required
def serve(request: HttpRequest) -> HttpResponse:
    participant = participant_of(request.user)
    if not participant.is_participant:
        raise Http404
    volunteer = participant.volunteer
    now = timezone.now()
    context: dict[str, object] = {
        "volunteer": volunteer,
        "unit_names": sorted(participant.unit_names.values()),
        "board_count": board(participant).count(),
        "to_fulfil": claimed_by(participant).filter(status=WishStatus.CLAIMED).count(),
    }
    if volunteer is not None:
        context["activities"] = list(
            activities_open_to(volunteer)
            .filter(status=ActivityStatus.OPEN, ends_at__gte=now)
            .order_by("starts_at")[:3]
        )
        context["balance"] = balance_of(volunteer)
        hours = member_hours(volunteer, timezone.localdate().year)
        context["hours"] = hours
        # The yearly duty binds in-service members who registered with a community (双报到).
        context["on_duty"] = MemberRegistration.objects.filter(
            volunteer=volunteer, status=RegistrationStatus.APPROVED
        ).exists()
    return render(request, "web/serve.html", context)

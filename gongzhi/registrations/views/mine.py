"""The participant's phone page: my registrations and my hours this year; an in-service member applies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.people.models import MemberKind, PartyMember
from gongzhi.regions.models import Level, Region
from gongzhi.registrations import actions
from gongzhi.registrations.access import own_member_registrations, volunteer_of
from gongzhi.registrations.compliance import member_hours
from gongzhi.registrations.forms import SelfApplyForm, apply_errors
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied
    member = PartyMember.objects.filter(person_id=volunteer.person_id, kind=MemberKind.IN_SERVICE).first()
    form = None
    if member is not None:
        communities = Region.objects.filter(level=Level.COMMUNITY).exclude(
            pk__in=own_member_registrations(request.user)
            .filter(status__in=actions.OPEN)
            .values_list("community_id", flat=True)
        )
        form = SelfApplyForm(
            request.POST or None,
            communities=communities.order_by("code"),
            initial={"skills": volunteer.skills, "monthly_capacity": volunteer.monthly_capacity},
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_apply_member_registration(
                    actor=request.user,
                    member_id=member.pk,
                    community_id=form.cleaned_data["community"].pk,
                    skills=form.cleaned_data["skills"],
                    available_days=form.available_days,
                    monthly_capacity=form.cleaned_data["monthly_capacity"],
                )
            except NotFound:
                messages.error(request, _("This community cannot be chosen."))
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Your registration awaits the community's approval."))
                return redirect("registrations:mine")
    elif request.method == "POST":
        raise PermissionDenied
    year = timezone.localdate().year
    context = {
        "volunteer": volunteer,
        "member": member,
        "registrations": own_member_registrations(request.user).order_by("-applied_at"),
        "units": UnitRegistration.objects.filter(liaison=volunteer)
        .exclude(status=RegistrationStatus.REJECTED)
        .select_related("unit", "community"),
        "hours": member_hours(volunteer, year) if member is not None else None,
        "year": year,
        "form": form,
        "open": actions.OPEN,
    }
    return render(request, "registrations/mine.html", context)

"""集中派单: a street's or community's open wishes matched at once to the volunteers serving there.

GET shows the form and, once a region and a day are chosen, the proposal (services.campaign.propose —
synchronous: well under a second at a street's scale). POST sends the invitations of the proposal the
page showed (its (wish, volunteer) pairs), all in one transaction (wishes.actions.do_send_invitations:
once per volunteer and wish a day, however often the button is pressed), then shows the page again.

Order of checks: no `services.manage` anywhere → 403; a region outside its scope → 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.services.campaign import Proposal, access_campaign_region, campaign_regions, propose
from gongzhi.services.forms import CampaignForm
from gongzhi.services.views.common import require_any
from gongzhi.wishes.actions import Actor, do_send_invitations


def _pairs(values: list[str]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for value in values:
        wish, _sep, volunteer = value.partition(":")
        if wish.isdigit() and volunteer.isdigit():
            pairs.append((int(wish), int(volunteer)))
    return pairs


def _again(region: str, day: str) -> str:
    return f"{reverse('services:campaign')}?{urlencode({'region': region, 'date': day})}"


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.SERVICES_MANAGE)
    regions = campaign_regions(user)
    if not regions:
        raise PermissionDenied(Cap.SERVICES_MANAGE)
    choices = [(r.code, f"{r.name}（{r.get_level_display()}）") for r in regions]
    if request.method == "POST":
        return _send(request, choices)
    data = request.GET if "region" in request.GET else None
    initial = {"region": choices[0][0], "date": timezone.localdate()}
    form = CampaignForm(data, regions=choices, initial=initial)
    proposal: Proposal | None = None
    if data is not None and form.is_valid():
        try:
            region = access_campaign_region(user, form.cleaned_data["region"])
        except NotFound:
            raise Http404 from None
        proposal = propose(region, form.cleaned_data["date"])
    return render(request, "services/campaign.html", {"form": form, "proposal": proposal})


def _send(request: HttpRequest, choices: list[tuple[str, str]]) -> HttpResponse:
    form = CampaignForm(request.POST, regions=choices)
    if not form.is_valid():
        return render(request, "services/campaign.html", {"form": form, "proposal": None}, status=400)
    region_code: str = form.cleaned_data["region"]
    day: dt.date = form.cleaned_data["date"]
    pairs = _pairs(request.POST.getlist("pair"))
    if not pairs:
        messages.warning(request, _("There were no proposed invitations to send."))
        return redirect(_again(region_code, day.isoformat()))
    try:
        access_campaign_region(request.user, region_code)
        batch = do_send_invitations(actor=Actor.of(request.user), pairs=pairs)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, "；".join(i.message for i in error.items))
        return redirect(_again(region_code, day.isoformat()))
    text = _("%(sent)d invitations sent; %(already)d were already invited today; %(skipped)d skipped.") % {
        "sent": len(batch.sent),
        "already": len(batch.already),
        "skipped": len(batch.skipped),
    }
    messages.success(request, text)
    for _wish, _volunteer, reason in batch.skipped[:10]:
        messages.warning(request, reason)
    return redirect(_again(region_code, day.isoformat()))

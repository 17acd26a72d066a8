"""「查看」 on the case page: the reporter's phone and the report as typed, for the parties working it.

The exchange (reason form, logged action, htmx fragment or small page) is the people pages' own
(`people.views.common.unmask_response`); the case brings fragments that show both values at once.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongzhi.cases.access import access_case_by_number, parties_of, viewer_of
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.privacy import Revealed, do_reveal_case_contact, may_reveal
from gongzhi.cases.views.common import require_any
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.people.views.common import HtmxHttpRequest, unmask_response
from gongzhi.web.shortcuts import get_or_404


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_reveal(request: HtmxHttpRequest, number: str) -> HttpResponse:
    """`never_cache` marks every answer `no-store`, errors included."""
    user = request.user
    require_any(user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    viewer = viewer_of(user)
    case = get_or_404(access_case_by_number, user, number, viewer)
    # Before the form: a viewer without a part learns nothing from its answer.
    if not may_reveal(parties_of(viewer, case)):
        raise PermissionDenied("case.reveal")

    def reveal(reason: str) -> Revealed:
        try:
            return do_reveal_case_contact(actor=Actor.of(user), case_id=case.pk, reason=reason)
        except NotFound:
            raise Http404 from None

    return unmask_response(
        request,
        field="contact",
        masked=case.reporter_phone_masked,
        back_url=reverse("cases:detail", args=[case.number]),
        subject=f"{case.number} {case.title}",
        reveal=reveal,
        label=_("Reporter"),
        masked_template="cases/includes/contact_masked.html",
        revealed_template="cases/includes/contact_revealed.html",
        extra={"case": case},
    )

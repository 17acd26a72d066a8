"""The workbench: where every signed-in user lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongzhi.regions import selectors
from gongzhi.web import workbench
from gongzhi.wishes.access import participant_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not workbench.memberships_of(user) and participant_of(user).is_participant:
        return redirect("web:serve")  # volunteers and liaisons hold no staff role: their work is there
    roots = selectors.roots_for(user).annotate(child_count=Count("children")).order_by("code")
    return render(
        request,
        "web/home.html",
        {
            "greeting": workbench.greeting(),
            "memberships": workbench.memberships_of(user),
            "roots": roots,
            "counts": workbench.scope_counts(user),
        },
    )

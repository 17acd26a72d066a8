"""The staff's wish list (filters: status, category, board, overdue) and posting a wish for a resident."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.cases.forms import apply_errors
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.wishes import selectors
from gongzhi.wishes.actions import Actor, WishDraft, do_post_wish
from gongzhi.wishes.forms import FilterForm, StaffWishForm, new_client_key
from gongzhi.wishes.models import WishChannel
from gongzhi.wishes.views.common import require_standing
from gongzhi.wishes.views.h5 import status_url

PAGE_SIZE = 50


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    standing = require_standing(request, staff_only=True)
    form = FilterForm(request.GET or None)
    filters = selectors.StaffFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.StaffFilter(
            status=data["status"] or "",
            category=data["category"] or "",
            overdue=bool(data["overdue"]),
            board=data["board"] or "",
            q=data["q"] or "",
        )
    rows = selectors.staff_wishes(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "wishes/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_post": standing.reports},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_post(request: HttpRequest) -> HttpResponse:
    """代居民发布: the grid worker picks a resident of their grid, or types the name and phone."""
    scope = capability_scope(request.user, Cap.SERVICES_REPORT)
    if not (scope.everything or scope.prefixes):
        raise PermissionDenied(Cap.SERVICES_REPORT)
    if request.method == "POST":
        form = StaffWishForm(request.POST, scope=scope)
        if form.is_valid():
            data = form.cleaned_data
            draft = WishDraft(
                title=data["title"],
                description=data["description"],
                category_code=data["category"],
                community_id=data["community"],
                person_id=data["person"],
                name=data["name"],
                phone=data["phone"],
                channel=WishChannel.STAFF,
                client_key=data["client_key"] or "",
            )
            try:
                posted = do_post_wish(actor=Actor.of(request.user), draft=draft)
            except DomainError as error:
                apply_errors(form, error)
            else:
                link = request.build_absolute_uri(status_url(posted.wish.number, posted.token)) if posted.token else ""
                return render(request, "wishes/posted.html", {"wish": posted.wish, "link": link})
    else:
        form = StaffWishForm(initial={"client_key": new_client_key()}, scope=scope)
    return render(request, "wishes/post.html", {"form": form})

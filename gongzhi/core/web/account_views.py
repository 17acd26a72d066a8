"""The security administrator's pages: accounts, activation, password resets, second-factor resets,
role grants and revocations. Every write is a core.actions call, where 三员分立 is enforced."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import actions, selectors
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.core.models import Membership
from gongzhi.core.web.decorators import capability_required
from gongzhi.core.web.forms import AccountCreateForm, AccountSearchForm, GrantForm
from gongzhi.regions.models import Region
from gongzhi.web.shortcuts import get_or_404

PAGE_SIZE = 50


def _add_errors(form: GrantForm | AccountCreateForm, exc: DomainError) -> None:
    for item in exc.items:
        form.add_error(item.field if item.field in form.fields else None, item.message)


@require_GET
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountSearchForm(request.GET or None)
    q = role = ""
    if form.is_valid():
        q, role = form.cleaned_data["q"].strip(), form.cleaned_data["role"]
    accounts = selectors.search_accounts(request.user, q=q, role=role)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/account_list.html", {"form": form, "page": page})


@never_cache
@require_http_methods(["GET", "POST"])
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, temporary = actions.do_create_user(
                actor=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
            )
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            # Shown in this one response and stored nowhere: no redirect, no flash message in a cookie.
            return render(
                request,
                "core/account_password.html",
                {"account": user, "password": temporary, "created": True},
            )
    return render(request, "core/account_create.html", {"form": form})


def _detail(
    request: HttpRequest, account: User, grant_form: GrantForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "core/account_detail.html",
        {
            "account": account,
            "memberships": list(account.memberships.all()),
            "grant_form": grant_form or GrantForm(),
            "is_self": account.pk == request.user.pk,
        },
        status=status,
    )


@require_GET
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_or_404(selectors.access_account, request.user, pk))


def _refused(request: HttpRequest, exc: DomainError) -> None:
    for item in exc.items:
        messages.error(request, item.message)


@require_POST
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(selectors.access_account, request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_user_active(actor=request.user, user=account, active=active)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The account is active.") if active else _("The account is deactivated."))
    return redirect("accounts:detail", pk=account.pk)


@never_cache
@require_POST
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(selectors.access_account, request.user, pk)
    try:
        temporary = actions.do_reset_password(actor=request.user, user=account)
    except DomainError as exc:
        _refused(request, exc)
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "core/account_password.html", {"account": account, "password": temporary, "created": False})


@require_POST
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_reset_totp(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(selectors.access_account, request.user, pk)
    try:
        actions.do_disable_totp(actor=request.user, user=account)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The authenticator has been removed."))
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_grant(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_or_404(selectors.access_account, request.user, pk)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _detail(request, account, form, status=400)
    region = None
    code = (form.cleaned_data["region"] or "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            form.add_error("region", _("No region has the code %(code)s.") % {"code": code})
            return _detail(request, account, form, status=400)
    department = None
    if form.cleaned_data["department"]:
        from gongzhi.people.models import Department

        department = Department.objects.select_related("region").filter(pk=form.cleaned_data["department"]).first()
        if department is None:
            form.add_error("department", _("No department has this id."))
            return _detail(request, account, form, status=400)
    try:
        actions.do_grant_role(
            actor=request.user,
            user=account,
            role=form.cleaned_data["role"],
            region=region,
            department=department,
            title=form.cleaned_data["title"],
        )
    except DomainError as exc:
        _add_errors(form, exc)
        return _detail(request, account, form, status=400)
    messages.success(request, _("The role has been granted."))
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@capability_required(Cap.ACCOUNTS_MANAGE)
def account_revoke(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    account = get_or_404(selectors.access_account, request.user, pk)
    membership = Membership.objects.filter(pk=membership_id, user=account).select_related("user").first()
    if membership is None:
        return redirect("accounts:detail", pk=account.pk)
    try:
        actions.do_revoke_role(actor=request.user, membership=membership)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The role has been revoked."))
    return redirect("accounts:detail", pk=account.pk)

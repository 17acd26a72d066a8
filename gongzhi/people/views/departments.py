"""Pages of the departments (职能部门): reference data kept by the system administrator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people import actions, selectors
from gongzhi.people.filtersets import DepartmentFilterSet
from gongzhi.people.forms import DepartmentForm, apply_domain_error
from gongzhi.people.views.common import PAGE_SIZE, filtered, require_section
from gongzhi.web.shortcuts import get_or_404


@login_required
@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.DEPARTMENTS_VIEW)
    departments = (
        selectors.departments_for(user)
        .select_related("region")
        .annotate(staff_count=Count("memberships__user", distinct=True))
        .order_by("region__code", "code")
    )
    filterset = DepartmentFilterSet(request.GET or None, queryset=departments)
    page = Paginator(filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/department_list.html",
        {"filterset": filterset, "page": page, "can_add": has_capability(user, Cap.DEPARTMENTS_EDIT)},
    )


@login_required
@require_GET
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.DEPARTMENTS_VIEW)
    department = get_or_404(selectors.access_department_by_id, user, pk)
    # Accounts are counted, not listed: who holds which post is the security administrator's page.
    staff_count = department.memberships.values("user").distinct().count()
    return render(request, "people/department_detail.html", {"department": department, "staff_count": staff_count})


@login_required
@require_http_methods(["GET", "POST"])
def department_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.DEPARTMENTS_EDIT)
    form = DepartmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = actions.do_create_department(
                actor=user,
                region=data["region"],
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                phone=data["phone"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": department.name})
            return redirect("people:department", pk=department.pk)
    return render(request, "people/department_form.html", {"form": form})

"""Pages of the resident register: list, search, detail, create, edit, 「查看」, import and export.

Pages show masked ID numbers and phones only. The full value leaves the server in exactly one
place — the response to a reasoned 「查看」 POST — which is logged by the action and marked
`no-store` so no cache, proxy or back button keeps it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people import actions, exports, imports, selectors
from gongzhi.people.filtersets import PersonFilterSet, hidden_filter_inputs
from gongzhi.people.forms import (
    PersonCreateForm,
    PersonEditForm,
    PersonImportForm,
    PersonSearchForm,
    apply_domain_error,
)
from gongzhi.people.models import Person
from gongzhi.people.views.common import (
    PAGE_SIZE,
    SEARCH_LIMIT,
    HtmxHttpRequest,
    can,
    filtered,
    region_names,
    require_section,
    unmask_response,
)
from gongzhi.regions.addresses import room_address
from gongzhi.web.shortcuts import get_or_404

UNMASKABLE = {"id_number": "id_number_masked", "phone": "phone_masked"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HOME = ("room__unit__building__compound", "room__unit__building__community__parent__parent")


def _with_home(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related(*_HOME)


def _rows(people: list[Person]) -> list[dict[str, Any]]:
    """People with what the table shows next to them: grid name and standard address."""
    grids = region_names(p.region_code for p in people)
    return [
        {
            "person": p,
            "grid_name": grids.get(p.region_code, ""),
            "address": room_address(p.room) if p.room is not None else "",
        }
        for p in people
    ]


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    """GET filters by codes and types; POST searches by name, ID number or phone.

    The search is a POST so that an ID number typed into it never appears in a URL; its results
    are capped instead of paginated, like the region search.
    """
    user = request.user
    require_section(user, Cap.PEOPLE_VIEW)
    searching = request.method == "POST"
    search_form = PersonSearchForm(request.POST if searching else None)
    query = search_form.cleaned_data["q"] if searching and search_form.is_valid() else ""
    by_number = any(ch.isdigit() for ch in query)
    if by_number:
        # Not echoed back: the number would sit in this page, its cache and the browser's form history.
        search_form = PersonSearchForm()
    people = selectors.search_people(user, query) if query else selectors.people_for(user)
    filterset = PersonFilterSet(
        (request.POST if searching else request.GET) or None,
        queryset=_with_home(people).order_by("region_code", "name", "id"),
    )
    context: dict[str, Any] = {
        "filterset": filterset,
        "search_form": search_form,
        "searching": searching,
        "by_number": by_number,
        "hidden_filters": hidden_filter_inputs(filterset),
        "can_add": has_capability(user, Cap.PEOPLE_EDIT),
        "can_import": has_capability(user, Cap.PEOPLE_IMPORT),
        "can_export": has_capability(user, Cap.PEOPLE_EXPORT),
    }
    if searching:
        found = list(filtered(filterset)[:SEARCH_LIMIT]) if query else []
        context.update(rows=_rows(found), limit=SEARCH_LIMIT)
        response = render(request, "people/person_list.html", context)
        response["Cache-Control"] = "no-store"
        return response
    page = Paginator(filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(page=page, rows=_rows(list(page.object_list)), total=page.paginator.count)
    return render(request, "people/person_list.html", context)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PEOPLE_VIEW)
    person = get_or_404(selectors.access_person_by_id, user, pk)
    # Through the scoped selector: an in-service member registered elsewhere is not shown here.
    member = (
        selectors.party_members_for(user)
        .filter(person=person)
        .select_related("organization", "registered_community")
        .first()
    )
    household = _rows(list(selectors.household_of(user, person).exclude(pk=person.pk).select_related(*_HOME)))
    room = person.room
    context = {
        "person": person,
        "grid_name": region_names([person.region_code]).get(person.region_code, ""),
        "address": room_address(room) if room is not None else "",
        "member": member,
        "household": household,
        "can_edit": can(user, Cap.PEOPLE_EDIT, person.region_code),
        "can_unmask": can(user, Cap.PEOPLE_UNMASK, person.region_code),
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PEOPLE_EDIT)
    form = PersonCreateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.do_create_person(
                actor=user,
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                room=data["room"],
                grid=data["grid"],
                household_relation=data["household_relation"],
                residence_type=data["residence_type"],
            )
        except DomainError as error:
            apply_domain_error(form, error, form.aliases)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, Cap.PEOPLE_VIEW)
    person = get_or_404(selectors.access_person_by_id, user, pk)
    selectors.require_capability(user, Cap.PEOPLE_EDIT, person.region_code)
    room = person.room
    initial = {
        "name": person.name,
        "household_relation": person.household_relation,
        "residence_type": person.residence_type,
        "is_active": person.is_active,
        "building_code": room.unit.building.code if room else "",
        "unit_number": room.unit.number if room else None,
        "room_number": room.number if room else "",
    }
    form = PersonEditForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_person(
                actor=user,
                person=person,
                name=data["name"],
                # Empty means "keep": the page never holds the current number to send it back.
                phone=data["phone"] or None,
                room=data["room"],
                household_relation=data["household_relation"],
                residence_type=data["residence_type"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            apply_domain_error(form, error, form.aliases)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_unmask(request: HtmxHttpRequest, pk: int, field: str) -> HttpResponse:
    """「查看」 for an ID number or phone: see `unmask_response`. `never_cache` marks every answer
    `no-store`, errors included."""
    if field not in UNMASKABLE:
        raise Http404
    user = request.user
    require_section(user, Cap.PEOPLE_VIEW)
    person = get_or_404(selectors.access_person_by_id, user, pk)
    selectors.require_capability(user, Cap.PEOPLE_UNMASK, person.region_code)
    return unmask_response(
        request,
        field=field,
        masked=getattr(person, UNMASKABLE[field]),
        back_url=reverse("people:person", args=[person.pk]),
        subject=person,
        reveal=lambda reason: actions.do_unmask_person_field(actor=user, person=person, field=field, reason=reason),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook → every bad row with its reason, or everything imported. Never half."""
    user = request.user
    require_section(user, Cap.PEOPLE_IMPORT)
    posted = request.method == "POST"
    form = PersonImportForm(request.POST if posted else None, request.FILES if posted else None, user=user)
    report = None
    if posted and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            rows = imports.read_people_xlsx(upload)
            report = imports.import_people(
                actor=user, community=form.cleaned_data["community"], rows=rows, source_name=upload.name or ""
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if report.ok:
                messages.success(request, _("%(count)d people have been imported.") % {"count": report.created})
                return redirect("people:person_list")
    return render(
        request,
        "people/person_import.html",
        {"form": form, "report": report, "columns": imports.COLUMNS},
    )


@login_required
@require_GET
def person_import_template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the expected header row: the surest way to get the columns right."""
    require_section(request.user, Cap.PEOPLE_IMPORT)
    response = HttpResponse(imports.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="people-import-template.xlsx"'
    return response


def _filter_description(filterset: PersonFilterSet) -> str:
    """What was exported, for the audit row: "字段=值" for each filter given."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return ""
    parts = []
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value not in (None, ""):
            parts.append(f"{field.label}={value}")
    return ", ".join(parts)


@login_required
@require_POST
def person_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx, masked. A POST: an export is an audited act, not a link to prefetch."""
    user = request.user
    require_section(user, Cap.PEOPLE_EXPORT)
    # Visible *and* exportable: a user may view more than they may take away.
    people = selectors.people_for(user).filter(capability_scope(user, Cap.PEOPLE_EXPORT).q("region_code"))
    filterset = PersonFilterSet(request.POST, queryset=people.order_by("region_code", "name", "id"))
    if not filterset.is_valid():
        # The export button carries the list's own filters, so this takes a hand-made request.
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect("people:person_list")
    content = exports.export_people_xlsx(user, filterset.qs, description=_filter_description(filterset))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="people-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response

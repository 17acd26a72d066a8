"""12345 hotline import: upload a CSV or Excel export, say which column is which, file it all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.cases import imports
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.forms import HotlineImportForm, apply_errors
from gongzhi.cases.views.common import require_any
from gongzhi.core.access import capability_scope, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.regions.models import Level, Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FIELD_LABELS = {
    "ticket_no": gettext_lazy("Ticket number column"),
    "title": gettext_lazy("Title column"),
    "description": gettext_lazy("Content column"),
    "category": gettext_lazy("Category column"),
    "occurred_at": gettext_lazy("Call time column"),
    "address": gettext_lazy("Address column"),
    "lon": gettext_lazy("Longitude column"),
    "lat": gettext_lazy("Latitude column"),
    "crs": gettext_lazy("Coordinate system column"),
    "reporter_name": gettext_lazy("Caller column"),
    "reporter_phone": gettext_lazy("Phone column"),
}


def _regions(request: HttpRequest) -> list[Region]:
    scope = capability_scope(request.user, Cap.CASES_IMPORT)
    return list(
        Region.objects.filter(scope.q("code"), level__in=(Level.DISTRICT, Level.STREET))
        .only("code", "name")
        .order_by("code")
    )


def _mapping_fields() -> list[tuple[str, str, str]]:
    return [(f, str(FIELD_LABELS.get(f, f)), imports.DEFAULT_MAPPING.get(f, "")) for f in imports.FIELDS]


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_IMPORT)
    posted = request.method == "POST"
    form = HotlineImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        regions=_regions(request),
        mapping_fields=_mapping_fields(),
    )
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_hotline(
                actor=Actor.of(user),
                data=upload.read(),
                filename=upload.name or "",
                mapping=form.mapping(),
                region_code=form.cleaned_data["region"],
            )
        except PermissionDenied:
            form.add_error("region", _("You may not import cases for this area."))
        except DomainError as error:
            apply_errors(form, error, {"data": "file", "filename": "file", "region_code": "region"})
        else:
            if result.ok:
                messages.success(
                    request,
                    _("%(created)d cases filed from the hotline; %(existing)d were already there.")
                    % {"created": result.created, "existing": getattr(result, "existing", 0)},
                )
                return redirect("cases:queue" if has_capability(user, Cap.CASES_DISPATCH) else "cases:import")
    return render(request, "cases/import.html", {"form": form, "result": result})


@login_required
@require_GET
def hotline_template(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Cap.CASES_IMPORT)
    response = HttpResponse(imports.hotline_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="hotline-import-template.xlsx"'
    return response

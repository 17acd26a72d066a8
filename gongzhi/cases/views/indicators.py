"""The loop's indicators for a period and an area, on the page and as the same table in Excel."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.cases import indicators
from gongzhi.cases.access import cases_for
from gongzhi.cases.forms import IndicatorForm
from gongzhi.cases.models import Category
from gongzhi.cases.views.common import region_names, require_any
from gongzhi.core.access import AnyUser
from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership
from gongzhi.regions.models import Level, Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEXT_LEVEL_LEN = {Level.CITY: 6, Level.DISTRICT: 9, Level.STREET: 12, Level.COMMUNITY: 15}
MAX_REGIONS = 500
# (attribute of indicators.Row, column heading)
RATES = (
    ("response_rate", gettext_lazy("Response rate")),
    ("on_time_rate", gettext_lazy("On-time completion rate")),
    ("solution_rate", gettext_lazy("Solution rate")),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate")),
    ("rework_rate", gettext_lazy("Rework rate")),
)


def kpi_regions(user: AnyUser) -> list[Region]:
    """The user's own regions first (the default), then the areas below them down to communities."""
    own = [
        m.region
        for m in Membership.objects.filter(user_id=int(user.pk or 0), region__isnull=False).select_related("region")
        if Cap.KPI_VIEW in capabilities_of(m.role) and m.region is not None
    ]
    seen = {r.code for r in own}
    out = list(own)
    for region in own:
        below = (
            Region.objects.filter(
                code__startswith=region.prefix, level__in=(Level.DISTRICT, Level.STREET, Level.COMMUNITY)
            )
            .exclude(code__in=seen)
            .only("code", "name", "level")
            .order_by("code")[:MAX_REGIONS]
        )
        for r in below:
            seen.add(r.code)
            out.append(r)
    return out


@dataclass(frozen=True, slots=True)
class Table:
    form: IndicatorForm
    rows: list[dict[str, Any]]
    total: indicators.Row | None
    region: Region | None


def _table(request: HttpRequest) -> Table:
    user = request.user
    regions = kpi_regions(user)
    form = IndicatorForm(request.GET or {"group": "region"}, regions=regions)
    if not regions:
        raise PermissionDenied(Cap.KPI_VIEW)
    if not request.GET:
        month = timezone.localdate().strftime("%Y-%m")
        form = IndicatorForm({"group": "region", "region": regions[0].code, "month": month}, regions=regions)
    if not form.is_valid():
        return Table(form, [], None, None)
    data = form.cleaned_data
    region = next(r for r in regions if r.code == data["region"])
    group = data["group"]
    scoped = cases_for(user)
    kwargs: dict[str, Any] = {"start": data["start"], "end": data["end"], "region": region.prefix}
    total = indicators.compute(scoped, **kwargs)[0]
    rows = (
        indicators.compute(scoped, group=group, region_level_len=NEXT_LEVEL_LEN.get(Level(region.level), 15), **kwargs)
        if group != "none"
        else []
    )
    if group == "region":
        names = region_names(r.key for r in rows)
    elif group == "category":
        names = dict(Category.objects.filter(code__in=[r.key for r in rows]).values_list("code", "name"))
    else:
        names = {}
    labelled = [{"label": names.get(r.key, r.key) or "—", "key": r.key, "row": r} for r in rows]
    return Table(form, labelled, total, region)


@login_required
@require_GET
def indicator_page(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Cap.KPI_VIEW)
    table = _table(request)
    return render(
        request,
        "cases/indicators.html",
        {
            "form": table.form,
            "rows": table.rows,
            "total": table.total,
            "region": table.region,
            "rates": RATES,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def indicator_export(request: HttpRequest) -> HttpResponse:
    """The page's table as .xlsx: same parameters, same numbers (ratios formatted as percentages)."""
    require_any(request.user, Cap.KPI_VIEW)
    table = _table(request)
    if table.total is None or table.region is None:
        return HttpResponse(_("The parameters are not valid."), status=400, content_type="text/plain; charset=utf-8")
    data = table.form.cleaned_data
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Indicators"))
    sheet.append([f"{table.region.name} {data['start']:%Y-%m-%d} — {data['end']:%Y-%m-%d}"])
    header = [_("Group"), _("Cases"), *(str(label) for _attr, label in RATES), _("Overall score")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    def line(label: str, row: indicators.Row) -> list[Any]:
        return [label, row.counts["total"], *(getattr(row, attr) for attr, _label in RATES), row.score]

    for item in table.rows:
        sheet.append(line(item["label"], item["row"]))
    sheet.append(line(_("Total"), table.total))
    for row in sheet.iter_rows(min_row=3, min_col=3, max_col=2 + len(RATES)):
        for cell in row:
            cell.number_format = "0.00%"
    sheet.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="indicators-{data["start"]:%Y%m%d}-{data["end"]:%Y%m%d}.xlsx"'
    )
    return response

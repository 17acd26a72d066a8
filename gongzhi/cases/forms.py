"""Forms of the case pages: they parse and offer choices; the actions decide and write.

Every action form on the case page is built for one case and one viewer, so its choices (the
departments of the district, the grids the office covers, the office below) are the ones the
action could accept. What the forms cannot know — the duty list, the state the case is in by the
time the form is posted — comes back from the action as `DomainError` and lands on the field it
names (`apply_errors`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases import photos as case_photos
from gongzhi.cases.models import (
    Case,
    Category,
    Channel,
    HandlingLevel,
    LoopSettings,
    Rating,
    Resolution,
    Status,
)
from gongzhi.cases.routing import COMMUNITY_LEN, STREET_LEN
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Department
from gongzhi.people.validators import validate_mobile
from gongzhi.regions.models import Level, Region

NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}
TEXTAREA = {"rows": 3}


def apply_errors(form: forms.BaseForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Each of the action's error items on the field it names (`photos.2` → `photos`), else on the form."""
    for item in error.items:
        name = (aliases or {}).get(item.field, item.field)
        if name not in form.fields:
            name = (aliases or {}).get(name.split(".")[0], name.split(".")[0])
        form.add_error(name if name in form.fields else None, item.message)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - a programming error, not input
    return field


# ── photos ────────────────────────────────────────────────────────────────────────────────────────


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to six photos, checked by `cases.photos.clean_photos` (decoded, not trusted by name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("Up to 6 photos (JPEG, PNG or WebP, at most 8 MB each)."))
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[case_photos.CleanPhoto]:
        files: Sequence[UploadedFile] = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(_("Add at least one photo."), code="required")
        try:
            return case_photos.clean_photos(list(files))
        except DomainError as error:
            raise forms.ValidationError(sorted({i.message for i in error.items}), code=error.items[0].code) from None


# ── choices ───────────────────────────────────────────────────────────────────────────────────────


def leaf_choices(*, blank: str | None = None) -> list[Any]:
    """Leaves grouped by their class, as <optgroup>s: 「市容环境」 → 「BJ0302 垃圾桶与垃圾房」."""
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for leaf in Category.objects.filter(depth=3, is_active=True).select_related("parent").order_by("code"):
        klass = leaf.parent
        key = klass.code if klass is not None else ""
        labels[key] = f"{klass.code} {klass.name}" if klass is not None else ""
        groups.setdefault(key, []).append((leaf.code, f"{leaf.code} {leaf.name}"))
    out: list[Any] = [("", blank)] if blank is not None else []
    out += [(labels[k], v) for k, v in groups.items()]
    return out


def category_filter_choices() -> list[tuple[str, str]]:
    """Families, classes and leaves in tree order; a class or family takes everything below it."""
    indent = {1: "", 2: "\u3000", 3: "\u3000\u3000"}
    rows = Category.objects.filter(is_active=True).order_by("code").values_list("code", "name", "depth")
    return [("", str(_("Any")))] + [(code, f"{indent.get(depth, '')}{code} {name}") for code, name, depth in rows]


def district_departments(region_code: str) -> list[Department]:
    """Active departments whose area covers the place (a district's bureaux for a case in it)."""
    return [
        d
        for d in Department.objects.filter(is_active=True).select_related("region").order_by("code")
        if region_code.startswith(d.region.code)
    ]


def _department_choices(departments: list[Department], blank: str | None = None) -> list[tuple[str, str]]:
    out = [("", blank)] if blank is not None else []
    return out + [(str(d.pk), d.name) for d in departments]


# ── the queue ─────────────────────────────────────────────────────────────────────────────────────


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.ChoiceField(label=_("Area"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(
        label=_("Ticket number or title"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", **NO_AUTOFILL}),
    )

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        waiting = str(_("Waiting for me"))
        choice_field(self, "status").choices = [("", waiting), *Status.choices]
        choice_field(self, "category").choices = category_filter_choices()
        indent = {Level.STREET: "", Level.COMMUNITY: "\u3000", Level.GRID: "\u3000\u3000"}
        choice_field(self, "region").choices = [("", str(_("Any")))] + [
            (r.code, f"{indent.get(Level(r.level), '')}{r.name}") for r in regions
        ]
        choice_field(self, "channel").choices = [("", str(_("Any"))), *Channel.choices]


class BulkDispatchForm(forms.Form):
    department = forms.ChoiceField(label=_("Dispatch the selected cases to"))

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "department").choices = _department_choices(departments, str(_("Choose a department")))


# ── actions on one case ───────────────────────────────────────────────────────────────────────────


class CaseActionForm(forms.Form):
    """An action form for one case; subclasses set up their choices from the case."""

    aliases: dict[str, str] = {}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)


class EmptyForm(CaseActionForm):
    pass


class NoteForm(CaseActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.Textarea(attrs=TEXTAREA))


class ReasonForm(CaseActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs=TEXTAREA))


class SuperviseForm(CaseActionForm):
    note = forms.CharField(label=_("Supervision note"), max_length=300, widget=forms.Textarea(attrs=TEXTAREA))


class AcceptForm(CaseActionForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        choice_field(self, "category").choices = leaf_choices(blank=str(_("Choose the category")))
        current = case.category or case.suggested_category
        if current is not None and current.is_leaf:
            self.fields["category"].initial = current.code


class MergeForm(CaseActionForm):
    into = forms.CharField(label=_("Merge into ticket number"), max_length=20, widget=forms.TextInput(NO_AUTOFILL))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        if case.duplicate_candidate is not None:
            self.fields["into"].initial = case.duplicate_candidate.number


class AssignDownForm(CaseActionForm):
    to = forms.ChoiceField(label=_("Hand down to"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        # The one office below that covers where the case happened: a street for the district, a
        # community for a street.
        below = {6: STREET_LEN, STREET_LEN: COMMUNITY_LEN}.get(len(case.owner_code))
        codes = [case.region_code[:below]] if below and len(case.region_code) >= below else []
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        choice_field(self, "to").choices = [(c, f"{names.get(c, c)} {c}") for c in codes]


class DispatchForm(CaseActionForm):
    department = forms.ChoiceField(label=_("Department"), required=False)
    grid = forms.ChoiceField(label=_("or a grid"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        departments = district_departments(case.region_code)
        choice_field(self, "department").choices = _department_choices(departments, "—")
        # After a return the suggestion stands; after a rework the same department is the natural choice.
        preselect = case.department_id or case.suggested_department_id
        if preselect is not None:
            self.fields["department"].initial = str(preselect)
        grids = (
            Region.objects.filter(level=Level.GRID, code__startswith=case.owner_code).order_by("code")
            if case.owner_code
            else Region.objects.none()
        )
        choice_field(self, "grid").choices = [("", "—")] + [(g.code, g.name) for g in grids[:300]]
        if case.category is not None and case.category.handling_level == HandlingLevel.GRID and case.region_code:
            self.fields["grid"].initial = case.region_code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("department")) == bool(data.get("grid")):
            raise forms.ValidationError(_("Dispatch to one department or one grid."))
        return data


class WhistleForm(CaseActionForm):
    aliases = {"departments": "lead"}
    lead = forms.ChoiceField(label=_("Lead department"))
    assisting = forms.MultipleChoiceField(
        label=_("Assisting departments"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notified = forms.MultipleChoiceField(
        label=_("Departments notified"), required=False, widget=forms.CheckboxSelectMultiple
    )
    report_in_hours = forms.IntegerField(label=_("Report in within (hours)"), initial=24, min_value=1, max_value=168)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        choices = _department_choices(district_departments(case.region_code))
        choice_field(self, "lead").choices = choices
        choice_field(self, "assisting").choices = choices
        choice_field(self, "notified").choices = choices
        if case.suggested_department_id is not None:
            self.fields["lead"].initial = str(case.suggested_department_id)


class FinishForm(CaseActionForm):
    result = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices, initial=Resolution.SOLVED)
    photos = PhotosField()


class VerifyForm(CaseActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.Textarea(attrs=TEXTAREA))
    photos = PhotosField()


class VerifyFailForm(VerifyForm):
    note = forms.CharField(label=_("What is still wrong"), max_length=300, widget=forms.Textarea(attrs=TEXTAREA))


class ExtendForm(CaseActionForm):
    days = forms.IntegerField(label=_("Working days more"), min_value=1, max_value=30, initial=3)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs=TEXTAREA))


class DecideForm(CaseActionForm):
    aliases = {"request": "__all__"}
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=(("approve", _("Approve")), ("refuse", _("Refuse"))))
    note = forms.CharField(label=_("Decision note"), required=False, max_length=300)


class PartForm(CaseActionForm):
    text = forms.CharField(label=_("Our part"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=200, widget=forms.Textarea(TEXTAREA))


class StaffRateForm(CaseActionForm, RateForm):
    pass


# ── filing a case (the resident's H5 form and the grid worker's patrol report) ───────────────────


class ReportForm(forms.Form):
    aliases = {"lon": "location", "lat": "location", "crs": "location", "address": "address", "title": "description"}

    category = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Where, what, since when")}),
    )
    photos = PhotosField()
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    # The browser's position and a tap on our own (WGS-84) polygons are both WGS-84.
    crs = forms.CharField(required=False, initial="wgs84", widget=forms.HiddenInput)
    location = forms.CharField(required=False, widget=forms.HiddenInput)  # carries location errors
    address = forms.CharField(
        label=_("Or type the address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Compound and building, e.g. 银城东苑 3栋")}),
    )
    client_key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def clean_crs(self) -> str:
        return (self.cleaned_data.get("crs") or "wgs84").strip().lower()


class ResidentReportForm(ReportForm):
    aliases = {**ReportForm.aliases, "reporter_phone": "phone", "reporter_name": "name"}

    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=20)
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if value:
            try:
                return validate_mobile(value)
            except DomainError as error:
                raise forms.ValidationError([i.message for i in error.items]) from None
        return value


class PatrolReportForm(ReportForm):
    aliases = {**ReportForm.aliases, "close_on_spot": "close_on_spot"}

    close_on_spot = forms.BooleanField(label=_("Closed on the spot (即报即办)"), required=False)
    result = forms.CharField(
        label=_("What was done on the spot"), required=False, max_length=2000, widget=forms.Textarea(TEXTAREA)
    )


class TicketLookupForm(forms.Form):
    link = forms.CharField(
        label=_("Ticket number, or the link you kept"),
        max_length=300,
        widget=forms.TextInput(attrs={"inputmode": "url", **NO_AUTOFILL}),
    )
    token = forms.CharField(label=_("Query code"), required=False, max_length=64, widget=forms.TextInput(NO_AUTOFILL))


# ── indicators ────────────────────────────────────────────────────────────────────────────────────

GROUP_CHOICES = (
    ("region", _("Area")),
    ("department", _("Department")),
    ("category", _("Category class")),
    ("none", _("Total only")),
)


class IndicatorForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("Area"))
    group = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES, initial="region")

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indent = {Level.CITY: "", Level.DISTRICT: "", Level.STREET: "\u3000", Level.COMMUNITY: "\u3000\u3000"}
        choice_field(self, "region").choices = [(r.code, f"{indent.get(Level(r.level), '')}{r.name}") for r in regions]
        if regions:
            self.fields["region"].initial = regions[0].code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end, month = data.get("start"), data.get("end"), (data.get("month") or "").strip()
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Give both the first and the last day."))
            if end < start:
                raise forms.ValidationError(_("The last day is before the first."))
            if (end - start).days > 366:
                raise forms.ValidationError(_("At most one year at a time."))
        else:
            today = timezone.localdate()
            try:
                year, mon = (int(x) for x in month.split("-")) if month else (today.year, today.month)
                first = dt.date(year, mon, 1)
            except ValueError:
                self.add_error("month", _("Choose a month."))
                return data
            nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            data["start"], data["end"] = first, nxt - dt.timedelta(days=1)
            data["month"] = f"{first:%Y-%m}"
        return data


# ── settings (system administrator) and admissions (street) ──────────────────────────────────────


class CategoryEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    handling_level = forms.ChoiceField(label=_("Default handling level"), choices=HandlingLevel.choices)
    response_hours = forms.IntegerField(label=_("Response limit (hours)"), min_value=1, max_value=720)
    handling_days = forms.IntegerField(label=_("Handling limit (working days)"), min_value=1, max_value=365)
    attributes = forms.CharField(
        label=_("Required attributes (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "code", **NO_AUTOFILL}),
        help_text=_('A list such as [{"key": "depth", "label": "深度(米)", "type": "number", "required": true}].'),
    )
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        help_text=_("Other schemes' names for this category, one per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    @classmethod
    def for_category(cls, category: Category, data: Any = None) -> CategoryEditForm:
        initial = {
            "name": category.name,
            "handling_level": category.handling_level,
            "response_hours": category.response_hours,
            "handling_days": category.handling_days,
            "attributes": json.dumps(category.attributes or [], ensure_ascii=False, indent=1),
            "aliases": "\n".join(category.aliases or []),
            "is_active": category.is_active,
        }
        return cls(data, initial=initial)

    def clean_attributes(self) -> Any:
        raw = (self.cleaned_data.get("attributes") or "").strip()
        if not raw:
            return []
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from None

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("aliases") or "").splitlines() if line.strip()]


class LoopSettingsForm(forms.Form):
    weight_response = forms.IntegerField(label=_("Weight of the response rate"), min_value=0, max_value=100)
    weight_solution = forms.IntegerField(label=_("Weight of the solution rate"), min_value=0, max_value=100)
    weight_satisfaction = forms.IntegerField(label=_("Weight of the satisfaction rate"), min_value=0, max_value=100)
    warn_hours_before = forms.IntegerField(label=_("Warn this many hours before the deadline"), min_value=0)
    duplicate_radius_m = forms.IntegerField(label=_("Duplicate radius (metres)"), min_value=0, max_value=10_000)
    duplicate_days = forms.IntegerField(label=_("Duplicate window (days)"), min_value=0, max_value=365)

    @classmethod
    def for_row(cls, row: LoopSettings, data: Any = None) -> LoopSettingsForm:
        return cls(data, initial={name: getattr(row, name) for name in cls.base_fields})


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=100)
    region = forms.ChoiceField(label=_("Area it may file and read in"))

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = [(r.code, f"{r.name} {r.code}") for r in regions]


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("This day is"),
        choices=(("1", _("a working day")), ("0", _("a day off"))),
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=60)


class AdmissionForm(forms.Form):
    aliases = {"level": "target"}
    street = forms.ChoiceField(label=_("Street"))
    category = forms.ChoiceField(label=_("Category"))
    target = forms.ChoiceField(label=_("May be given to"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, streets: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "street").choices = [(s.code, s.name) for s in streets]
        choice_field(self, "category").choices = leaf_choices(blank="—")
        districts = {s.code[:6] for s in streets}
        departments = [
            d
            for d in Department.objects.filter(is_active=True).select_related("region").order_by("code")
            if any(d.region.code.startswith(x) or x.startswith(d.region.code) for x in districts)
        ]
        levels = [(f"level:{v}", str(label)) for v, label in HandlingLevel.choices if v != HandlingLevel.DEPARTMENT]
        choice_field(self, "target").choices = [
            (str(_("Level")), levels),
            (str(_("Department")), [(f"department:{d.pk}", d.name) for d in departments]),
        ]


class HotlineImportForm(forms.Form):
    file = forms.FileField(
        label=_("Work orders (CSV or Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    region = forms.ChoiceField(label=_("Area the file covers"))

    def __init__(self, *args: Any, regions: list[Region], mapping_fields: list[tuple[str, str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "region").choices = [(r.code, f"{r.name} {r.code}") for r in regions]
        self.mapping_names: list[str] = []
        for key, label, default in mapping_fields:
            name = f"map_{key}"
            self.mapping_names.append(name)
            self.fields[name] = forms.CharField(
                label=label, required=False, initial=default, max_length=60, widget=forms.TextInput(NO_AUTOFILL)
            )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if (upload.size or 0) > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def mapping(self) -> dict[str, str]:
        return {
            name[len("map_") :]: self.cleaned_data[name].strip()
            for name in self.mapping_names
            if (self.cleaned_data.get(name) or "").strip()
        }

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.mapping_names]

    def main_fields(self) -> list[forms.BoundField]:
        return [self["file"], self["region"]]

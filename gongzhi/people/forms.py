"""Forms of the people pages: they parse and offer choices; the actions decide and write.

Choices (grids, communities, regions) are limited to where the user holds the capability the form
is for, so a form can never offer a place the action would refuse. What the forms do not check —
ID checksums, duplicate people, credit codes — comes back from the actions as `DomainError` and is
put on the matching field by `apply_domain_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.models import HouseholdRelation, ResidenceType, UnitType
from gongzhi.people.validators import validate_credit_code, validate_id_number, validate_mobile, validate_phone
from gongzhi.regions import selectors as region_selectors
from gongzhi.regions.models import Level, Region, Room

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # 10,000 residents are about 0.5 MB; 20 MB leaves room for 300,000

_building_code = RegexValidator(r"^\d{19}$", _("A building code has 19 digits."), code="invalid_code")

NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


if TYPE_CHECKING:
    _ModelChoiceField = forms.ModelChoiceField[Region]
else:  # Django's form fields are generic only in the type stubs
    _ModelChoiceField = forms.ModelChoiceField


class RegionChoiceField(_ModelChoiceField):
    """A region offered by code and name; the value posted is the code, never a database id."""

    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.code} {obj.name}"


def regions_where(user: AnyUser, cap: Cap, *levels: str) -> Any:
    """Regions of the given levels inside the user's scope for `cap`, as form choices."""
    return (
        Region.objects.filter(capability_scope(user, cap).q("code"), level__in=levels)
        .only("code", "name", "level")
        .order_by("code")
    )


def checked(validate: Callable[[str, str], object], value: str, field: str) -> str:
    """Run one of the domain's validators on a form field, so every field error shows at once.

    The action validates again (it is the authority, and the API and imports use it too); doing
    it here as well only spares the user a round trip per mistake. The typed value is returned
    unchanged: the action normalises it.
    """
    if value:
        try:
            validate(value, field)
        except DomainError as error:
            raise forms.ValidationError([item.message for item in error.items], code=error.items[0].code) from None
    return value


def apply_domain_error(form: forms.BaseForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put each of the action's error items on the form field it names, or on the form as a whole.

    The action speaks in its own argument names (`room`); `aliases` maps them onto the form's
    fields (`room_number`) so the message appears next to the input the user has to change.
    """
    for item in error.items:
        name = (aliases or {}).get(item.field, item.field)
        form.add_error(name if name in form.fields else None, item.message)


# ------------------------------------------------------------------------------- people


def find_room(user: AnyUser, building_code: str, unit_number: int, room_number: str) -> Room | None:
    """The room at building code / unit / number, if the user's jurisdiction covers the building."""
    return (
        Room.objects.filter(
            unit__building__in=region_selectors.buildings_for(user).filter(code=building_code),
            unit__number=unit_number,
            number=room_number,
        )
        .select_related("unit__building__grid")
        .first()
    )


class PersonSearchForm(forms.Form):
    """Name, ID number or phone. Always POSTed: a number typed here must not land in a URL or a log."""

    q = forms.CharField(
        label=_("Name, ID number or phone"),
        max_length=50,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, or a complete ID number or phone"), **NO_AUTOFILL}
        ),
    )


class HomeFieldsMixin(forms.Form):
    """The home as people write it: building code, unit, room number — resolved to a `Room`."""

    building_code = forms.CharField(
        label=_("Building code"),
        required=False,
        max_length=19,
        validators=[_building_code],
        widget=forms.TextInput(attrs={"inputmode": "numeric", **NO_AUTOFILL}),
        help_text=_("The 19-digit code on the building page; leave the three home fields empty if unknown."),
    )
    unit_number = forms.IntegerField(label=_("Unit"), required=False, min_value=1, max_value=99)
    room_number = forms.CharField(label=_("Room number"), required=False, max_length=10)

    user: AnyUser

    def clean_home(self, cleaned: dict[str, Any]) -> Room | None:
        code = cleaned.get("building_code") or ""
        unit = cleaned.get("unit_number")
        number = (cleaned.get("room_number") or "").strip()
        if not (code or unit or number):
            return None
        if not (code and unit and number):
            self.add_error("room_number", _("Give the building code, the unit and the room number together."))
            return None
        room = find_room(self.user, code, unit, number)
        if room is None:
            # Same words for "no such room" and "not in your area": either way there is nothing to pick.
            self.add_error("room_number", _("There is no such room in your jurisdiction."))
        return room


class PersonCreateForm(HomeFieldsMixin):
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        help_text=_("18 characters; full-width characters and spaces are accepted."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs=NO_AUTOFILL))
    grid = RegionChoiceField(
        label=_("Grid"),
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("From the home"),
    )
    household_relation = forms.ChoiceField(
        label=_("Relation to head of household"),
        choices=[("", "—"), *HouseholdRelation.choices],
        required=False,
    )
    residence_type = forms.ChoiceField(
        label=_("Residence type"), choices=ResidenceType.choices, initial=ResidenceType.REGISTERED
    )

    field_order = (
        "name",
        "id_number",
        "phone",
        "grid",
        "building_code",
        "unit_number",
        "room_number",
        "household_relation",
        "residence_type",
    )
    # The action's argument names → this form's fields.
    aliases = {"room": "room_number"}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        grid_field = self.fields["grid"]
        assert isinstance(grid_field, RegionChoiceField)  # noqa: S101 - narrows the type for mypy
        grid_field.queryset = regions_where(user, Cap.PEOPLE_EDIT, Level.GRID)

    def clean_id_number(self) -> str:
        return checked(validate_id_number, self.cleaned_data["id_number"], "id_number")

    def clean_phone(self) -> str:
        return checked(validate_mobile, self.cleaned_data["phone"], "phone")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        room = self.clean_home(cleaned)
        cleaned["room"] = room
        grid: Region | None = cleaned.get("grid")
        if room is not None and grid is not None and room.unit.building.grid_id != grid.pk:
            self.add_error("grid", _("The home is not in the chosen grid."))
        if room is None and grid is None and not self.has_error("room_number"):
            self.add_error("grid", _("Choose the grid, or give the home."))
        return cleaned


class PersonEditForm(HomeFieldsMixin):
    """The ID number is not editable: it is the person's identity, and a wrong one means a new record."""

    name = forms.CharField(label=_("Full name"), max_length=50)
    phone = forms.CharField(
        label=_("New phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        help_text=_("Leave empty to keep the current number."),
    )
    household_relation = forms.ChoiceField(
        label=_("Relation to head of household"),
        choices=[("", "—"), *HouseholdRelation.choices],
        required=False,
    )
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Untick for people who moved away or died.")
    )

    field_order = (
        "name",
        "phone",
        "building_code",
        "unit_number",
        "room_number",
        "household_relation",
        "residence_type",
        "is_active",
    )
    aliases = {"room": "room_number"}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_phone(self) -> str:
        return checked(validate_mobile, self.cleaned_data["phone"], "phone")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["room"] = self.clean_home(cleaned)
        return cleaned


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        min_length=2,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": _("Why you need the full value"), "autocomplete": "off"}),
        error_messages={"required": _("Give a reason: every view of the full value is recorded.")},
    )


class PersonImportForm(forms.Form):
    community = RegionChoiceField(label=_("Community"), queryset=Region.objects.none(), to_field_name="code")
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, RegionChoiceField)  # noqa: S101 - narrows the type for mypy
        community.queryset = regions_where(user, Cap.PEOPLE_IMPORT, Level.COMMUNITY)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."), code="invalid_extension")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."), code="too_large")
        return upload


# -------------------------------------------------------------------------------- units


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        help_text=_("18 characters (GB 32100)."),
    )
    unit_type = forms.ChoiceField(label=_("Type"), choices=UnitType.choices)
    community = RegionChoiceField(label=_("Community"), queryset=Region.objects.none(), to_field_name="code")
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_cobuilding = forms.BooleanField(label=_("Co-building unit"), required=False)
    liaison_name = forms.CharField(label=_("Liaison"), max_length=50, required=False)
    liaison_phone = forms.CharField(
        label=_("Liaison phone"), max_length=20, required=False, widget=forms.TextInput(attrs=NO_AUTOFILL)
    )

    def __init__(self, *args: Any, user: AnyUser, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, RegionChoiceField)  # noqa: S101 - narrows the type for mypy
        community.queryset = regions_where(user, Cap.UNITS_EDIT, Level.COMMUNITY)
        if editing:
            # A unit's code and community are its identity; moving one is a new registration.
            del self.fields["credit_code"]
            del self.fields["community"]
            self.fields["liaison_phone"].label = _("New liaison phone")
            self.fields["liaison_phone"].help_text = _("Leave empty to keep the current number.")

    def clean_credit_code(self) -> str:
        return checked(validate_credit_code, self.cleaned_data["credit_code"], "credit_code")

    def clean_liaison_phone(self) -> str:
        return checked(validate_phone, self.cleaned_data["liaison_phone"], "liaison_phone")


# -------------------------------------------------------------------------- departments


class DepartmentForm(forms.Form):
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none(), to_field_name="code")
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=30, required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=30, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, RegionChoiceField)  # noqa: S101 - narrows the type for mypy
        # Departments belong to a city, a district or a street office (市级/区级/街道职能部门).
        region.queryset = regions_where(user, Cap.DEPARTMENTS_EDIT, Level.CITY, Level.DISTRICT, Level.STREET)

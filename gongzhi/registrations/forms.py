"""Forms of the 双报到 pages; each only parses — the actions decide (their errors land on the fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.errors import DomainError
from gongzhi.people.models import MemberKind, PartyMember, Unit
from gongzhi.people.validators import validate_id_number
from gongzhi.regions.models import Region
from gongzhi.registrations.models import ContactChannel, RegistrationStatus
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.models import Volunteer

WEEKDAYS = (
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
)


def apply_errors(form: forms.BaseForm, error: DomainError) -> None:
    for item in error.items:
        name = item.field.split(".")[0]
        form.add_error(name if name in form.fields else None, item.message)


def volunteers_serving(community: Region) -> QuerySet[Volunteer]:
    """Volunteers based in the community or approved by it: the ones who may be its units' liaisons."""
    return (
        Volunteer.objects.filter(
            Q(community=community)
            | Q(registrations__community=community, registrations__status=RegistrationStatus.APPROVED),
            is_active=True,
        )
        .select_related("person")
        .distinct()
        .order_by("person__name", "pk")
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _skill_choices() -> list[tuple[str, Any]]:
    return [
        (c.code, f"{c.code} {c.name}")
        for c in NeedCategory.objects.filter(is_active=True, parent__isnull=False).order_by("sort_order", "code")
    ]


class UnitApplyForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Organisation unit"))
    offers = forms.CharField(label=_("What the unit offers"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, communities: QuerySet[Region], units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MemberApplyForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    # The member is identified, not picked from a list: a list would show every in-service member of
    # the city, by name, to every community's staff. The member gives their name and ID number at the desk.
    name = forms.CharField(label=_("Member's name"), max_length=50)
    id_number = forms.CharField(
        label=_("Member's ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("As on the member's ID card; it is only compared, never shown or stored here."),
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Available days"),
        choices=WEEKDAYS,
        coerce=int,
        initial=[d for d, _label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    monthly_capacity = forms.IntegerField(label=_("Tasks a month at most"), min_value=1, max_value=31, initial=4)
    username = forms.CharField(
        label=_("Sign-in account (user name)"),
        required=False,
        max_length=150,
        help_text=_("Optional: an existing participant account to link to the member's volunteer profile."),
    )

    def __init__(self, *args: Any, communities: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["skills"].choices = _skill_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, number = (data.get("name") or "").strip(), data.get("id_number") or ""
        if not name or not number:
            return data
        try:
            number = validate_id_number(number).number
        except DomainError as error:
            self.add_error("id_number", error.items[0].message)
            return data
        member = (
            PartyMember.objects.filter(
                kind=MemberKind.IN_SERVICE, person__id_number_digest=pii.digest(number), person__name=name
            )
            .select_related("person")
            .first()
        )
        if member is None:
            # One answer for "no such person" and "not an in-service member": the form is no oracle.
            self.add_error("id_number", _("No in-service party member has this name and ID number."))
        else:
            data["member"] = member
        return data

    @property
    def available_days(self) -> int:
        return sum(1 << d for d in self.cleaned_data.get("days") or [])


class SelfApplyForm(forms.Form):
    """The member's own application on the phone page: community, skills, days, capacity."""

    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    skills = MemberApplyForm.base_fields["skills"]
    days = MemberApplyForm.base_fields["days"]
    monthly_capacity = MemberApplyForm.base_fields["monthly_capacity"]

    def __init__(self, *args: Any, communities: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["skills"].choices = _skill_choices()  # type: ignore[attr-defined]

    @property
    def available_days(self) -> int:
        return sum(1 << d for d in self.cleaned_data.get("days") or [])


class LiaisonForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=Volunteer.objects.none(), label=_("Liaison"))

    def __init__(self, *args: Any, community: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers_serving(community)  # type: ignore[attr-defined]


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("Date of contact"), widget=_date_input())
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    summary = forms.CharField(label=_("Summary"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()


class MeetingForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Held by"))
    held_on = forms.DateField(label=_("Date"), widget=_date_input())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["held_on"].initial = timezone.localdate()


class AttendanceForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Organisation unit"))
    attendee_name = forms.CharField(label=_("Attended by"), max_length=50, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class DutyHoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Required hours a year"), min_value=0, max_value=1000, decimal_places=2)


def month_value(day: dt.date) -> str:
    return f"{day:%Y-%m}"

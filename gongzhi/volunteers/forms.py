"""Forms of the volunteers pages: they parse and offer choices; the actions decide and write.

Choices are limited to where the user may act, so a form never offers what the action refuses;
the action's DomainError items are put on the fields they name (`apply_errors`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.people.models import Unit
from gongzhi.regions.models import Level, Region
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.models import ALL_DAYS, Team, Volunteer

WEEKDAYS = (
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
)
DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def apply_errors(form: forms.BaseForm, error: DomainError) -> None:
    for item in error.items:
        name = item.field.split(".")[0]
        form.add_error(name if name in form.fields else None, item.message)


def managed_communities(user: AnyUser) -> QuerySet[Region]:
    """Communities where the user holds `services.manage`."""
    return Region.objects.filter(capability_scope(user, Cap.SERVICES_MANAGE).q("code"), level=Level.COMMUNITY).order_by(
        "code"
    )


def category_choices(*, blank: bool = False) -> list[tuple[str, Any]]:
    rows = NeedCategory.objects.filter(is_active=True, parent__isnull=False).order_by("sort_order", "code")
    choices: list[tuple[str, Any]] = [("", "—")] if blank else []
    return choices + [(c.code, f"{c.code} {c.name}") for c in rows]


def days_of(mask: int) -> list[int]:
    return [d for d, _label in WEEKDAYS if mask & (1 << d)]


def volunteer_label(v: Volunteer) -> str:
    return f"{v.person.name}（{v.community.name}）"


def _choosable(volunteers: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    return volunteers.filter(is_active=True).select_related("person", "community").order_by("person__name")


class _ProfileFields(forms.Form):
    skills = forms.MultipleChoiceField(
        label=_("Skills"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Available days"),
        choices=WEEKDAYS,
        coerce=int,
        initial=days_of(ALL_DAYS),
        widget=forms.CheckboxSelectMultiple,
    )
    monthly_capacity = forms.IntegerField(label=_("Tasks a month at most"), min_value=1, max_value=60, initial=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = category_choices()  # type: ignore[attr-defined]

    @property
    def available_days(self) -> int:
        return sum(1 << d for d in self.cleaned_data.get("days") or [])


class VolunteerRegisterForm(_ProfileFields):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    username = forms.CharField(
        label=_("Sign-in account (user name)"),
        required=False,
        max_length=150,
        help_text=_("Optional. A temporary password is shown once; it must be changed at the first sign-in."),
    )
    field_order = ("community", "skills", "days", "monthly_capacity", "username")

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = managed_communities(user)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()


class VolunteerEditForm(_ProfileFields):
    pass


class TeamForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    name = forms.CharField(label=_("Name"), max_length=100)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Unit"),
        required=False,
        help_text=_("Only for a unit's own team."),
    )
    leader = forms.ModelChoiceField(queryset=Volunteer.objects.none(), label=_("Leader"), required=False)
    skills = forms.MultipleChoiceField(
        label=_("Services offered"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: AnyUser, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = managed_communities(user)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            community__in=communities
        ).order_by("name")
        leader: Any = self.fields["leader"]
        leader.queryset = _choosable(volunteers)
        leader.label_from_instance = volunteer_label
        self.fields["skills"].choices = category_choices()  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=Volunteer.objects.none(), label=_("Volunteer"))

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["volunteer"]
        field.queryset = _choosable(volunteers)
        field.label_from_instance = volunteer_label


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT),
    )


class ActivityForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Community"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    category_code = forms.ChoiceField(label=_("Service category"), required=False, choices=())
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000, initial=10)
    organiser_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label=_("Organising team"),
        required=False,
        help_text=_("Its leader can show the QR code and confirm attendance."),
    )
    publish = forms.BooleanField(label=_("Open for sign-up now"), required=False, initial=True)

    def __init__(self, *args: Any, user: AnyUser, leader: Volunteer | None = None, **kwargs: Any) -> None:
        """Staff choose among the communities they manage; a team leader (`leader`) organises for their
        own teams only, so the team is required and the communities are those teams'."""
        super().__init__(*args, **kwargs)
        if leader is not None:
            teams = Team.objects.filter(leader=leader, is_active=True).order_by("name")
            communities = Region.objects.filter(pk__in=teams.values("community_id")).order_by("code")
            self.fields["organiser_team"].required = True
            if teams.count() == 1:
                self.fields["organiser_team"].initial = teams.first()
        else:
            communities = managed_communities(user)
            teams = Team.objects.filter(community__in=communities, is_active=True).order_by("name")
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
        self.fields["organiser_team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["category_code"].choices = category_choices(blank=True)  # type: ignore[attr-defined]
        if not self.is_bound:
            start = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
            self.initial.setdefault("starts_at", start)
            self.initial.setdefault("ends_at", start + dt.timedelta(hours=2))


class ConfirmForm(forms.Form):
    attendance = forms.IntegerField(required=False, widget=forms.HiddenInput)

"""Forms of the service pages: they parse and offer choices; the actions decide and write.

Choices are built for the viewer (the regions they may act in, the units they act for); whatever a
form cannot know comes back from the action as DomainError and lands on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError
from gongzhi.services.models import NeedCategory, ResourceKind, Urgency

TEXTAREA = {"rows": 3}
WEEKDAYS = (
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
)


def apply_errors(form: forms.BaseForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    for item in error.items:
        name = (aliases or {}).get(item.field, item.field)
        form.add_error(name if name in form.fields else None, item.message)


def category_choices(blank: bool = False) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("", "—")] if blank else []
    for c in NeedCategory.objects.filter(parent__isnull=False, is_active=True).select_related("parent"):
        rows.append((c.code, f"{c.parent.name if c.parent else ''} · {c.name}"))
    return rows


def days_to_mask(values: list[str]) -> int:
    return sum(1 << int(v) for v in values)


def mask_to_days(mask: int) -> list[str]:
    return [str(d) for d, _label in WEEKDAYS if mask & (1 << d)]


class _Choices(forms.Form):
    def set_choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - a programming error, not input
        field.choices = choices


class ResourceForm(_Choices):
    region = forms.ChoiceField(label=_("Community or street"))
    provider = forms.ChoiceField(label=_("Offered by"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    category = forms.ChoiceField(label=_("Need category"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000, initial=1)
    capacity_unit = forms.CharField(
        label=_("Capacity per"), max_length=20, required=False, help_text=_("e.g. times a month, people, m²")
    )
    availability = forms.CharField(label=_("When"), max_length=100, required=False)
    days = forms.MultipleChoiceField(
        label=_("Days of the week"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=True
    )
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("On the list"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        providers: list[tuple[str, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("region", regions)
        self.set_choices("provider", providers)
        self.set_choices("category", category_choices())
        if editing:
            del self.fields["region"]
            del self.fields["provider"]
        else:
            del self.fields["is_active"]
            self.fields["days"].initial = [str(d) for d, _label in WEEKDAYS]


class NeedForm(_Choices):
    community = forms.ChoiceField(label=_("Community"))
    category = forms.ChoiceField(label=_("Need category"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    resident_name = forms.CharField(
        label=_("Resident's name"),
        max_length=50,
        required=False,
        help_text=_("Kept masked (王*英); leave empty for a need of the community itself."),
    )

    def __init__(self, *args: Any, communities: list[tuple[str, str]], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("community", communities)
        self.set_choices("category", category_choices())
        if editing:
            del self.fields["community"]
            del self.fields["resident_name"]


class NeedStatusForm(_Choices):
    status = forms.ChoiceField(label=_("New status"))
    resource = forms.ChoiceField(label=_("Met by resource"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, statuses: list[tuple[str, Any]], resources: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("status", statuses)
        self.set_choices("resource", [("", "—"), *resources])


class ProjectForm(_Choices):
    community = forms.ChoiceField(label=_("Community"))
    category = forms.ChoiceField(label=_("Need category"), required=False)
    title = forms.CharField(label=_("Title"), max_length=100)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs=TEXTAREA))
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    slots = forms.IntegerField(label=_("Units wanted"), min_value=1, max_value=1000, initial=1)
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0)

    def __init__(self, *args: Any, communities: list[tuple[str, str]], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("community", communities)
        self.set_choices("category", category_choices(blank=True))
        if editing:
            del self.fields["community"]


class OrderForm(_Choices):
    community = forms.ChoiceField(label=_("Community"))
    category = forms.ChoiceField(label=_("Need category"))
    title = forms.CharField(label=_("Service wanted"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    wanted_by = forms.DateField(label=_("Wanted by"), widget=forms.DateInput(attrs={"type": "date"}))
    need = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, communities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("community", communities)
        self.set_choices("category", category_choices())


# ── action forms (order steps, project claims) ────────────────────────────────────────────────────


class NoteForm(_Choices):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReasonForm(_Choices):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(_Choices):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class ConfirmForm(_Choices):
    hours = forms.DecimalField(label=_("Hours served"), min_value=0, max_value=1000, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DispatchForm(_Choices):
    assignee = forms.ChoiceField(label=_("Pass to"))
    accept_hours = forms.IntegerField(label=_("Hours to accept"), min_value=1, max_value=24 * 14, initial=24)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, assignees: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("assignee", assignees)


class ClaimForm(_Choices):
    unit = forms.ChoiceField(label=_("Unit"))
    plan = forms.CharField(label=_("What your unit will do"), max_length=300, required=False)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("unit", units)
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].initial = units[0][0]


class DeliverForm(_Choices):
    evidence = forms.CharField(label=_("What was delivered"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class CampaignForm(_Choices):
    """集中派单: which street or community, and for which day."""

    region = forms.ChoiceField(label=_("Community or street"))
    date = forms.DateField(label=_("Service day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("region", regions)

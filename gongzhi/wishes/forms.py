"""Forms of the wish pages: they parse and offer choices; the actions decide and write."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.forms import PhotosField, choice_field
from gongzhi.core.access import Scope
from gongzhi.people.models import Person
from gongzhi.regions.models import Level, Region
from gongzhi.services.models import NeedCategory
from gongzhi.wishes.actions.claims import MAX_EVIDENCE
from gongzhi.wishes.actions.posting import MAX_DESCRIPTION, MAX_NAME, MAX_TITLE
from gongzhi.wishes.models import BoardLevel, WishStatus

NO_AUTOFILL = {"autocomplete": "off"}
MAX_PEOPLE_CHOICES = 500


def new_client_key() -> str:
    return uuid.uuid4().hex


def category_choices() -> list[Any]:
    """Minor classes grouped under their major class: 「养老助残」 → 「助老探访」."""
    groups: dict[int, list[tuple[str, str]]] = {}
    names: dict[int, str] = {}
    rows = NeedCategory.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True).select_related(
        "parent"
    )
    for minor in rows.order_by("parent__sort_order", "parent__code", "sort_order", "code"):
        assert minor.parent is not None  # noqa: S101 - filtered above
        names[minor.parent.pk] = minor.parent.name
        groups.setdefault(minor.parent.pk, []).append((minor.code, minor.name))
    return [("", "—")] + [(names[k], v) for k, v in groups.items()]


def category_filter_choices() -> list[tuple[str, str]]:
    out = [("", str(_("Any")))]
    for major in NeedCategory.objects.filter(parent__isnull=True).order_by("sort_order", "code"):
        out.append((major.code, major.name))
        out += [(m.code, f"\u3000{m.name}") for m in major.children.order_by("sort_order", "code")]
    return out


def community_choices(area: str = "") -> list[Any]:
    """Communities grouped by their street; `area` (a code prefix) narrows the list."""
    rows = Region.objects.filter(level=Level.COMMUNITY, code__startswith=area).select_related("parent").order_by("code")
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in rows[:2000]:
        street = community.parent.name if community.parent is not None else ""
        groups.setdefault(street, []).append((str(community.pk), community.name))
    return [("", "—"), *groups.items()]


class ResidentWishForm(forms.Form):
    """The resident's H5 form: what they wish for, where, and how to call them (masked everywhere)."""

    category = forms.ChoiceField(label=_("What kind of help"))
    title = forms.CharField(
        label=_("My wish"),
        max_length=MAX_TITLE,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. someone to fix my tap")}),
    )
    description = forms.CharField(
        label=_("Details"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not write your door number or phone number here."),
    )
    community = forms.TypedChoiceField(label=_("My community"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(
        label=_("Or my 小区 and 楼栋"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 幸福小区3幢 (no room number)"), **NO_AUTOFILL}),
    )
    name = forms.CharField(
        label=_("My name"), max_length=MAX_NAME, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("My phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, area: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = category_choices()
        choice_field(self, "community").choices = community_choices(area)


class StaffWishForm(forms.Form):
    """A grid worker or community staff posts for a resident: picked from the register, or typed in."""

    person = forms.TypedChoiceField(label=_("Registered resident"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Or the resident's name"), max_length=MAX_NAME, required=False)
    phone = forms.CharField(label=_("Resident's phone"), max_length=20, required=False)
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Wish"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("Details"), max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = category_choices()
        people = Person.objects.filter(scope.q("region_code"), is_active=True).order_by("region_code", "name", "id")
        residents = [(str(p.pk), f"{p.name} {p.phone_masked}".strip()) for p in people[:MAX_PEOPLE_CHOICES]]
        choice_field(self, "person").choices = [("", "—"), *residents]
        communities = Region.objects.filter(level=Level.COMMUNITY).order_by("code")
        if not scope.everything:
            # A grid worker's grid lies in one community; an office's prefix takes every community below it.
            where = Q(code__in=sorted({p[:12] for p in scope.prefixes if len(p) >= 12}))
            for prefix in scope.prefixes:
                if len(prefix) < 12:
                    where |= Q(code__startswith=prefix)
            communities = communities.filter(where)
        choice_field(self, "community").choices = [("", "—"), *((str(c.pk), c.name) for c in communities[:500])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is None and not (data.get("name") or "").strip():
            self.add_error("name", _("Pick a registered resident or type the resident's name."))
        if data.get("person") is None and data.get("community") is None:
            self.add_error("community", _("Choose the community."))
        return data


class FulfilForm(forms.Form):
    photos = PhotosField(label=_("Photos of the result"), required=True)
    note = forms.CharField(label=_("What was done"), max_length=MAX_EVIDENCE, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    board = forms.ChoiceField(label=_("Board"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [("", _("Any")), *WishStatus.choices]
        choice_field(self, "category").choices = category_filter_choices()
        choice_field(self, "board").choices = [("", _("Any")), *BoardLevel.choices]

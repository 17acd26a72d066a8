"""Forms of the points pages; they parse input, the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.errors import DomainError
from gongzhi.people.validators import validate_mobile
from gongzhi.points.actions import MAX_QUANTITY, MAX_RESTOCK
from gongzhi.points.models import CatalogItem, Station
from gongzhi.regions.models import Region
from gongzhi.registrations.access import may_serve_in
from gongzhi.volunteers.models import Volunteer


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    for item in error.items:
        form.add_error(item.field if item.field in form.fields else None, item.message)


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)


class CounterRedeemForm(forms.Form):
    """Station staff redeem for the member at the counter, who is identified by the phone they give.

    The phone is compared by its keyed digest: nobody is listed, and the number is not kept here.
    """

    item = forms.ModelChoiceField(label=_("Item"), queryset=CatalogItem.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    phone = forms.CharField(
        label=_("Member's mobile number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        field = self.fields["item"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = CatalogItem.objects.filter(station=station, is_active=True).order_by("name")

    def clean_phone(self) -> Volunteer:
        try:
            phone = validate_mobile(self.cleaned_data["phone"])
        except DomainError as error:
            raise forms.ValidationError(error.items[0].message) from None
        volunteer = (
            Volunteer.objects.filter(person__phone_digest=pii.digest(phone), is_active=True)
            .select_related("person")
            .first()
        )
        # Only those who may redeem here themselves (they serve in the station's community): the same
        # rule as at the phone, and the counter tells nothing of volunteers elsewhere.
        if volunteer is not None and not may_serve_in(volunteer, self.station.community_id):
            volunteer = None
        if volunteer is None:
            raise forms.ValidationError(_("No active volunteer has this mobile number."))
        return volunteer


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=200, min_length=2, widget=forms.TextInput())


class StationForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Region.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)

    def __init__(self, *args: Any, communities: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = communities


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    cost = forms.IntegerField(label=_("Points each"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("Opening stock"), min_value=0, max_value=MAX_RESTOCK, initial=0)


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_RESTOCK)


class RuleForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=10_000)
    per_hour = forms.BooleanField(label=_("Per hour"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

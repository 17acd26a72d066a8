"""Forms of the region pages; writes will come with their own forms when the tree gets editable."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or name"), "autocomplete": "off"}),
    )

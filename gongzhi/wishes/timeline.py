"""The names of a wish's timeline steps, and the steps the resident is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from gongzhi.wishes import selectors
from gongzhi.wishes.models import Wish

if TYPE_CHECKING:  # a development-only package: annotations only
    from django_stubs_ext import StrOrPromise

EVENT_LABELS: dict[str, StrOrPromise] = {
    "post": _("Wish posted"),
    "claim": _("Claimed"),
    "release": _("Claim given back"),
    "fulfil": _("Fulfilled"),
    "confirm": _("Confirmed by the resident"),
    "cancel": _("Withdrawn"),
    "escalate": _("Pushed to the street board"),
    "expire": _("Expired unclaimed"),
    "invite": _("Invited to claim"),
}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def public_steps(wish: Wish) -> list[dict[str, Any]]:
    """What the resident sees: each step and when, not who inside took it or their notes."""
    return [{"at": e.at, "label": event_label(e.kind), "kind": e.kind} for e in selectors.timeline(wish)]

"""What the wish pages share: who the viewer is, timeline labels, the page gate."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.wishes.access import Participant, participant_of
from gongzhi.wishes.timeline import event_label, public_steps

__all__ = ["Standing", "event_label", "public_steps", "require_standing", "standing_of"]


@dataclass(frozen=True, slots=True)
class Standing:
    participant: Participant
    staff: bool  # holds services.view somewhere
    reports: bool  # holds services.report somewhere


def standing_of(user: AnyUser) -> Standing:
    return Standing(
        participant=participant_of(user),
        staff=has_capability(user, Cap.SERVICES_VIEW),
        reports=has_capability(user, Cap.SERVICES_REPORT),
    )


def require_standing(request: HttpRequest, *, staff_only: bool = False, participant_only: bool = False) -> Standing:
    """403 unless the page is for this user: a participant, or staff with `services.view`."""
    standing = standing_of(request.user)
    if staff_only and not standing.staff:
        raise PermissionDenied(Cap.SERVICES_VIEW)
    if participant_only and not standing.participant.is_participant:
        raise PermissionDenied("participant")
    if not standing.staff and not standing.participant.is_participant:
        raise PermissionDenied(Cap.SERVICES_VIEW)
    return standing

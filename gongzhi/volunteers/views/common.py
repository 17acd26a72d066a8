"""What the volunteers pages share: the capability gate, the participant gate, names as each viewer sees them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.core.access import AnyUser, has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.pii import mask_name
from gongzhi.registrations.access import volunteer_of
from gongzhi.volunteers.models import Volunteer

PAGE_SIZE = 50


def require_section(user: AnyUser, cap: Cap) -> None:
    """403 unless the user holds `cap` somewhere: the page is not for their role."""
    if not has_capability(user, cap):
        raise PermissionDenied(cap)


def require_participant(user: AnyUser) -> Volunteer:
    """The signed-in participant's active volunteer profile, or 403."""
    volunteer = volunteer_of(user)
    if volunteer is None:
        raise PermissionDenied("volunteers only")
    return volunteer


def name_for(volunteer: Volunteer, *, staff: bool) -> str:
    """Staff see names; a volunteer who organises sees fellow volunteers' names masked."""
    return volunteer.person.name if staff else mask_name(volunteer.person.name)

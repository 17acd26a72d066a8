"""Showing a case's personal data to the people working it: the reporter's phone and the report as typed.

Intake keeps the reporter's phone sealed and masks numbers typed into the text (sealing the original).
The office in charge, the department handling the case and the grid worker it was given to may need
to call the resident back (回访); they see both after giving a reason, and each view is an audit row.
Whoever only oversees the case (leaders, supervisors, verifiers) sees the masked forms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongzhi.cases.access import cases_for, parties_of, viewer_of
from gongzhi.cases.actions.common import Actor, clean_reason
from gongzhi.cases.workflow import Party
from gongzhi.core import audit, pii
from gongzhi.core.errors import NotFound

# The parties that act on the case itself, not those who watch over it.
REVEAL_PARTIES = frozenset({Party.DISPATCHER, Party.HANDLER})


@dataclass(frozen=True, slots=True)
class Revealed:
    phone: str  # empty for an anonymous report, or one without a phone
    title: str  # as typed: the original when intake masked numbers in it, else the stored text
    description: str
    sealed: bool  # whether intake had masked numbers in the text


def may_reveal(parties: frozenset[Party]) -> bool:
    """Whether to offer 「查看」: the same test the action makes."""
    return bool(parties & REVEAL_PARTIES)


@transaction.atomic
def do_reveal_case_contact(*, actor: Actor, case_id: int, reason: str) -> Revealed:
    """The reporter's phone and the report as typed, logged as `case.reveal` with the reason.

    Refusals as for every case action: out of sight (or missing) → NotFound; in sight but not a party
    working it → PermissionDenied; no reason → DomainError. A refusal writes nothing.
    """
    if actor.user is None:
        raise NotFound(case_id)  # staff only: the resident and the system have no use for it
    viewer = viewer_of(actor.user)
    case = cases_for(actor.user, viewer).filter(pk=case_id).first()
    if case is None:
        raise NotFound(case_id)
    if not may_reveal(parties_of(viewer, case)):
        raise PermissionDenied("case.reveal")
    reason = clean_reason(reason)
    phone = "" if case.anonymous else pii.decrypt(case.reporter_phone_ciphertext)
    title, description = case.title, case.description
    if case.original_text_sealed:
        original = json.loads(pii.decrypt(case.original_text_sealed))
        title, description = original["title"], original["description"]
    fields = (["phone"] if phone else []) + (["title", "description"] if case.original_text_sealed else [])
    # Which fields, never their values: the audit trail holds no unmasked personal data.
    audit.record(
        actor=actor.db_user,
        action="case.reveal",
        obj=case,
        changes={"reason": reason, "fields": fields},
        object_repr=case.number,
    )
    return Revealed(phone=phone, title=title, description=description, sealed=bool(case.original_text_sealed))

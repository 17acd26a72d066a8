"""What every case action shares: who acts, locking, the state check, the timeline row, the audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.access import Viewer, cases_for, parties_of, viewer_of
from gongzhi.cases.models import Case, CaseEvent, Status
from gongzhi.cases.workflow import Action, Party, transition
from gongzhi.core import audit
from gongzhi.core.access import AnyUser
from gongzhi.core.errors import Conflict, DomainError, NotFound

MIN_REASON_CHARS = 2


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on a case: a signed-in user, the resident holding the ticket, or the system."""

    user: User | None = None
    ticket_token: str | None = None  # the resident: the token printed with their ticket number
    system: bool = False

    @property
    def label(self) -> str:
        if self.system:
            return str(_("System"))
        if self.user is not None:
            full = getattr(self.user, "get_full_name", lambda: "")()
            return str(full or getattr(self.user, "username", ""))
        return str(_("Resident"))

    @property
    def db_user(self) -> User | None:
        return self.user if self.user is not None and self.user.is_authenticated else None

    @classmethod
    def of(cls, user: AnyUser) -> Actor:
        """The actor for a request's user (an anonymous visitor acts as nobody)."""
        return cls(user=user if isinstance(user, User) else None)


SYSTEM = Actor(system=True)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> dt.datetime:
    return timezone.now()


def lock_for(actor: Actor, case_id: int, action: Action) -> tuple[Case, frozenset[Party]]:
    """Lock the case and check the actor may take `action` on it now.

    Order of refusals: not visible → NotFound (as if missing); visible but not their part → 403;
    their part but the case has moved on (someone acted first) → Conflict. Call inside a transaction.
    """
    viewer: Viewer | None = None
    if not actor.system and actor.ticket_token is None:
        if actor.user is None:
            raise NotFound(case_id)
        viewer = viewer_of(actor.user)
        if not cases_for(actor.user, viewer).filter(pk=case_id).exists():
            raise NotFound(case_id)
    case = Case.objects.select_for_update(of=("self",)).select_related("category").filter(pk=case_id).first()
    if case is None:
        raise NotFound(case_id)
    if actor.system:
        parties = frozenset({Party.SYSTEM})
    elif actor.ticket_token is not None:
        if not hmac.compare_digest(case.token_digest, token_digest(actor.ticket_token)):
            raise NotFound(case_id)
        parties = frozenset({Party.REPORTER})
    else:
        parties = parties_of(viewer or viewer_of(actor.user) if actor.user is not None else Viewer(None), case)
    t = transition(action)
    if not t.parties & parties:
        raise PermissionDenied(action)
    if case.status not in t.sources:
        raise Conflict.single(
            "status",
            "conflict",
            _("The case is now “%(status)s”, so “%(action)s” is no longer possible. Reload it and try again.")
            % {"status": Status(case.status).label, "action": t.label},
        )
    return case, parties


def record(
    case: Case,
    actor: Actor,
    action: str,
    *,
    from_status: str,
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """One timeline row and one audit row, in the caller's transaction."""
    event = CaseEvent.objects.create(
        case=case,
        occurred_at=at or now(),
        actor=actor.db_user,
        actor_label=actor.label[:60],
        action=action,
        from_status=from_status,
        to_status=to_status or from_status,
        note=note,
        data=data or {},
    )
    changes: dict[str, Any] = {"status": [from_status, to_status or from_status]}
    if data:
        changes.update({k: v for k, v in data.items() if k != "text"})
    audit.record(
        actor=actor.db_user,
        action=f"case.{action}",
        obj=case,
        changes=changes,
        object_repr=case.number,
    )
    return event


def clean_reason(value: str, field: str = "reason", max_length: int = 300) -> str:
    value = (value or "").strip()
    if len(value) < MIN_REASON_CHARS:
        raise DomainError.single(field, "reason_required", _("Give a reason (at least two characters)."))
    if len(value) > max_length:
        raise DomainError.single(field, "too_long", _("At most %(n)d characters.") % {"n": max_length})
    return value

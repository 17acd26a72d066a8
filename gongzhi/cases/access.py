"""Who may see a case, and in which capacity (party) a user stands to it.

Sight: a case is visible where the user holds `cases.view` over its region, and to the staff of a
department it was sent to or summoned to by a whistle (a department sees only what was sent to it).
Parties: see workflow.Party. One membership query answers both for a request.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from gongzhi.cases.models import Case, WhistleParty
from gongzhi.cases.workflow import Party
from gongzhi.core.access import NOTHING, AnyUser, Scope, _minimal
from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.errors import NotFound
from gongzhi.core.models import Membership

_EVERYTHING = Scope(everything=True, prefixes=())


@dataclass(slots=True)
class Viewer:
    """A user's case-loop standing, from one read of their memberships."""

    user_id: int | None
    scopes: dict[str, Scope] = field(default_factory=dict)
    # Field handling (grid workers) is kept apart from department staff, whose membership sits at the
    # district: a department handles what was sent to it, not every grid of the district.
    field_handle: Scope = NOTHING
    departments: frozenset[int] = frozenset()

    def scope(self, cap: str) -> Scope:
        return self.scopes.get(cap, NOTHING)


def viewer_of(user: AnyUser) -> Viewer:
    if not user.is_authenticated or not user.is_active:
        return Viewer(user_id=None)
    prefixes: dict[str, set[str]] = {}
    everything: set[str] = set()
    field_handle: set[str] = set()
    departments: set[int] = set()
    for m in Membership.objects.filter(user_id=user.pk).select_related("region"):
        caps = capabilities_of(m.role)
        if m.department_id is not None and Cap.CASES_HANDLE in caps:
            departments.add(m.department_id)
            continue
        for cap in caps:
            if m.region is None:
                everything.add(cap)
            else:
                prefixes.setdefault(cap, set()).add(m.region.prefix)
        if Cap.CASES_HANDLE in caps and m.region is not None:
            field_handle.add(m.region.prefix)
    scopes = {cap: _minimal(p) for cap, p in prefixes.items()}
    scopes.update(dict.fromkeys(everything, _EVERYTHING))
    return Viewer(
        user_id=user.pk,
        scopes=scopes,
        field_handle=_minimal(field_handle),
        departments=frozenset(departments),
    )


def _visible_q(viewer: Viewer) -> Q:
    q = viewer.scope(Cap.CASES_VIEW).q("region_code")  # an empty scope is already "nothing"
    if viewer.departments:
        q |= Q(department_id__in=viewer.departments)
        q |= Q(pk__in=WhistleParty.objects.filter(department_id__in=viewer.departments).values("whistle__case_id"))
    return q


def cases_for(user: AnyUser, viewer: Viewer | None = None) -> QuerySet[Case]:
    return Case.objects.filter(_visible_q(viewer or viewer_of(user)))


def access_case_by_id(user: AnyUser, case_id: int, viewer: Viewer | None = None) -> Case:
    case = cases_for(user, viewer).select_related("category", "department").filter(pk=case_id).first()
    if case is None:
        raise NotFound(case_id)
    return case


def access_case_by_number(user: AnyUser, number: str, viewer: Viewer | None = None) -> Case:
    case = cases_for(user, viewer).select_related("category", "department").filter(number=number).first()
    if case is None:
        raise NotFound(number)
    return case


def joint_departments(case: Case) -> dict[int, str]:
    """Department id → role in the case's whistle order (empty when no whistle was blown)."""
    return dict(WhistleParty.objects.filter(whistle__case_id=case.pk).values_list("department_id", "role"))


def parties_of(viewer: Viewer, case: Case) -> frozenset[Party]:
    parties: set[Party] = set()
    if viewer.user_id is None:
        return frozenset()
    if case.owner_code and viewer.scope(Cap.CASES_DISPATCH).covers(case.owner_code):
        parties.add(Party.DISPATCHER)
    if case.department_id is not None and case.department_id in viewer.departments:
        parties.add(Party.HANDLER)
    if case.assignee_code and viewer.field_handle.covers(case.assignee_code):
        parties.add(Party.HANDLER)
    if case.region_code:
        if viewer.scope(Cap.CASES_VERIFY).covers(case.region_code):
            parties.add(Party.VERIFIER)
        if viewer.scope(Cap.CASES_SUPERVISE).covers(case.region_code):
            parties.add(Party.SUPERVISOR)
        if viewer.scope(Cap.CASES_WHISTLE).covers(case.region_code):
            parties.add(Party.WHISTLER)
    if viewer.departments and set(joint_departments(case)) & viewer.departments:
        parties.add(Party.JOINT)
    if case.reporter_id is not None and case.reporter_id == viewer.user_id:
        parties.add(Party.REPORTER)
    return frozenset(parties)


def access_case_by_ticket(number: str, token: str) -> Case:
    """The resident's way in: ticket number plus the token printed with it; a wrong token is as missing."""
    case = Case.objects.select_related("category").filter(number=number).first()
    digest = hashlib.sha256(token.encode()).hexdigest()  # as actions.common.token_digest
    if case is None or not token or not hmac.compare_digest(case.token_digest, digest):
        raise NotFound(number)
    return case

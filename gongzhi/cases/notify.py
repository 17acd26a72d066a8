"""Who hears about a case, and the inbox rows they get; always called after the write has committed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from gongzhi.cases.models import Case, Notification
from gongzhi.core.capabilities import Cap, capabilities_of
from gongzhi.core.models import Membership, Role


def _roles_with(cap: str) -> list[str]:
    return [role for role in Role.values if cap in capabilities_of(role)]


def office_users(code: str, cap: str = Cap.CASES_DISPATCH) -> set[int]:
    """Users holding `cap` in exactly this office (the community, street or district with this code).

    Read through the per-process reference cache (routing): every intake notifies its office, and who
    sits in an office changes rarely; someone granted a role hears of new cases within a minute.
    """
    if not code:
        return set()
    from gongzhi.cases.routing import cached

    def load() -> frozenset[int]:
        return frozenset(
            Membership.objects.filter(
                role__in=_roles_with(cap), region__code=code, department__isnull=True
            ).values_list("user_id", flat=True)
        )

    return set(cached(f"office:{cap}:{code}", load))


def department_users(department_id: int | None) -> set[int]:
    if department_id is None:
        return set()
    return set(
        Membership.objects.filter(role=Role.DEPARTMENT_STAFF, department_id=department_id).values_list(
            "user_id", flat=True
        )
    )


def grid_users(grid_code: str) -> set[int]:
    return office_users(grid_code, Cap.CASES_HANDLE) if grid_code else set()


def handler_users(case: Case) -> set[int]:
    return department_users(case.department_id) | grid_users(case.assignee_code)


def send(user_ids: Iterable[int], case: Case | None, kind: str, message: str) -> int:
    rows = [Notification(user_id=uid, case=case, kind=kind, message=message[:300]) for uid in sorted(set(user_ids))]
    Notification.objects.bulk_create(rows)
    return len(rows)


def send_on_commit(user_ids: Iterable[int], case: Case, kind: str, message: str) -> None:
    """Recipients are computed now (inside the transaction); the rows are written once it commits."""
    recipients = sorted(set(user_ids))
    if recipients:
        transaction.on_commit(lambda: send(recipients, case, kind, message))

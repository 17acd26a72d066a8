"""项目清单 and 项目认领: a community defines a project; registered units claim its slots, deliver,
and the community confirms — which records the unit's service (volunteers.records).

Locks: the project row first, then the claim (parent before child). The slot count is checked under
the project's lock, so concurrent claims never exceed `slots`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.people.models import Unit
from gongzhi.regions.models import Region
from gongzhi.registrations.access import unit_registered_in, units_acted_for
from gongzhi.services.access import claims_for, projects_for
from gongzhi.services.actions.common import (
    Actor,
    authorise,
    category,
    community,
    db_user,
    hours_value,
    money,
    positive_int,
    reason,
    text,
)
from gongzhi.services.models import ACTIVE_CLAIM, ClaimStatus, Project, ProjectClaim, ProjectStatus
from gongzhi.volunteers.models import ServiceKind
from gongzhi.volunteers.records import do_record_service

PROJECT_FIELDS = ("category", "title", "goal", "starts_on", "ends_on", "slots", "budget")

PROJECT_MOVES: dict[str, frozenset[str]] = {
    ProjectStatus.DRAFT: frozenset({ProjectStatus.PUBLISHED}),
    ProjectStatus.PUBLISHED: frozenset({ProjectStatus.CLOSED, ProjectStatus.DONE}),
    ProjectStatus.CLOSED: frozenset({ProjectStatus.PUBLISHED, ProjectStatus.DONE}),
    ProjectStatus.DONE: frozenset(),
}


def _state(p: Project) -> dict[str, Any]:
    return {
        "title": p.title,
        "category": p.category.code if p.category is not None else "",
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "slots": p.slots,
        "budget": str(p.budget),
        "status": p.status,
    }


def _date(value: object, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError.single(field, "invalid", _("Enter a valid date.")) from None


def _apply(project: Project, data: Mapping[str, Any]) -> None:
    if "category" in data:
        project.category = category(data["category"]) if data["category"] else None
    if "title" in data:
        project.title = text(data["title"], "title", 100, required=True)
    if "goal" in data:
        project.goal = text(data["goal"], "goal", 2000, required=True)
    if "starts_on" in data:
        project.starts_on = _date(data["starts_on"], "starts_on")
    if "ends_on" in data:
        project.ends_on = _date(data["ends_on"], "ends_on")
    if "slots" in data:
        project.slots = positive_int(data["slots"], "slots", maximum=1000)
    if "budget" in data:
        project.budget = money(data["budget"], "budget")
    if project.ends_on < project.starts_on:
        raise DomainError.single("ends_on", "before_start", _("The project cannot end before it starts."))


def active_claims(project: Project) -> int:
    return ProjectClaim.objects.filter(ACTIVE_CLAIM, project=project).count()


@transaction.atomic
def do_create_project(
    *,
    actor: Actor,
    community_region: Region | None,
    title: str,
    goal: str,
    starts_on: dt.date,
    ends_on: dt.date,
    slots: int = 1,
    budget: Decimal | str = Decimal("0"),
    category_code: str = "",
) -> Project:
    where = community(community_region)
    authorise(actor, where.code, act=Cap.SERVICES_MANAGE)
    project = Project(community=where, region_code=where.code, created_by=db_user(actor))
    _apply(
        project,
        {
            "title": title,
            "goal": goal,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "slots": slots,
            "budget": budget,
            "category": category_code,
        },
    )
    project.save()
    audit.record(actor=actor, action="services.project.create", obj=project, changes=_state(project))
    return project


def _lock_project(actor: Actor, project_id: int) -> Project:
    if not projects_for(actor).filter(pk=project_id).exists():
        raise NotFound(project_id)
    return Project.objects.select_for_update(of=("self",)).select_related("category", "community").get(pk=project_id)


@transaction.atomic
def do_update_project(*, actor: Actor, project_id: int, data: Mapping[str, Any]) -> Project:
    project = _lock_project(actor, project_id)
    authorise(actor, project.region_code, act=Cap.SERVICES_MANAGE)
    unknown = set(data) - set(PROJECT_FIELDS)
    if unknown:
        raise DomainError.single(sorted(unknown)[0], "not_editable", _("This field cannot be changed."))
    if project.status == ProjectStatus.DONE:
        raise DomainError.single("status", "finished", _("This project is done and can no longer be changed."))
    before = _state(project)
    _apply(project, data)
    if project.slots < active_claims(project):
        raise DomainError.single("slots", "below_claims", _("More units have already claimed it than that."))
    project.save()
    audit.record(
        actor=actor, action="services.project.update", obj=project, changes=audit.diff(before, _state(project))
    )
    return project


@transaction.atomic
def do_set_project_status(*, actor: Actor, project_id: int, status: str) -> Project:
    """Publish (open for claims), close claims, reopen, or mark done (no claim left undelivered)."""
    project = _lock_project(actor, project_id)
    authorise(actor, project.region_code, act=Cap.SERVICES_MANAGE)
    if status not in PROJECT_MOVES.get(project.status, frozenset()):
        raise Conflict.single(
            "status",
            "conflict",
            _("The project is now “%(s)s”; reload it and try again.") % {"s": project.get_status_display()},
        )
    pending = ProjectClaim.objects.filter(project=project, status__in=(ClaimStatus.CLAIMED, ClaimStatus.DELIVERED))
    if status == ProjectStatus.DONE and pending.exists():
        raise DomainError.single("status", "claims_pending", _("Some claims are not delivered and confirmed yet."))
    before = project.status
    project.status = status
    project.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="services.project.status", obj=project, changes={"status": [before, status]})
    return project


# ── claims (项目认领) ──────────────────────────────────────────────────────────────────────────────


def _acts_for(actor: Actor, unit_id: int) -> bool:
    return units_acted_for(actor).filter(pk=unit_id).exists()


@transaction.atomic
def do_claim_project(*, actor: Actor, project_id: int, unit: Unit, plan: str = "") -> ProjectClaim:
    """A unit's liaison claims one slot for the unit; never more claims than slots, one per unit."""
    project = _lock_project(actor, project_id)
    if not _acts_for(actor, unit.pk) or not unit_registered_in(unit, project.community_id):
        raise PermissionDenied("services.claim")
    plan = text(plan, "plan", 300)
    if project.status != ProjectStatus.PUBLISHED:
        raise Conflict.single("project", "not_open", _("This project is not open for claims."))
    if timezone.localdate() > project.ends_on:
        raise DomainError.single("project", "ended", _("This project has ended."))
    if ProjectClaim.objects.filter(ACTIVE_CLAIM, project=project, unit=unit).exists():
        raise DomainError.single("unit", "already_claimed", _("Your unit has already claimed this project."))
    if active_claims(project) >= project.slots:
        raise Conflict.single("project", "full", _("Every slot of this project has been claimed."))
    try:
        with transaction.atomic():
            claim = ProjectClaim.objects.create(project=project, unit=unit, claimed_by=db_user(actor), plan=plan)
    except IntegrityError:
        raise DomainError.single("unit", "already_claimed", _("Your unit has already claimed this project.")) from None
    audit.record(
        actor=actor, action="services.project.claim", obj=claim, changes={"project": project.pk, "unit": unit.pk}
    )
    return claim


def _lock_claim(actor: Actor, claim_id: int) -> tuple[Project, ProjectClaim]:
    row = claims_for(actor).filter(pk=claim_id).values_list("project_id", flat=True).first()
    if row is None:
        raise NotFound(claim_id)
    project = Project.objects.select_for_update(of=("self",)).select_related("community").get(pk=row)
    claim = ProjectClaim.objects.select_for_update(of=("self",)).select_related("unit").get(pk=claim_id)
    return project, claim


def _moved_on(claim: ProjectClaim) -> DomainError:
    return Conflict.single(
        "status", "conflict", _("The claim is now “%(s)s”; reload and try again.") % {"s": claim.get_status_display()}
    )


@transaction.atomic
def do_withdraw_project_claim(*, actor: Actor, claim_id: int, reason_text: str) -> ProjectClaim:
    _project, claim = _lock_claim(actor, claim_id)
    if not _acts_for(actor, claim.unit_id):
        raise PermissionDenied("services.claim")
    why = reason(reason_text)
    if claim.status != ClaimStatus.CLAIMED:
        raise _moved_on(claim)
    claim.status = ClaimStatus.WITHDRAWN
    claim.withdrawn_at = timezone.now()
    claim.reason = why
    claim.save()
    audit.record(
        actor=actor,
        action="services.project.withdraw",
        obj=claim,
        changes={"status": [ClaimStatus.CLAIMED, ClaimStatus.WITHDRAWN], "reason": why},
    )
    return claim


@transaction.atomic
def do_deliver_project(*, actor: Actor, claim_id: int, evidence: str) -> ProjectClaim:
    """The unit reports what it delivered; the community then confirms it."""
    _project, claim = _lock_claim(actor, claim_id)
    if not _acts_for(actor, claim.unit_id):
        raise PermissionDenied("services.claim")
    what = text(evidence, "evidence", 2000, required=True)
    if claim.status != ClaimStatus.CLAIMED:
        raise _moved_on(claim)
    claim.status = ClaimStatus.DELIVERED
    claim.delivered_at = timezone.now()
    claim.evidence = what
    claim.save()
    audit.record(
        actor=actor,
        action="services.project.deliver",
        obj=claim,
        changes={"status": [ClaimStatus.CLAIMED, ClaimStatus.DELIVERED]},
    )
    return claim


@transaction.atomic
def do_confirm_project_delivery(*, actor: Actor, claim_id: int, hours: Decimal | str | None = None) -> ProjectClaim:
    """The community confirms a delivery: the unit's service is recorded once (kind PROJECT)."""
    project, claim = _lock_claim(actor, claim_id)
    authorise(actor, project.region_code, act=Cap.SERVICES_MANAGE)
    served_hours = hours_value(hours) if hours not in (None, "") else Decimal("0")
    if claim.status != ClaimStatus.DELIVERED:
        raise _moved_on(claim)
    at = timezone.now()
    claim.status = ClaimStatus.CONFIRMED
    claim.confirmed_at = at
    claim.save()
    delivered = claim.delivered_at or at
    do_record_service(
        actor=actor,
        kind=ServiceKind.PROJECT,
        source_id=claim.pk,
        unit=claim.unit,
        community=project.community,
        served_on=timezone.localdate(delivered),
        summary=project.title,
        hours=served_hours,
    )
    audit.record(
        actor=actor,
        action="services.project.confirm",
        obj=claim,
        changes={"status": [ClaimStatus.DELIVERED, ClaimStatus.CONFIRMED], "hours": str(served_hours)},
    )
    return claim

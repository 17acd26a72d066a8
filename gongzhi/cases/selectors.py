"""Every read of cases, already limited to what the user may see; the work lists of each party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.cases.access import Viewer, cases_for, viewer_of
from gongzhi.cases.models import OPEN_STATUSES, Case, CaseEvent, CasePhoto, Category, Notification, Status, Whistle
from gongzhi.core.access import AnyUser
from gongzhi.core.capabilities import Cap

# What waits for the office in charge: new reports, registered ones to dispatch, returns and reworks.
DISPATCH_WAITING = (Status.PENDING, Status.REGISTERED, Status.RETURNED, Status.REWORK)
HANDLER_WAITING = (Status.DISPATCHED, Status.SIGNED, Status.HANDLING, Status.REWORK, Status.SUSPENDED)
_DEADLINE_STATUSES = (
    Status.REGISTERED,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.RETURNED,
    Status.HANDLING,
    Status.REWORK,
)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str = ""
    category: str = ""  # a code: a leaf, or a class / family to take all below it
    region: str = ""  # a region code prefix (street, community, grid)
    channel: str = ""
    overdue: bool = False
    text: str = ""  # ticket number or words of the title


def apply_filter(qs: QuerySet[Case], f: CaseFilter) -> QuerySet[Case]:
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code__startswith=f.category)
    if f.region:
        qs = qs.filter(region_code__startswith=f.region)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue:
        qs = qs.filter(is_overdue=True, status__in=OPEN_STATUSES)
    if f.text:
        text = f.text.strip()
        qs = qs.filter(Q(number=text) | Q(title__icontains=text))
    return qs


def dispatch_queue(user: AnyUser, f: CaseFilter | None = None, viewer: Viewer | None = None) -> QuerySet[Case]:
    """The dispatcher's queue: cases whose office in charge is within the user's dispatch scope."""
    viewer = viewer or viewer_of(user)
    scope = viewer.scope(Cap.CASES_DISPATCH)
    qs = cases_for(user, viewer).filter(scope.q("owner_code"))
    qs = qs.filter(status__in=DISPATCH_WAITING) if f is None or not f.status else qs
    return (
        apply_filter(qs, f or CaseFilter())
        .select_related("category", "department")
        .order_by("-supervised", "handle_due", "created_at")
    )


def department_inbox(user: AnyUser, viewer: Viewer | None = None) -> QuerySet[Case]:
    viewer = viewer or viewer_of(user)
    if not viewer.departments:
        return Case.objects.none()
    joint = Whistle.objects.filter(parties__department_id__in=viewer.departments).values("case_id")
    return (
        Case.objects.filter(Q(department_id__in=viewer.departments) | Q(pk__in=joint))
        .filter(status__in=HANDLER_WAITING)
        .select_related("category", "department")
        .order_by("-supervised", "handle_due", "created_at")
    )


def field_tasks(user: AnyUser, viewer: Viewer | None = None) -> QuerySet[Case]:
    """A grid worker's phone list: cases given to their grid to handle, and results to verify there."""
    viewer = viewer or viewer_of(user)
    to_handle = viewer.field_handle.q("assignee_code") & Q(status__in=HANDLER_WAITING)
    to_verify = viewer.scope(Cap.CASES_VERIFY).q("region_code") & Q(status=Status.VERIFYING)
    return (
        cases_for(user, viewer)
        .filter(to_handle | to_verify)
        .select_related("category")
        .order_by("status", "handle_due", "created_at")
    )


def open_cases_on_map(user: AnyUser, limit: int = 2000) -> QuerySet[Case]:
    return (
        cases_for(user)
        .filter(status__in=OPEN_STATUSES, lon__isnull=False)
        .only("pk", "number", "title", "status", "lon", "lat", "is_overdue", "category__name")
        .select_related("category")
        .order_by("-created_at")[:limit]
    )


def timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("occurred_at", "id")


def photos(case: Case) -> QuerySet[CasePhoto]:
    return case.photos.order_by("uploaded_at", "id")


def notifications_for(user: AnyUser, unread_only: bool = False) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=user.pk).select_related("case")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: AnyUser) -> int:
    return notifications_for(user, unread_only=True).count()


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(depth=3, is_active=True).select_related("parent__parent").order_by("code")


def search_categories(text: str, limit: int = 20) -> QuerySet[Category]:
    """For the resident's category search: by name of the leaf or of its class."""
    text = (text or "").strip()
    qs = leaf_categories()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(parent__name__icontains=text))
    return qs[:limit]


def due_for_sweep(now: dt.datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return Case.objects.filter(status__in=_DEADLINE_STATUSES, handle_due__isnull=False, closed_at__isnull=True)

"""The case page: everything about one case, and a form for exactly what the viewer may do to it now.

`workflow.available(status, parties_of(viewer, case))` decides which forms are drawn; each posts to
`/cases/<number>/act/<action>/`, which checks the same table before parsing anything (403 when the
viewer is no party to the action), lets the action decide, and comes back to the page with a
message — or with the form and the action's reasons next to its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases import selectors
from gongzhi.cases.access import Viewer, access_case_by_number, parties_of, viewer_of
from gongzhi.cases.actions import transitions as t
from gongzhi.cases.actions.common import Actor
from gongzhi.cases.actions.privacy import may_reveal
from gongzhi.cases.forms import (
    AcceptForm,
    AssignDownForm,
    CaseActionForm,
    DecideForm,
    DispatchForm,
    EmptyForm,
    ExtendForm,
    FinishForm,
    MergeForm,
    NoteForm,
    PartForm,
    ReasonForm,
    StaffRateForm,
    SuperviseForm,
    VerifyFailForm,
    VerifyForm,
    WhistleForm,
    apply_errors,
)
from gongzhi.cases.models import Case, Category, PartyRole, PhotoStage, RequestKind, RequestStatus
from gongzhi.cases.views.common import event_label, region_names, require_any, safe_next
from gongzhi.cases.workflow import BY_ACTION, Action, Party, available
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import Conflict, DomainError, NotFound
from gongzhi.people.models import Department
from gongzhi.regions.models import Region
from gongzhi.web import maps
from gongzhi.web.shortcuts import get_or_404

if TYPE_CHECKING:  # a development-only package: annotations only
    from django_stubs_ext import StrOrPromise

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Spec:
    form: type[CaseActionForm]
    run: Callable[[Actor, Case, Data], object]
    done: StrOrPromise
    style: str = ""  # "primary" for the usual next step, "danger" for a refusal


def _department_id(value: str) -> int | None:
    return int(value) if value else None


SPECS: dict[Action, Spec] = {
    Action.ACCEPT: Spec(
        AcceptForm,
        lambda a, c, d: t.do_accept_case(actor=a, case_id=c.pk, category_code=d["category"], note=d["note"]),
        gettext_lazy("The case has been registered."),
        "primary",
    ),
    Action.REJECT: Spec(
        ReasonForm,
        lambda a, c, d: t.do_reject_case(actor=a, case_id=c.pk, reason=d["reason"]),
        gettext_lazy("The case has not been registered."),
        "danger",
    ),
    Action.MERGE: Spec(
        MergeForm,
        lambda a, c, d: t.do_merge_case(actor=a, case_id=c.pk, into_number=d["into"]),
        gettext_lazy("The case has been merged."),
    ),
    Action.ESCALATE: Spec(
        ReasonForm,
        lambda a, c, d: t.do_escalate_case(actor=a, case_id=c.pk, reason=d["reason"]),
        gettext_lazy("The case has been reported to the level above."),
    ),
    Action.ASSIGN_DOWN: Spec(
        AssignDownForm,
        lambda a, c, d: t.do_assign_down_case(actor=a, case_id=c.pk, to_code=d["to"], note=d["note"]),
        gettext_lazy("The case has been handed down."),
    ),
    Action.DISPATCH: Spec(
        DispatchForm,
        lambda a, c, d: t.do_dispatch_case(
            actor=a,
            case_id=c.pk,
            department_id=_department_id(d["department"]),
            grid_code=d["grid"] if not d["department"] else "",
            note=d["note"],
        ),
        gettext_lazy("The case has been dispatched."),
        "primary",
    ),
    Action.WHISTLE: Spec(
        WhistleForm,
        lambda a, c, d: t.do_blow_whistle(
            actor=a,
            case_id=c.pk,
            lead_department_id=int(d["lead"]),
            assisting_ids=[int(i) for i in d["assisting"]],
            notified_ids=[int(i) for i in d["notified"]],
            report_in_hours=d["report_in_hours"],
            note=d["note"],
        ),
        gettext_lazy("The whistle has been blown; the departments have been summoned."),
    ),
    Action.SIGN: Spec(
        EmptyForm, lambda a, c, d: t.do_sign_case(actor=a, case_id=c.pk), gettext_lazy("Signed for."), "primary"
    ),
    Action.RETURN: Spec(
        ReasonForm,
        lambda a, c, d: t.do_return_case(actor=a, case_id=c.pk, reason=d["reason"]),
        gettext_lazy("The case has been returned."),
        "danger",
    ),
    Action.START: Spec(
        NoteForm,
        lambda a, c, d: t.do_start_case(actor=a, case_id=c.pk, note=d["note"]),
        gettext_lazy("Handling has started."),
        "primary",
    ),
    Action.FINISH: Spec(
        FinishForm,
        lambda a, c, d: t.do_finish_case(
            actor=a, case_id=c.pk, result=d["result"], resolution=d["resolution"], photos=d["photos"]
        ),
        gettext_lazy("The result has been reported; the case goes to verification."),
        "primary",
    ),
    Action.VERIFY_PASS: Spec(
        VerifyForm,
        lambda a, c, d: t.do_verify_case(actor=a, case_id=c.pk, passed=True, note=d["note"], photos=d["photos"]),
        gettext_lazy("Verified: the case is closed."),
        "primary",
    ),
    Action.VERIFY_FAIL: Spec(
        VerifyFailForm,
        lambda a, c, d: t.do_verify_case(actor=a, case_id=c.pk, passed=False, note=d["note"], photos=d["photos"]),
        gettext_lazy("Not fixed: the case goes back for rework."),
        "danger",
    ),
    Action.RATE: Spec(
        StaffRateForm,
        lambda a, c, d: t.do_rate_case(actor=a, case_id=c.pk, rating=d["rating"], comment=d["comment"]),
        gettext_lazy("Thank you for your rating."),
    ),
    Action.REQUEST_SUSPEND: Spec(
        ReasonForm,
        lambda a, c, d: t.do_request_change(actor=a, case_id=c.pk, kind=RequestKind.SUSPEND, reason=d["reason"]),
        gettext_lazy("The request has been sent for a decision."),
    ),
    Action.REQUEST_EXTEND: Spec(
        ExtendForm,
        lambda a, c, d: t.do_request_change(
            actor=a, case_id=c.pk, kind=RequestKind.EXTEND, reason=d["reason"], days=d["days"]
        ),
        gettext_lazy("The request has been sent for a decision."),
    ),
    Action.DECIDE_REQUEST: Spec(
        DecideForm,
        lambda a, c, d: t.do_decide_request(
            actor=a, request_id=d["request_id"], approve=d["decision"] == "approve", note=d["note"]
        ),
        gettext_lazy("The request has been decided."),
    ),
    Action.RESUME: Spec(
        EmptyForm, lambda a, c, d: t.do_resume_case(actor=a, case_id=c.pk), gettext_lazy("The case has resumed.")
    ),
    Action.SUPERVISE: Spec(
        SuperviseForm,
        lambda a, c, d: t.do_supervise_case(actor=a, case_id=c.pk, note=d["note"]),
        gettext_lazy("The case is under supervision."),
    ),
    Action.REPORT_IN: Spec(
        EmptyForm,
        lambda a, c, d: t.do_report_in(actor=a, case_id=c.pk),
        gettext_lazy("Your department has reported in."),
        "primary",
    ),
    Action.SUBMIT_PART: Spec(
        PartForm,
        lambda a, c, d: t.do_submit_part(actor=a, case_id=c.pk, text=d["text"]),
        gettext_lazy("Your part has been submitted."),
    ),
}


def conflict_message(error: DomainError) -> str:
    return _("The case has been handled by someone else in the meantime: %(detail)s") % {
        "detail": "；".join(i.message for i in error.items)
    }


def run_action(request: HttpRequest, case: Case, action: Action, form: CaseActionForm) -> tuple[bool, CaseActionForm]:
    """Validate and run; True when it went through (a success or conflict message is queued)."""
    spec = SPECS[action]
    if action == Action.DECIDE_REQUEST and form.is_valid():
        pending = case.requests.filter(status=RequestStatus.PENDING).values_list("pk", flat=True)
        if form.cleaned_data["request_id"] not in set(pending):
            messages.warning(request, _("This request has already been decided."))
            return True, form
    if not form.is_valid():
        return False, form
    try:
        spec.run(Actor.of(request.user), case, form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except Conflict as error:
        messages.warning(request, conflict_message(error))
        return True, form
    except DomainError as error:
        apply_errors(form, error, form.aliases)
        return False, form
    messages.success(request, str(spec.done))
    return True, form


def _my_party(viewer: Viewer, case: Case) -> Any:
    whistle = getattr(case, "whistle", None)
    if whistle is None or not viewer.departments:
        return None
    return (
        whistle.parties.filter(department_id__in=viewer.departments)
        .select_related("department")
        .order_by("role")
        .first()
    )


def _panels(
    case: Case, viewer: Viewer, parties: frozenset[Party], bound: tuple[Action, CaseActionForm] | None
) -> list[dict[str, Any]]:
    """One entry per action the viewer may take now (the workflow table decides), with its form."""
    mine = _my_party(viewer, case)
    pending = list(case.requests.filter(status=RequestStatus.PENDING).select_related("requested_by"))
    panels: list[dict[str, Any]] = []
    for transition in available(case.status, parties):
        action = Action(transition.action)
        spec = SPECS.get(action)
        if spec is None:
            continue  # automatic steps (send to verification) and intake-only ones (close on the spot)
        if action == Action.REPORT_IN and (mine is None or mine.reported_in_at is not None):
            continue
        if action == Action.SUBMIT_PART and (
            mine is None or mine.reported_in_at is None or mine.role == PartyRole.NOTIFY
        ):
            continue
        if action == Action.ASSIGN_DOWN and len(case.owner_code) not in (6, 9):
            continue  # a community has no office below it to hand down to
        if action == Action.RATE and case.rated_at is not None and case.closed_at and case.rated_at >= case.closed_at:
            continue
        base = {
            "action": action.value,
            "label": transition.label,
            "style": spec.style,
            "url": reverse("cases:act", args=[case.number, action.value]),
            "multipart": spec.form in (FinishForm, VerifyForm, VerifyFailForm),
        }
        if action == Action.DECIDE_REQUEST:
            for req in pending:
                form: CaseActionForm = spec.form(case=case, prefix=action.value, initial={"request_id": req.pk})
                if (
                    bound is not None
                    and bound[0] == action
                    and bound[1].data.get("decide_request-request_id") == str(req.pk)
                ):
                    form = bound[1]
                panels.append({**base, "form": form, "request": req})
            continue
        form = bound[1] if bound is not None and bound[0] == action else spec.form(case=case, prefix=action.value)
        panels.append({**base, "form": form, "open": bound is not None and bound[0] == action})
    return panels


def _map_data(case: Case) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    region = Region.objects.filter(code=case.region_code).first() if case.region_code else None
    if region is not None and region.geometry:
        features.append(maps.region_feature(region, "self", maps.tolerance_for(region)))
    if case.lon is not None and case.lat is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
                "properties": {"role": "case", "kind": "pending", "name": case.title, "number": case.number},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _suggestions(case: Case) -> list[dict[str, Any]]:
    pairs = [
        (str(p[0]), float(p[1])) for p in (case.suggestions or [])[:3] if isinstance(p, list | tuple) and len(p) == 2
    ]
    names = dict(Category.objects.filter(code__in=[c for c, _p in pairs]).values_list("code", "name"))
    return [{"code": code, "name": names.get(code, ""), "confidence": p} for code, p in pairs]


def render_detail(
    request: HttpRequest,
    case: Case,
    viewer: Viewer,
    bound: tuple[Action, CaseActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    parties = parties_of(viewer, case)
    photos = list(selectors.photos(case))
    events = [
        {"event": e, "label": event_label(e.action), "to_status": e.get_to_status_display()}
        for e in selectors.timeline(case)
    ]
    whistle = getattr(case, "whistle", None)
    offices = region_names([case.region_code, case.owner_code, case.assignee_code])
    context: dict[str, Any] = {
        "case": case,
        "parties": sorted(parties),
        "panels": _panels(case, viewer, parties, bound),
        "events": events,
        "photos": {
            stage: [p for p in photos if p.stage == stage]
            for stage in PhotoStage.values
            if any(p.stage == stage for p in photos)
        },
        "stage_labels": dict(PhotoStage.choices),
        "whistle": whistle,
        "whistle_parties": list(whistle.parties.select_related("department")) if whistle is not None else [],
        "requests": list(case.requests.select_related("requested_by", "decided_by")),
        "suggestions": _suggestions(case),
        "suggested_department": (
            Department.objects.filter(pk=case.suggested_department_id).values_list("name", flat=True).first()
            if case.suggested_department_id
            else None
        ),
        "offices": offices,
        "map_data": _map_data(case),
        "merged_in": list(case.duplicates.only("number", "title")),
    }
    context["can_merge"] = any(p["action"] == Action.MERGE for p in context["panels"])
    context["can_reveal"] = may_reveal(parties)
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    viewer = viewer_of(user)
    case = get_or_404(access_case_by_number, user, number, viewer)
    return render_detail(request, case, viewer)


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = request.user
    require_any(user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in SPECS:
        raise Http404
    viewer = viewer_of(user)
    case = get_or_404(access_case_by_number, user, number, viewer)
    transition = BY_ACTION[act]
    if not transition.parties & parties_of(viewer, case):
        raise PermissionDenied(action)
    detail = reverse("cases:detail", args=[case.number])
    if case.status not in transition.sources:
        messages.warning(
            request,
            conflict_message(
                Conflict.single(
                    "status",
                    "conflict",
                    _("The case is now “%(status)s”, so “%(action)s” is no longer possible.")
                    % {"status": case.get_status_display(), "action": transition.label},
                )
            ),
        )
        return redirect(detail)
    form = SPECS[act].form(request.POST, request.FILES, case=case, prefix=act.value)
    went_through, form = run_action(request, case, act, form)
    if went_through:
        return redirect(safe_next(request, detail))
    return render_detail(request, case, viewer, bound=(act, form))


@login_required
@require_GET
def case_photo(request: HttpRequest, number: str, photo_id: int) -> FileResponse:
    """A photo of a case the user may see; never a public media URL."""
    user = request.user
    require_any(user, Cap.CASES_VIEW, Cap.CASES_HANDLE)
    case = get_or_404(access_case_by_number, user, number)
    photo = selectors.photos(case).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_response(photo)


def photo_response(photo: Any) -> FileResponse:
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

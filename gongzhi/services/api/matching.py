"""/api/v1/services/campaign/: a matching campaign's proposal as JSON, and its invitations sent on demand.

Order of checks: not signed in or without `services.manage` → 403; the region is not a street or
community within that scope → 404; an invalid body → 400. `dry_run` (default true) only computes;
false also sends the proposal's invitations (wishes.actions.do_send_invitations, once a day per
volunteer and wish) and answers what was sent.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.access import has_capability
from gongzhi.core.api.schema import error_responses
from gongzhi.core.capabilities import Cap
from gongzhi.services.campaign import Proposal, Row, access_campaign_region, propose
from gongzhi.wishes.actions import Actor, do_send_invitations


class CampaignInputSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=15, help_text="A street's or community's code within your scope.")
    date = serializers.DateField(required=False, help_text="The service day; today when left out.")
    dry_run = serializers.BooleanField(default=True, help_text="false: also send the proposed invitations.")


class CampaignRowSerializer(serializers.Serializer[Any]):
    wish = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    community = serializers.CharField()
    volunteer = serializers.IntegerField(allow_null=True)
    volunteer_name = serializers.CharField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    km = serializers.FloatField(allow_null=True)
    reason = serializers.CharField(help_text="Why unassigned: no_candidate or capacity; empty when assigned.")
    reason_text = serializers.CharField()
    candidates = serializers.IntegerField()
    invited_today = serializers.BooleanField()


class CampaignInvitationsSerializer(serializers.Serializer[Any]):
    sent = serializers.IntegerField()
    already = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.DictField())


class CampaignSerializer(serializers.Serializer[Any]):
    region = serializers.CharField()
    region_name = serializers.CharField()
    date = serializers.DateField()
    wishes = serializers.IntegerField()
    assigned = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    total_score = serializers.IntegerField()
    volunteers = serializers.IntegerField()
    solve_seconds = serializers.FloatField()
    truncated = serializers.BooleanField()
    rows = CampaignRowSerializer(many=True)
    invitations = CampaignInvitationsSerializer(allow_null=True)


def _row(r: Row) -> dict[str, Any]:
    return {
        "wish": r.wish.number,
        "title": r.wish.title,
        "category": r.wish.category.code,
        "community": r.wish.community.code,
        "volunteer": r.volunteer.pk if r.volunteer is not None else None,
        "volunteer_name": r.volunteer.person.name if r.volunteer is not None else None,
        "score": r.score,
        "km": None if r.km is None else round(r.km, 2),
        "reason": r.reason,
        "reason_text": r.reason_text,
        "candidates": r.candidates,
        "invited_today": r.invited_today,
    }


def proposal_data(p: Proposal) -> dict[str, Any]:
    return {
        "region": p.region.code,
        "region_name": p.region.name,
        "date": p.on,
        "wishes": len(p.rows),
        "assigned": len(p.assigned),
        "unassigned": len(p.unassigned),
        "total_score": p.total_score,
        "volunteers": p.volunteers,
        "solve_seconds": round(p.seconds, 4),
        "truncated": p.truncated,
        "rows": [_row(r) for r in p.rows],
        "invitations": None,
    }


class CampaignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Propose (and optionally send) a matching campaign",
        description="The open micro-wishes of a street or community assigned at once to the volunteers who may claim "
        "them, optimally under their capacities (as many served as possible, then the largest total score). "
        "`services.manage` over the region. With `dry_run: false` the proposed invitations are sent too.",
        request=CampaignInputSerializer,
        responses={200: CampaignSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        if not has_capability(request.user, Cap.SERVICES_MANAGE):
            raise PermissionDenied(Cap.SERVICES_MANAGE)
        body = CampaignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        region = access_campaign_region(request.user, data["region"])
        proposal = propose(region, data.get("date") or timezone.localdate())
        answer = proposal_data(proposal)
        if not data["dry_run"]:
            batch = do_send_invitations(actor=Actor.of(request.user), pairs=proposal.pairs)
            answer["invitations"] = {
                "sent": len(batch.sent),
                "already": len(batch.already),
                "skipped": [{"wish": w, "volunteer": v, "reason": reason} for w, v, reason in batch.skipped],
            }
        return Response(answer)

"""Roles and the audit trail in the Django admin.

The audit trail is append-only, so its admin can only look. Role grants are editable — the security
administrator's daily work — and every grant, change and revocation is written to the audit trail
like any other write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from gongzhi.core import audit
from gongzhi.core.models import AuditEvent, Membership


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("occurred_at", "actor", "action", "object_type", "object_repr", "source", "request_id")
    list_filter = ("source", "object_type")
    search_fields = ("action", "object_id", "object_repr", "request_id", "actor__username")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    show_full_result_count = False  # the trail grows without bound; COUNT(*) on every page would too

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _membership_state(m: Membership) -> dict[str, Any]:
    return {"user": m.user.get_username(), "role": m.role, "region": m.region.code if m.region else None}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "region")
    list_filter = ("role",)
    search_fields = ("user__username", "^region__code", "region__name")
    list_select_related = ("user", "region")
    autocomplete_fields = ("user", "region")

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool) -> None:
        before = _membership_state(Membership.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = _membership_state(obj)
        action = "membership.update" if change else "membership.create"
        audit.record(actor=request.user, action=action, obj=obj, changes=audit.diff(before, after))

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        with transaction.atomic():
            audit.record(actor=request.user, action="membership.delete", obj=obj, changes=_membership_state(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "region"):
                audit.record(
                    actor=request.user,
                    action="membership.delete",
                    obj=membership,
                    changes=_membership_state(membership),
                )
            super().delete_queryset(request, queryset)

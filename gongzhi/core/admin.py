"""Roles and the audit trail in the Django admin.

The audit trail is append-only, so its admin can only look. Role grants and revocations go through
core.actions, like on the security administrator's account pages (/accounts/manage/): the same
三员分立 rules, the same audit events.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from gongzhi.core import actions
from gongzhi.core.access import has_capability
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEvent, Membership


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("occurred_at", "actor", "action", "object_type", "object_repr", "source", "request_id")
    list_filter = ("source", "object_type")
    search_fields = ("action", "object_id", "object_repr", "request_id", "actor__username")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    show_full_result_count = False  # the trail grows without bound; COUNT(*) on every page would too

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Cap.AUDIT_VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # 三员分立: only the audit administrator reads the trail, superuser flag or not.
        return has_capability(request.user, Cap.AUDIT_VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Runs the same rules as the account pages (三员分立 and placement) before anything is saved."""

    actor: Any = None

    class Meta:
        model = Membership
        fields = ("user", "role", "region", "department", "title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("user") is None:
            return data
        try:
            actions.check_grant(
                actor=self.actor,
                user=data["user"],
                role=data.get("role", ""),
                region=data.get("region"),
                department=data.get("department"),
                title=data.get("title", ""),
            )
        except DomainError as exc:
            for item in exc.items:
                self.add_error(item.field if item.field in self.fields else None, item.message)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Grants and revocations through core.actions, so they are checked and audited like on the
    account pages. A grant is not edited in place: revoke it and grant the new one."""

    form = MembershipAdminForm
    list_display = ("user", "role", "region", "department", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "^region__code", "region__name")
    list_select_related = ("user", "region", "department")
    # A plain id box for the user: the user admin is withdrawn (accounts live on /accounts/manage/).
    raw_id_fields = ("user",)
    autocomplete_fields = ("region",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        membership = actions.do_grant_role(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            region=obj.region,
            department=obj.department,
            title=obj.title,
        )
        obj.pk = membership.pk
        obj.region = membership.region

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        actions.do_revoke_role(actor=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user"):
                actions.do_revoke_role(actor=request.user, membership=membership)


# Accounts are managed on the security administrator's pages (/accounts/manage/), through audited
# actions that enforce 三员分立; Django's own user admin would bypass both.
admin.site.unregister(User)

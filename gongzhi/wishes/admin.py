"""The wish limits are edited in the admin until a settings page exists (wishes are changed by actions only)."""

from django.contrib import admin

from gongzhi.wishes.models import WishSettings


@admin.register(WishSettings)
class WishSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("claim_days", "escalate_after_hours", "expire_after_days", "hours_per_wish", "notify_top")

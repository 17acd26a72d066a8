"""微心愿 and the red-rope board (为民红绳): a resident's small wish, claimed by one party member or unit.

A `Wish` is posted by a resident on the H5 page (no sign-in; a ticket number and a secret token, of
which only the digest is stored) or by a grid worker for a resident. The board shows it with the
resident's name masked and never a door number. Exactly one claimant — a volunteer or a unit, never
both — is enforced by a check constraint and, under concurrent claims, by the claim action's row
lock. `WishEvent` is the append-only timeline; `WishSettings` the one row of tunable limits.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Person, Unit
from gongzhi.regions.models import Building, Region
from gongzhi.services.models import NeedCategory
from gongzhi.volunteers.models import Volunteer


class WishStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a claim")  # 待认领
    CLAIMED = "claimed", _("Claimed")  # 已认领
    FULFILLED = "fulfilled", _("Fulfilled, awaiting confirmation")  # 待确认
    CONFIRMED = "confirmed", _("Completed")  # 已完成
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销
    EXPIRED = "expired", _("Expired")  # 已过期


CLAIMED_STATES = (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)
LIVE_STATES = (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED)


class BoardLevel(models.TextChoices):
    COMMUNITY = "community", _("Community board")
    STREET = "street", _("Street board")  # escalated: unclaimed too long


class WishChannel(models.TextChoices):
    H5 = "h5", _("Resident phone page")
    STAFF = "staff", _("Posted by staff")
    API = "api", _("API")


class Wish(models.Model):
    number = models.CharField(_("wish number"), max_length=20, unique=True)
    token_digest = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=WishChannel.choices)
    source = models.CharField(max_length=64, blank=True)  # "web" for H5, "user:<pk>" for staff
    client_key = models.CharField(max_length=100, blank=True)

    title = models.CharField(_("title"), max_length=60)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("category")
    )
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    # The most precise code known: the grid's when the home or building is known, else the community's.
    region_code = models.CharField(_("area code"), max_length=15)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("building")
    )

    # The resident: a registered person when a grid worker picked one; always the name and phone as given.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    resident_name_ciphertext = models.TextField(blank=True, editable=False)
    resident_name_masked = models.CharField(_("resident"), max_length=20)
    resident_phone_ciphertext = models.TextField(blank=True, editable=False)
    resident_phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    resident_phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    status = models.CharField(_("status"), max_length=10, choices=WishStatus.choices, default=WishStatus.OPEN)
    board_level = models.CharField(_("board"), max_length=10, choices=BoardLevel.choices, default=BoardLevel.COMMUNITY)
    escalated_at = models.DateTimeField(_("pushed to the street at"), null=True, blank=True)

    claimant_volunteer = models.ForeignKey(
        Volunteer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
        verbose_name=_("claimed by (volunteer)"),
    )
    claimant_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
        verbose_name=_("claimed by (unit)"),
    )
    claimed_by = models.ForeignKey(  # the sign-in that claimed (a unit's liaison for a unit)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("to be fulfilled by"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilled_late = models.BooleanField(_("fulfilled late"), default=False)
    evidence = models.TextField(_("what was done"), max_length=1000, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by_resident = models.BooleanField(default=False)
    closed_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("posted at"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claimant_volunteer__isnull=True) | models.Q(claimant_unit__isnull=True),
                name="wishes_wish_one_claimant",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[s.value for s in CLAIMED_STATES])
                | models.Q(claimant_volunteer__isnull=False)
                | models.Q(claimant_unit__isnull=False),
                name="wishes_wish_claimed_has_claimant",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=WishStatus.OPEN)
                | (models.Q(claimant_volunteer__isnull=True) & models.Q(claimant_unit__isnull=True)),
                name="wishes_wish_open_has_no_claimant",
            ),
            models.UniqueConstraint(
                fields=("channel", "source", "client_key"),
                condition=~models.Q(client_key=""),
                name="wishes_wish_client_key_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=("region_code",), name="wishes_wish_region_like", opclasses=("varchar_pattern_ops",)),
            models.Index(fields=("status", "board_level", "created_at"), name="wishes_wish_board_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def street_code(self) -> str:
        return self.region_code[:9]

    @property
    def claimant_label(self) -> str:
        """The claimant as the resident and the board see them: a unit's name, a person's masked name."""
        from gongzhi.core.pii import mask_name

        if self.claimant_unit_id is not None and self.claimant_unit is not None:
            return self.claimant_unit.name
        if self.claimant_volunteer_id is not None and self.claimant_volunteer is not None:
            return mask_name(self.claimant_volunteer.person.name)
        return ""


class WishPhoto(models.Model):
    """Evidence of fulfilment: decoded, re-encoded without EXIF (cases.photos), at most six."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="wishes/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.pk}"


class WishEventQuerySet(models.QuerySet["WishEvent"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("the wish timeline is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the wish timeline is append-only")


class WishEvent(models.Model):
    """One step of a wish's timeline. Append-only; written by the actions only."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=60)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    objects = WishEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("wish event")
        verbose_name_plural = _("wish events")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.kind}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("the wish timeline is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class WishInvitation(models.Model):
    """邀请认领: one volunteer told about one open wish on one day (at most once a day, hence the key)."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="invitations")
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="wish_invitations", verbose_name=_("volunteer")
    )
    invited_on = models.DateField(_("invited on"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.BooleanField(_("from a campaign"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation to claim")
        verbose_name_plural = _("invitations to claim")
        constraints = [
            models.UniqueConstraint(
                fields=("wish", "volunteer", "invited_on"), name="wishes_invitation_once_a_day_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wish} → {self.volunteer} ({self.invited_on})"


class WishSettings(models.Model):
    """The one row of limits (pk 1): the claim deadline, when to push to the street, hours credited."""

    claim_days = models.PositiveSmallIntegerField(_("days to fulfil after claiming"), default=7)
    escalate_after_hours = models.PositiveIntegerField(
        _("push to the street board after (hours unclaimed)"), default=72
    )
    expire_after_days = models.PositiveSmallIntegerField(_("expire after (days unclaimed)"), default=30)
    hours_per_wish = models.DecimalField(
        _("service hours credited per wish"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    notify_top = models.PositiveSmallIntegerField(_("matched people told when pushed"), default=5)

    class Meta:
        verbose_name = _("micro-wish settings")
        verbose_name_plural = _("micro-wish settings")

    def __str__(self) -> str:
        return "wish settings"

    @classmethod
    def load(cls) -> WishSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

"""The supply–demand loop's shared vocabulary: the need taxonomy every list, wish and skill uses.

The lists (资源/需求/项目), ordered services and micro-wishes live in their own modules of this app
and of `gongzhi.wishes`; a volunteer's `skills` and a team's services are codes of this tree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedCategory(models.Model):
    """需求分类: two levels, major (parent empty) and minor. Codes are stable; names are editable."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("major class")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ("sort_order", "code")
        constraints = [
            models.UniqueConstraint(fields=("parent", "name"), name="services_needcategory_parent_name_uniq"),
            # Two levels only: a minor class's parent is a major class (checked in the actions too).
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_major(self) -> bool:
        return self.parent_id is None

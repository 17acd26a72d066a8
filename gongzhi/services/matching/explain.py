"""A ranked candidate in words: each part of the score with its points, for pages and the API.

技能匹配：完全对口 +400 · 距离 0.3 km +270 · 当天可服务 +150 · 近30天服务 1 次 +75
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.services.matching.ranking import Candidate
from gongzhi.services.matching.score import SkillMatch


@dataclass(frozen=True, slots=True)
class Reason:
    part: str  # skill, distance, availability, load
    text: str
    points: int


def reasons(candidate: Candidate) -> list[Reason]:
    parts = candidate.parts
    skill = _("Skill match: exact") if parts.match is SkillMatch.EXACT else _("Skill match: same class")
    km = "" if parts.km is None else f"{parts.km:.1f}"
    distance = _("Distance %(km)s km") % {"km": km} if km else _("Distance unknown")
    available = _("Available that day") if parts.available else _("Not usually available that day")
    load = _("%(n)d services in the last 30 days") % {"n": candidate.recent_services}
    if candidate.open_assignments:
        load += _(", %(n)d claimed wishes in hand") % {"n": candidate.open_assignments}
    return [
        Reason("skill", str(skill), parts.skill_points),
        Reason("distance", str(distance), parts.distance_points),
        Reason("availability", str(available), parts.availability_points),
        Reason("load", str(load), parts.load_points),
    ]


def as_dict(candidate: Candidate, *, invited: bool = False) -> dict[str, Any]:
    """What a page row or an API item shows of a candidate (the name: staff only see these)."""
    volunteer = candidate.volunteer
    return {
        "volunteer": volunteer.pk,
        "name": volunteer.person.name,
        "score": candidate.score,
        "match": "exact" if candidate.exact_skill else "class",
        "km": None if candidate.km is None else round(candidate.km, 2),
        "available": candidate.available,
        "recent_services": candidate.recent_services,
        "open_assignments": candidate.open_assignments,
        "parts": {r.part: r.points for r in reasons(candidate)},
        "reasons": [{"part": r.part, "text": r.text, "points": r.points} for r in reasons(candidate)],
        "invited_today": invited,
    }

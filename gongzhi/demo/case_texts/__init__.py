"""Case texts for the demo: titles, details, attributes and handling notes, written like the real thing.

Pure and deterministic: everything is drawn from the ``random.Random`` the caller passes in, so a seeded
demo city gets the same 20,000 cases every time. Each of the category tree's leaves has its own
vocabulary (see ``ms_*.py``, ``bj.py``, ``sj.py``); ``writer.py`` puts the pieces together in the voice
of the channel the case came in by.
"""

from __future__ import annotations

from .common import AREA, COMPOUND, HOME, ROAD, CaseText, LeafSpec, Place
from .registry import SPECS
from .writer import (
    CHANNELS,
    RATINGS,
    RESOLUTIONS,
    compose,
    compose_rating_comment,
    compose_result,
    compose_return_reason,
    compose_rework_reason,
)

__all__ = [
    "AREA",
    "CHANNELS",
    "COMPOUND",
    "HOME",
    "RATINGS",
    "RESOLUTIONS",
    "ROAD",
    "SPECS",
    "CaseText",
    "LeafSpec",
    "Place",
    "compose",
    "compose_rating_comment",
    "compose_result",
    "compose_return_reason",
    "compose_rework_reason",
]

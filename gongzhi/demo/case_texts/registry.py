"""All leaf specs by code, gathered from the family modules."""

from __future__ import annotations

from . import bj, ms_public, ms_social, ms_urban, sj
from .common import LeafSpec


def _collect() -> dict[str, LeafSpec]:
    specs: dict[str, LeafSpec] = {}
    for module in (ms_urban, ms_social, ms_public, bj, sj):
        for spec in module.LEAVES:
            if spec.code in specs:
                raise ValueError(f"case texts for {spec.code} are defined twice")
            specs[spec.code] = spec
    return specs


SPECS: dict[str, LeafSpec] = _collect()

"""The standard address: 区/街道/社区/小区/楼栋/单元/户室."""

from __future__ import annotations

from gongzhi.regions.models import Building, Room

SEPARATOR = "/"


def building_parts(building: Building) -> list[str]:
    community = building.community
    street = community.parent
    district = street.parent if street else None
    parts = [r.name for r in (district, street, community) if r is not None]
    if building.compound is not None:
        parts.append(building.compound.name)
    parts.append(building.name)
    return parts


def building_address(building: Building) -> str:
    return SEPARATOR.join(building_parts(building))


def room_address(room: Room) -> str:
    return SEPARATOR.join([*building_parts(room.unit.building), str(room.unit), str(room)])

"""Who sees a wish, and who may claim it.

Staff see the wishes of their `services.view` scope (a wish's `region_code` is its grid's code when
known, else its community's). A participant — a volunteer, party member or unit liaison, who holds
no staff role — sees the open wishes on the boards of the communities they serve in (their own and
every community that approved their registration, and those their units registered with), the
street-level wishes pushed to those communities' streets, and every wish they or their unit claimed;
they may open any wish of that area (a claimed one shows as taken).
The resident sees their own wish through the ticket number and token.

`access_*` helpers raise NotFound for missing and unseen wishes alike.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from gongzhi.core.access import AnyUser, capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import NotFound
from gongzhi.regions.models import Region
from gongzhi.registrations.access import communities_served, units_acted_for, volunteer_of
from gongzhi.registrations.models import RegistrationStatus, UnitRegistration
from gongzhi.volunteers.models import Volunteer
from gongzhi.wishes.models import BoardLevel, Wish, WishStatus

STREET_LEN = 9


@dataclass(frozen=True, slots=True)
class Participant:
    """A signed-in participant's standing on the boards, from a handful of queries."""

    user_id: int | None
    volunteer: Volunteer | None = None
    communities: frozenset[int] = frozenset()  # where the volunteer serves
    streets: frozenset[str] = frozenset()  # the streets of those communities
    units: dict[int, frozenset[int]] = field(default_factory=dict)  # unit → communities it registered with
    unit_streets: dict[int, frozenset[str]] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)

    @property
    def is_participant(self) -> bool:
        return self.volunteer is not None or bool(self.units)

    def all_communities(self) -> set[int]:
        out = set(self.communities)
        for ids in self.units.values():
            out |= ids
        return out

    def all_streets(self) -> set[str]:
        out = set(self.streets)
        for codes in self.unit_streets.values():
            out |= codes
        return out

    def volunteer_may_claim(self, wish: Wish) -> bool:
        if self.volunteer is None or not self.volunteer.is_active:
            return False
        if wish.community_id in self.communities:
            return True
        return wish.board_level == BoardLevel.STREET and wish.street_code in self.streets

    def unit_may_claim(self, unit_id: int, wish: Wish) -> bool:
        if unit_id not in self.units:
            return False
        if wish.community_id in self.units[unit_id]:
            return True
        return wish.board_level == BoardLevel.STREET and wish.street_code in self.unit_streets.get(unit_id, frozenset())

    def in_area(self, wish: Wish) -> bool:
        """The wish is on one of this participant's boards when open (whatever its status now)."""
        return self.volunteer_may_claim(wish) or any(self.unit_may_claim(u, wish) for u in self.units)

    def is_claimant(self, wish: Wish) -> bool:
        if self.volunteer is not None and wish.claimant_volunteer_id == self.volunteer.pk:
            return True
        return wish.claimant_unit_id is not None and wish.claimant_unit_id in self.units


def _streets(community_ids: set[int]) -> dict[int, str]:
    if not community_ids:
        return {}
    return {pk: code[:STREET_LEN] for pk, code in Region.objects.filter(pk__in=community_ids).values_list("pk", "code")}


def participant_of(user: AnyUser) -> Participant:
    if not isinstance(user, User) or not user.is_active:
        return Participant(user_id=None)
    volunteer = volunteer_of(user)
    communities = communities_served(volunteer) if volunteer is not None else set()
    unit_ids = list(units_acted_for(user).values_list("pk", "name"))
    units: dict[int, set[int]] = {pk: set() for pk, _name in unit_ids}
    if units:
        for unit_id, community_id in UnitRegistration.objects.filter(
            unit_id__in=list(units), status=RegistrationStatus.APPROVED
        ).values_list("unit_id", "community_id"):
            units[unit_id].add(community_id)
    everything = set(communities)
    for ids in units.values():
        everything |= ids
    streets = _streets(everything)
    return Participant(
        user_id=user.pk,
        volunteer=volunteer,
        communities=frozenset(communities),
        streets=frozenset(streets[c] for c in communities if c in streets),
        units={u: frozenset(ids) for u, ids in units.items()},
        unit_streets={u: frozenset(streets[c] for c in ids if c in streets) for u, ids in units.items()},
        unit_names=dict(unit_ids),
    )


def _area_q(participant: Participant) -> Q:
    communities = participant.all_communities()
    streets = participant.all_streets()
    if not communities and not streets:
        return Q(pk__in=[])
    q = Q(community_id__in=sorted(communities))
    street_q = Q()
    for code in sorted(streets):
        street_q |= Q(region_code__startswith=code)
    if streets:
        q |= Q(board_level=BoardLevel.STREET) & street_q
    return q


def _claimant_q(participant: Participant) -> Q:
    q = Q(pk__in=[])
    if participant.volunteer is not None:
        q |= Q(claimant_volunteer_id=participant.volunteer.pk)
    if participant.units:
        q |= Q(claimant_unit_id__in=sorted(participant.units))
    return q


def board_q(participant: Participant) -> Q:
    """The open wishes on this participant's boards."""
    return Q(status=WishStatus.OPEN) & _area_q(participant)


def wishes_for(user: AnyUser, participant: Participant | None = None) -> QuerySet[Wish]:
    """Every wish the user may open: staff by scope, participants by board and by claim."""
    q = capability_scope(user, Cap.SERVICES_VIEW).q("region_code") if _has_scope(user) else Q(pk__in=[])
    participant = participant if participant is not None else participant_of(user)
    if participant.is_participant:
        # The board lists the open ones; a wish of their area stays visible once claimed (shown as
        # taken, without a claim button), and a claimant keeps sight of theirs wherever it is.
        q |= _area_q(participant) | _claimant_q(participant)
    return Wish.objects.filter(q)


def _has_scope(user: AnyUser) -> bool:
    scope = capability_scope(user, Cap.SERVICES_VIEW)
    return scope.everything or bool(scope.prefixes)


def staff_sees(user: AnyUser, wish: Wish, cap: str = Cap.SERVICES_VIEW) -> bool:
    return capability_scope(user, cap).covers(wish.region_code)


def may_invite(user: AnyUser, wish: Wish) -> bool:
    """Staff who post or run the lists where the wish is may invite volunteers to claim it (邀请认领)."""
    return staff_sees(user, wish, Cap.SERVICES_MANAGE) or staff_sees(user, wish, Cap.SERVICES_REPORT)


def access_wish_by_number(user: AnyUser, number: str, participant: Participant | None = None) -> Wish:
    wish = (
        wishes_for(user, participant)
        .select_related("category__parent", "community", "claimant_volunteer__person", "claimant_unit")
        .filter(number=number)
        .first()
    )
    if wish is None:
        raise NotFound(number)
    return wish


def access_wish_by_id(user: AnyUser, wish_id: int, participant: Participant | None = None) -> Wish:
    wish = wishes_for(user, participant).filter(pk=wish_id).first()
    if wish is None:
        raise NotFound(wish_id)
    return wish


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(wish: Wish, token: str) -> bool:
    return bool(token) and hmac.compare_digest(wish.token_digest, token_digest(token))


def access_wish_by_ticket(number: str, token: str) -> Wish:
    """The resident's way in: the wish number plus the token shown once; a wrong token is as missing."""
    wish = (
        Wish.objects.select_related("category", "community", "claimant_volunteer__person", "claimant_unit")
        .filter(number=number)
        .first()
    )
    if wish is None or not token_matches(wish, token):
        raise NotFound(number)
    return wish

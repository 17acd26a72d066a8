"""Posting a wish: by the resident on the H5 page, or by a grid worker or community staff for a resident.

Idempotent: a post carrying a client key is stored once per (channel, source, key); sending it again
answers the wish already stored (created=False, no token), even when both arrive at the same moment.
The resident's name is kept sealed and shown masked; a typed address only finds the building (for
distance) and is never stored, so no door number is kept anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.core.access import capability_scope
from gongzhi.core.capabilities import Cap
from gongzhi.core.errors import DomainError, ErrorItem
from gongzhi.people.models import Person
from gongzhi.people.validators import validate_mobile
from gongzhi.regions.models import Building, Compound, Level, Region
from gongzhi.services.models import NeedCategory
from gongzhi.wishes.access import token_digest
from gongzhi.wishes.actions.common import Actor, notify_on_commit, now, office_users, record
from gongzhi.wishes.models import Wish, WishChannel, WishStatus

MAX_TITLE = 60
MAX_DESCRIPTION = 1000
MAX_NAME = 20
COMMUNITY_LEN = 12
_NUMBER_TRIES = 5
_BUILDING_NO = re.compile(r"(\d+)\s*(?:幢|栋|号楼|号)")


@dataclass(slots=True)
class WishDraft:
    """What a page or the API hands to `do_post_wish`, already parsed from its own format."""

    title: str
    category_code: str
    description: str = ""
    community_id: int | None = None
    address: str = ""  # 小区 and 楼栋 typed by the resident: finds the building, never stored
    building_id: int | None = None
    person_id: int | None = None  # a registered resident picked by the grid worker
    name: str = ""
    phone: str = ""
    channel: str = WishChannel.H5
    client_key: str = ""


@dataclass(frozen=True, slots=True)
class Posted:
    wish: Wish
    token: str  # the resident's status-page token; empty when the wish already existed
    created: bool


def _source(actor: Actor) -> str:
    user = actor.db_user
    return "web" if user is None else f"user:{user.pk}"


def _already_posted(channel: str, source: str, client_key: str) -> Wish | None:
    if not client_key:
        return None
    return Wish.objects.filter(channel=channel, source=source, client_key=client_key).exclude(client_key="").first()


def building_from_address(text: str, community: Region | None) -> Building | None:
    """「幸福小区3幢」: the compound named in the text (within the community when one is chosen) and its building."""
    text = (text or "").strip()
    if not text:
        return None
    compounds = Compound.objects.all()
    if community is not None:
        compounds = compounds.filter(community=community)
    for compound in compounds.order_by("-name")[:2000]:
        if compound.name and compound.name in text:
            rest = text[text.index(compound.name) + len(compound.name) :]
            number = _BUILDING_NO.search(rest)
            buildings = Building.objects.filter(compound=compound).select_related("grid", "community")
            if number is not None:
                found = buildings.filter(name__startswith=f"{int(number.group(1))}").first()
                if found is not None:
                    return found
    return None


@dataclass(slots=True)
class _Where:
    community: Region
    region_code: str
    building: Building | None
    person: Person | None


def _category(code: str, errors: list[ErrorItem]) -> NeedCategory | None:
    category = NeedCategory.objects.filter(code=code, is_active=True, parent__isnull=False).first() if code else None
    if category is None:
        errors.append(ErrorItem("category", "category_invalid", _("Choose a category from the list.")))
    return category


def _community(community_id: int | None) -> Region | None:
    if community_id is None:
        return None
    return Region.objects.filter(pk=community_id, level=Level.COMMUNITY).first()


def _where_for_resident(draft: WishDraft, errors: list[ErrorItem]) -> _Where | None:
    community = _community(draft.community_id)
    if draft.community_id is not None and community is None:
        errors.append(ErrorItem("community", "invalid_choice", _("Choose your community from the list.")))
        return None
    building = building_from_address(draft.address, community)
    if community is None and building is not None:
        community = building.community
    if community is None:
        errors.append(ErrorItem("community", "required", _("Choose your community, or type your 小区 and 楼栋.")))
        return None
    code = building.grid.code if building is not None else community.code
    return _Where(community, code, building, None)


def _where_for_staff(actor: Actor, draft: WishDraft, errors: list[ErrorItem]) -> _Where | None:
    scope = capability_scope(actor.user, Cap.SERVICES_REPORT) if actor.user is not None else None
    if scope is None or not (scope.everything or scope.prefixes):
        raise PermissionDenied(Cap.SERVICES_REPORT)
    if draft.person_id is not None:
        person = (
            Person.objects.filter(pk=draft.person_id, is_active=True)
            .select_related("room__unit__building__community")
            .first()
        )
        if person is None or not scope.covers(person.region_code):
            errors.append(ErrorItem("person", "invalid_choice", _("Choose a resident of your area.")))
            return None
        building = person.room.unit.building if person.room is not None else None
        community = Region.objects.filter(code=person.region_code[:COMMUNITY_LEN], level=Level.COMMUNITY).first()
        if community is None:
            errors.append(ErrorItem("person", "no_community", _("This resident has no community on record.")))
            return None
        return _Where(community, person.region_code, building, person)
    community = _community(draft.community_id)
    if community is None:
        errors.append(ErrorItem("community", "required", _("Choose the community.")))
        return None
    building = None
    if draft.building_id is not None:
        building = Building.objects.filter(pk=draft.building_id, community=community).select_related("grid").first()
        if building is None:
            errors.append(ErrorItem("building", "invalid_choice", _("Choose a building of this community.")))
            return None
    if building is not None:
        code = building.grid.code
    elif scope.covers(community.code):
        code = community.code
    else:
        # A grid worker's scope is their grid: the wish sits there.
        inside = sorted(p for p in scope.prefixes if p.startswith(community.code))
        code = inside[0] if inside else community.code
    if not scope.covers(code):
        errors.append(
            ErrorItem("community", "outside_scope", _("You can post wishes only for residents of your area."))
        )
        return None
    return _Where(community, code, building, None)


def _validate(actor: Actor, draft: WishDraft) -> tuple[NeedCategory | None, _Where | None, list[ErrorItem]]:
    errors: list[ErrorItem] = []
    if draft.channel not in WishChannel.values:
        errors.append(ErrorItem("channel", "invalid_choice", _("Unknown channel.")))
    draft.title = (draft.title or "").strip()
    draft.description = (draft.description or "").strip()
    draft.name = (draft.name or "").strip()
    if not draft.title:
        errors.append(ErrorItem("title", "required", _("Say in a few words what you wish for.")))
    elif len(draft.title) > MAX_TITLE:
        errors.append(ErrorItem("title", "too_long", _("At most %(n)d characters.") % {"n": MAX_TITLE}))
    if len(draft.description) > MAX_DESCRIPTION:
        errors.append(ErrorItem("description", "too_long", _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}))
    if len(draft.client_key) > 100:
        errors.append(ErrorItem("client_key", "too_long", _("At most %(n)d characters.") % {"n": 100}))
    if draft.person_id is None:
        if not draft.name:
            errors.append(ErrorItem("name", "required", _("Give the resident's name.")))
        elif len(draft.name) > MAX_NAME:
            errors.append(ErrorItem("name", "too_long", _("At most %(n)d characters.") % {"n": MAX_NAME}))
    if draft.phone:
        try:
            draft.phone = validate_mobile(draft.phone)
        except DomainError as exc:
            errors.extend(ErrorItem("phone", i.code, i.message) for i in exc.items)
    category = _category(draft.category_code, errors)
    resident = actor.db_user is None
    where = _where_for_resident(draft, errors) if resident else _where_for_staff(actor, draft, errors)
    return category, where, errors


def _new_number(at: dt.datetime) -> str:
    prefix = f"W{timezone.localtime(at):%y%m%d}"
    last = Wish.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    sequence = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{sequence:04d}"


def do_post_wish(*, actor: Actor, draft: WishDraft) -> Posted:
    """Stores a wish on its community's board and tells the community office; see the module docstring."""
    if actor.db_user is None:
        draft.channel = WishChannel.H5  # without a sign-in, only the resident's own page posts
    source = _source(actor)
    existing = _already_posted(draft.channel, source, draft.client_key.strip())
    if existing is not None:
        return Posted(existing, "", False)
    category, where, errors = _validate(actor, draft)
    if errors:
        raise DomainError(errors)
    assert category is not None and where is not None  # noqa: S101 - no errors means both were found
    token = secrets.token_urlsafe(16)
    for _attempt in range(_NUMBER_TRIES):
        try:
            with transaction.atomic():
                wish = _store(actor, draft, source, category, where, token)
            return Posted(wish, token, True)
        except IntegrityError:
            existing = _already_posted(draft.channel, source, draft.client_key.strip())
            if existing is not None:
                return Posted(existing, "", False)
            # Otherwise two posts took the same sequence number at once: take the next one.
    raise DomainError.single("number", "busy", _("Could not allot a wish number; try again."))


def _store(actor: Actor, draft: WishDraft, source: str, category: NeedCategory, where: _Where, token: str) -> Wish:
    at = now()
    person = where.person
    if person is not None:
        name = person.name
        phone = pii.Sealed(person.phone_ciphertext, person.phone_digest, person.phone_masked)
    else:
        name = draft.name
        phone = pii.seal_phone(draft.phone) if draft.phone else pii.Sealed("", "", "")
    wish = Wish.objects.create(
        number=_new_number(at),
        token_digest=token_digest(token),
        channel=draft.channel,
        source=source[:64],
        client_key=draft.client_key.strip(),
        title=draft.title,
        description=draft.description,
        category=category,
        community=where.community,
        region_code=where.region_code,
        building=where.building,
        person=person,
        resident_name_ciphertext=pii.encrypt(name),
        resident_name_masked=pii.mask_name(name)[:20],
        resident_phone_ciphertext=phone.ciphertext,
        resident_phone_digest=phone.digest,
        resident_phone_masked=phone.masked,
        posted_by=actor.db_user,
        status=WishStatus.OPEN,
        created_at=at,
    )
    record(
        wish,
        actor,
        "post",
        from_status="",
        to_status=WishStatus.OPEN,
        at=at,
        changes={"channel": draft.channel, "region": where.region_code, "category": category.code},
    )
    notify_on_commit(
        office_users(where.community.code, Cap.SERVICES_MANAGE),
        "wish_new",
        _("New micro-wish %(n)s: %(t)s") % {"n": wish.number, "t": wish.title},
    )
    return wish

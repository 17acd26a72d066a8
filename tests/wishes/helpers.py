"""Building blocks of the wish tests: a posted wish, a claimed one, a fulfilled one, a clean photo."""

from __future__ import annotations

import io

from PIL import Image

from gongzhi.cases.photos import CleanPhoto, clean_photos
from gongzhi.wishes.actions import Actor, WishDraft, do_claim_wish, do_fulfil_wish, do_post_wish
from gongzhi.wishes.models import Wish
from tests.serviceloop.world import World

RESIDENT_NAME = "王小明"
RESIDENT_PHONE = "13912345678"


def png(name: str = "done.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def photos(n: int = 1) -> list[CleanPhoto]:
    return clean_photos([png() for _ in range(n)])


def actor(world: World, key: str) -> Actor:
    return Actor(user=world.user(key))


def post(world: World, *, title: str = "想请人帮忙修水龙头", code: str = "FIX02", key: str = "") -> tuple[Wish, str]:
    """A wish posted by a resident of 尧化门社区 on the H5 page; returns it with its token."""
    posted = do_post_wish(
        actor=Actor(),
        draft=WishDraft(
            title=title,
            description="厨房水龙头一直滴水",
            category_code=code,
            community_id=world.community.pk,
            name=RESIDENT_NAME,
            phone=RESIDENT_PHONE,
            client_key=key,
        ),
    )
    return posted.wish, posted.token


def claimed(world: World, by: str = "wu") -> tuple[Wish, str]:
    wish, token = post(world)
    do_claim_wish(actor=actor(world, by), wish_id=wish.pk)
    wish.refresh_from_db()
    return wish, token


def fulfilled(world: World, by: str = "wu") -> tuple[Wish, str]:
    wish, token = claimed(world, by)
    do_fulfil_wish(actor=actor(world, by), wish_id=wish.pk, note="已上门更换水龙头", photos=photos())
    wish.refresh_from_db()
    return wish, token

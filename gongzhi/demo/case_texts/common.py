"""Building blocks shared by the family modules: the place, the finished text, the per-leaf spec and the
builders that draw a leaf's attributes (plate, employer, shop, …) together with the words that mention them.

Templates are written one per line inside triple-quoted strings and use ``str.format`` slots: the place
(``{street}``, ``{compound}``, ``{building}``, ``{road}``, ``{spot}`` …), the leaf's attributes
(``{plate}``, ``{employer}`` …), words drawn once per text from the leaf's ``picks`` (so a title and its
detail talk about the same 噪声 source), and a few shared ones (``{dur}``, ``{times}``, ``{n}`` …).

A line may start with a topic tag such as ``[lift]``. Many leaves cover several sub-topics (物业 fees, lifts,
the owners' committee …); the core sentence picked for a text fixes its topic, and from then on only lines
with that tag or with no tag are used, so a lift complaint gets lift details, a lift demand and a lift answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Where a leaf's problem sits, which decides the wording of {spot} and of the address.
HOME = "home"  # the reporter's own flat or building
COMPOUND = "compound"  # a shared place inside or at the gate of a compound
ROAD = "road"  # on a public road
AREA = "area"  # no single spot (policy, money, paperwork): the reporter's home area

Attrs = dict[str, str | int]
Slots = dict[str, str]


@dataclass(frozen=True)
class Place:
    street: str
    community: str
    compound: str
    building: str
    road: str
    landmark: str = ""
    # Not in the demo seeder's wishes, but a deployment in another district needs its own prefix.
    district: str = "栖霞区"


@dataclass(frozen=True)
class CaseText:
    title: str
    detail: str
    attributes: Attrs
    address: str
    # Which sub-topic of the leaf the text is about (e.g. "lift" under 物业); hand it to compose_result.
    topic: str = ""


AttrBuilder = Callable[[random.Random, Place], tuple[Attrs, Slots]]


def lines(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.strip().splitlines() if s.strip())


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class LeafSpec:
    """Everything needed to write about one leaf.

    Sentences carry no final punctuation (the writer adds it) and may start with a ``[topic]`` tag.
    """

    code: str
    locus: str
    titles: tuple[str, ...]  # what a resident types as the subject line
    subjects: tuple[str, ...]  # short noun phrase for formal titles: "{spot}" + subject
    facts: tuple[str, ...]  # the core complaint, neutral voice; must mention every attribute slot
    details: tuple[str, ...]  # extra specifics, neutral voice
    impacts: tuple[str, ...]  # why it matters
    demands: tuple[str, ...]  # verb phrases: what should be done
    solved: tuple[str, ...]
    explained: tuple[str, ...]
    unsolvable: tuple[str, ...]
    returns: tuple[str, ...]  # why the department it was sent to is the wrong one
    patrol: tuple[str, ...] = ()  # a grid worker's finding; must mention every attribute slot
    voices: tuple[str, ...] = ()  # first-person remarks only a resident would write
    tried: tuple[str, ...] = ()  # what the reporter already did, as a verb phrase
    intros: tuple[str, ...] = ()  # who the resident is, when the generic introductions do not fit
    actions: tuple[str, ...] = ()  # what the grid worker did on the spot
    picks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    attrs: AttrBuilder | None = None
    pace: str = ""  # time scale of durations: hours, days, months, years; empty: by family


def leaf(
    code: str,
    *,
    locus: str,
    titles: str,
    subjects: str,
    facts: str,
    details: str,
    impacts: str,
    demands: str,
    solved: str,
    explained: str,
    unsolvable: str,
    returns: str,
    patrol: str = "",
    voices: str = "",
    tried: str = "",
    intros: str = "",
    actions: str = "",
    picks: Mapping[str, str] | None = None,
    attrs: AttrBuilder | None = None,
    pace: str = "",
) -> LeafSpec:
    return LeafSpec(
        code=code,
        locus=locus,
        titles=lines(titles),
        subjects=lines(subjects),
        facts=lines(facts),
        details=lines(details),
        impacts=lines(impacts),
        demands=lines(demands),
        solved=lines(solved),
        explained=lines(explained),
        unsolvable=lines(unsolvable),
        returns=lines(returns),
        patrol=lines(patrol),
        voices=lines(voices),
        tried=lines(tried),
        intros=lines(intros),
        actions=lines(actions),
        picks={k: words(v) for k, v in (picks or {}).items()},
        attrs=attrs,
        pace=pace,
    )


# -- attribute builders --------------------------------------------------------------------------------

# Invented trade-name stems; short, so no real message can share a long run with them.
BRAND_STEMS = words(
    """
    鑫源 佳乐 兴旺 顺发 宏达 好邻居 金福 聚福 百味 福满 天天 和顺 永盛 恒昌 新桥 春风 家和 旺角
    诚信 利民 东升 美佳 华联 金源 万家 乐购 德旺 好运来 大丰 惠民 锦记 阿强 小林 同福 瑞丰 一品
    """
)
SURNAME_STEMS = words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗")
CHINESE_DIGITS = "零一二三四五六七八九"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def count_word(n: int) -> str:
    """1–10 the way people say a count before a measure word: 两个月, not 二个月."""
    return "两" if n == 2 else "十" if n == 10 else CHINESE_DIGITS[n]


# What each recorded state looks like on the street, so the text never contradicts the choice.
_COVER_LOOKS = {
    "缺失": ("井口直接敞着，下面黑乎乎的", "盖子不知道被谁弄走了，只剩个井圈", "整个井口露在外面，有半米多宽"),
    "破损": ("盖板裂成了好几块，中间塌下去一截", "边上缺了一大块，脚能踩进去", "盖子碎了，用木板临时搭着"),
    "移位": ("盖子错开了一大半，露出一道缝", "井盖被车轧歪了，翘起来一头", "盖子滑到一边，井口露出一条缝"),
    "异响": ("车一压就哐当哐当地响，半夜特别吵", "盖子松动了，踩上去咯噔咯噔的", "每过一辆车就咣咣响一下"),
}


def cover_state(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
    state = rng.choice(tuple(_COVER_LOOKS))
    return {"cover_state": state}, {"cover_state": state, "cover_look": rng.choice(_COVER_LOOKS[state])}


def plate_number(rng: random.Random) -> str:
    province = rng.choices(("苏", "皖", "浙", "沪", "鲁"), weights=(86, 6, 3, 3, 2))[0]
    letter = "A" if province == "苏" and rng.random() < 0.8 else rng.choice(_PLATE_LETTERS[:12])
    if rng.random() < 0.25:
        # New-energy plates have six characters after the city letter, starting with D or F.
        body = rng.choice("DF") + "".join(rng.choice("0123456789") for _ in range(5))
    else:
        body = "".join(rng.choice(_PLATE_CHARS) for _ in range(5))
    return f"{province}{letter}{body}"


def plate(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
    value = plate_number(rng)
    return {"plate": value}, {"plate": value}


def shop(kinds: str, *, folksy: bool = False) -> AttrBuilder:
    """A shop name built from a trade stem and one of the given kinds of business.

    ``folksy`` shops (eateries, corner stores) are sometimes named after the owner: 老王家烧烤.
    """
    options = words(kinds)

    def build(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
        owner = folksy and rng.random() < 0.3
        stem = "老" + rng.choice(SURNAME_STEMS) + "家" if owner else rng.choice(BRAND_STEMS)
        name = stem + rng.choice(options)
        return {"shop": name}, {"shop": name}

    return build


def hours(choices: str) -> AttrBuilder:
    options = words(choices)

    def build(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
        value = rng.choice(options)
        return {"time_of_day": value}, {"time_of_day": value}

    return build


_SCHOOL_STEMS = words("尧化 燕子矶 仙林 马群 迈皋桥 八卦洲 龙潭 栖霞 摄山 靖安 甘家巷 西岗 和燕 金陵 丁家庄")


def school(kinds: str) -> AttrBuilder:
    options = words(kinds)

    def build(rng: random.Random, place: Place) -> tuple[Attrs, Slots]:
        stem = rng.choice(_SCHOOL_STEMS) if rng.random() < 0.7 else place.street.removesuffix("街道")
        name = stem + rng.choice(options)
        return {"school": name}, {"school": name}

    return build


_PRIMARY_KINDS = words("小学 实验小学 小学分校 中心小学")
_JUNIOR_KINDS = words("中学 初级中学 实验学校 中学分校")


def enrolment(rng: random.Random, place: Place) -> tuple[Attrs, Slots]:
    """A school and a grade that go together: nobody enrols a first-grader at a 初级中学."""
    grade = rng.choice(("一年级", "幼升小", "初一", "小升初", "插班"))
    kinds = _JUNIOR_KINDS if grade in ("初一", "小升初") else _PRIMARY_KINDS
    attrs, slots = school(" ".join(kinds))(rng, place)
    slots["grade"] = grade
    return attrs, slots


def bus_route(rng: random.Random, place: Place) -> tuple[Attrs, Slots]:
    roll = rng.random()
    if roll < 0.55:
        value = f"{rng.choice(('', '', 'D', 'Y'))}{rng.randint(2, 330)}路"
    elif roll < 0.8:
        value = f"地铁{rng.choice((2, 4, 7, 8))}号线"
    else:
        value = f"{place.road}站"
    return {"route": value}, {"route": value}


def stop_route(rng: random.Random, place: Place) -> tuple[Attrs, Slots]:
    stem = place.compound[:2] if place.compound and rng.random() < 0.5 else place.road.removesuffix("大道")
    value = f"{stem.removesuffix('路')}{rng.choice(('', '路', '东', '西', '北'))}站"
    return {"route": value}, {"route": value}


_COMPANY_KINDS_WAGE = words(
    "建筑劳务有限公司 装饰工程有限公司 物流有限公司 电子科技有限公司 餐饮管理有限公司 保洁服务有限公司 "
    "机械制造有限公司 园林绿化工程公司 服装加工厂 物业服务有限公司 建设工程有限公司 家政服务公司"
)
_COMPANY_KINDS_CONTRACT = words(
    "科技有限公司 商贸有限公司 教育培训中心 连锁超市 酒店管理有限公司 物业服务有限公司 网络科技公司 "
    "汽车服务有限公司 健身管理有限公司 人力资源有限公司 医药连锁公司"
)


def _company(rng: random.Random, kinds: tuple[str, ...]) -> str:
    prefix = rng.choice(("南京", "南京", "江苏", "")) if rng.random() < 0.6 else ""
    return prefix + rng.choice(BRAND_STEMS) + rng.choice(kinds)


# Most wage claims come from small crews owed a few months; a few from whole sites.
_CREW_SIZES = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 26, 35)
_CREW_WEIGHTS = (14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
_MONTHS_OWED = (1, 2, 3, 4, 5, 6, 8, 10)
_MONTHS_WEIGHTS = (8, 12, 12, 9, 6, 5, 3, 2)


def wages(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
    """Employer, head count and a total that follows from months owed and a plausible monthly wage."""
    employer = _company(rng, _COMPANY_KINDS_WAGE)
    workers = rng.choices(_CREW_SIZES, weights=_CREW_WEIGHTS)[0]
    months = rng.choices(_MONTHS_OWED, weights=_MONTHS_WEIGHTS)[0]
    monthly = rng.randrange(45, 95) * 100
    amount = workers * months * monthly
    # Neutral wording: the same sentence serves a worker's own post and the operator's summary.
    crew = rng.choice((f"{workers}名工人", f"班组{workers}个人", f"{workers}个工人"))
    slots = {
        "employer": employer,
        "workers": str(workers),
        "amount": str(amount),
        "months": count_word(months),
        "monthly": str(monthly),
        "crew": crew,
    }
    return {"employer": employer, "workers": workers, "amount": amount}, slots


def contract_employer(rng: random.Random, _place: Place) -> tuple[Attrs, Slots]:
    employer = _company(rng, _COMPANY_KINDS_CONTRACT)
    return {"employer": employer}, {"employer": employer}


def combine(*builders: AttrBuilder) -> AttrBuilder:
    def build(rng: random.Random, place: Place) -> tuple[Attrs, Slots]:
        attrs: Attrs = {}
        slots: Slots = {}
        for b in builders:
            a, s = b(rng, place)
            attrs.update(a)
            slots.update(s)
        return attrs, slots

    return build

"""Assembles a leaf's pieces into a title and a detail in the voice of each reporting channel.

- h5: the resident on a phone — from a one-line note to a long letter "to the leaders", first person,
  with how long it has lasted, whom they already asked, and sometimes doubled marks or no commas at all;
- hotline: the 12345 operator's third-person summary ("市民来电反映…诉求：…");
- api: the same, terser, as another system forwards it;
- staff: a community worker writing down what a resident said, and what the community already did;
- patrol: a grid worker's one-sentence finding and what was done on the spot (or, for 民生 matters,
  what a resident said on a home visit).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gongzhi.cases.taxonomy_data import leaves as taxonomy_leaves

from . import phrases as p
from .common import AREA, COMPOUND, HOME, ROAD, Attrs, CaseText, LeafSpec, Place, Slots, count_word, words
from .registry import SPECS

CHANNELS = ("h5", "hotline", "patrol", "api", "staff")
RESOLUTIONS = ("solved", "explained", "unsolvable")
RATINGS = ("satisfied", "basic", "unsatisfied")
TITLE_MAX = 40

_DEPARTMENTS = {leaf.code: leaf.department for _, _, leaf in taxonomy_leaves()}

_GATES = words("北门 南门 东门 西门 正门 侧门 大门 东北门")
_SIDES = words("东侧 西侧 南侧 北侧 楼下 旁边 门口 后面")
_TIMES = words("好几次 三次 两回 不下五次 多次 几次 四五次")
_ROAD_LANDMARKS = words("公交站台旁 十字路口 人行天桥下 菜市场门口 加油站对面 红绿灯路口 路口转角 辅路边 桥下 超市门口")
_SURNAMES = words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 朱 胡 郭 何 高 林 钱 沈")
_TAG = re.compile(r"^\[([A-Za-z0-9_]+)\]")
_END = "。！？；…，："
_FINAL = (*_END, "!")


def spec_for(code: str) -> LeafSpec:
    try:
        return SPECS[code]
    except KeyError:
        raise KeyError(f"no case texts for category leaf {code!r}; known leaves: {len(SPECS)}") from None


def _we(department: str) -> str:
    """How a department names itself in a reply: 我局, 我委, 我大队 …"""
    for suffix in ("大队", "中心", "局", "委"):
        if department.endswith(suffix):
            return "我" + suffix
    return "我单位"


def _fmt(template: str, slots: Slots) -> str:
    return template.format_map(slots)


def _end(sentence: str, mark: str = "。") -> str:
    return sentence if sentence.endswith(tuple(_END)) else sentence + mark


def _spot_templates(locus: str) -> tuple[str, ...]:
    if locus == HOME:
        return ("{compound}{building}", "{compound}{building}{unit}")
    if locus == COMPOUND:
        return (
            "{compound}{building}楼下",
            "{compound}{building}{side}",
            "{compound}{gate}",
            "{compound}{gate}口",
            "{compound}{building}旁边",
        )
    if locus == ROAD:
        return ("{road}{landmark}", "{road}{landmark}", "{road}靠近{compound}{gate}", "{road}{num}号门口", "{road}")
    return ("{compound}", "{community}", "{compound}")


def build_slots(rng: random.Random, spec: LeafSpec, place: Place) -> tuple[Attrs, Slots]:
    """Draw every word a text of this leaf may use, once, so all sentences agree with each other."""
    floor = rng.randint(1, 18)
    department = _DEPARTMENTS.get(spec.code, "")
    slots: Slots = {
        "district": place.district,
        "street": place.street,
        "community": place.community,
        "compound": place.compound or place.community,
        "building": place.building,
        "road": place.road,
        "landmark": place.landmark or rng.choice(_ROAD_LANDMARKS),
        "unit": f"{rng.randint(1, 4)}单元",
        "floor": str(floor),
        "room": f"{floor}{rng.randint(1, 4):02d}室",
        "side": rng.choice(_SIDES),
        "gate": rng.choice(_GATES),
        "num": str(rng.randint(1, 320)),
        "n": str(rng.randint(2, 9)),
        "times": rng.choice(_TIMES),
        "month": str(rng.randint(1, 12)),
        "surname": rng.choice(_SURNAMES),
        "dept": department,
        "we": _we(department),
        "hh": str(rng.randint(7, 18)),
        "mm": f"{rng.randint(0, 59):02d}",
        "part": rng.choice(p.PATROL_DAYPARTS),
    }
    pace = spec.pace or ("months" if spec.code.startswith("MS") else "days")
    counts = {"n": count_word(rng.randint(3, 9)), "w": rng.choice("两三")}
    slots["dur"] = _fmt(rng.choice(p.DURATIONS[pace]), counts)
    slots["since"] = _fmt(rng.choice(p.SINCES[pace]), slots)
    attrs: Attrs = {}
    if spec.attrs is not None:
        attrs, attr_slots = spec.attrs(rng, place)
        slots.update(attr_slots)
    for key, options in spec.picks.items():
        if key != "spot":
            slots[key] = _fmt(rng.choice(options), slots)
    locus = spec.locus
    if locus == COMPOUND and not place.compound:
        # A village lane has no 小区 gate or 楼下: describe it by the road instead.
        locus = ROAD
    spot_options = spec.picks.get("spot") or _spot_templates(locus)
    slots["spot"] = _fmt(rng.choice(spot_options), slots)
    if spec.locus == HOME:
        # Without a compound the spot already starts with the community's name.
        community = place.community if place.compound else ""
        slots["address"] = f"{place.district}{place.street}{community}{slots['spot']}"
    elif spec.locus == AREA:
        slots["address"] = f"{place.district}{place.street}{place.community}{place.compound}"
    else:
        slots["address"] = f"{place.district}{place.street}{slots['spot']}"
    return attrs, slots


def split_tag(line: str) -> tuple[str, str]:
    """'[lift]电梯坏了' -> ('lift', '电梯坏了'); untagged lines belong to every topic of the leaf."""
    match = _TAG.match(line)
    return (match.group(1), line[match.end() :]) if match else ("", line)


@dataclass
class _Draft:
    """One text in the making: the leaf, its drawn words, and the topic its core sentence set."""

    rng: random.Random
    spec: LeafSpec
    slots: Slots
    topic: str = ""
    fact: str = ""  # the core sentence as written; extra sentences must not repeat it

    def lines(self, pool: Sequence[str], *, required: bool = True) -> list[str]:
        """The lines of a pool that fit the topic.

        A required pool (titles, demands …) falls back to all its lines if none fits, so a text can always
        be written; an optional one (details, voices …) is then simply left out.
        """
        split = [split_tag(line) for line in pool]
        fitting = [text for tag, text in split if tag in ("", self.topic)]
        return fitting or ([text for _, text in split] if required else [])

    def pick(self, pool: Sequence[str]) -> str:
        return _fmt(self.rng.choice(self.lines(pool)), self.slots)

    def extras(self, pool: Sequence[str]) -> list[str]:
        """Optional sentences of the topic, written out, minus any the core sentence already says."""
        written = [_fmt(t, self.slots) for t in self.lines(pool, required=False)]
        return [w for w in written if w not in self.fact]

    def maybe(self, pool: Sequence[str]) -> str:
        options = self.extras(pool)
        return self.rng.choice(options) if options else ""

    def sample(self, pool: Sequence[str], most: int) -> list[str]:
        options = self.extras(pool)
        k = min(len(options), self.rng.choice(range(most + 1)))
        return self.rng.sample(options, k)

    def fit(self, pool: Sequence[str]) -> list[str]:
        """Drop lines about the 物业 when the problem is not inside a compound."""
        if self.spec.locus in (HOME, COMPOUND):
            return list(pool)
        return [line for line in pool if not any(word in line for word in p.COMPOUND_ONLY)]

    def tried(self) -> str:
        # Leaf-specific remedies read better, generic ones keep the mix from looking canned.
        own = self.lines(self.spec.tried, required=False)
        pool = own if own and self.rng.random() < 0.65 else self.fit(p.TRIED_GENERIC)
        return _fmt(self.rng.choice(pool), self.slots)

    def outcome(self) -> str:
        field = self.spec.code.startswith(("BJ", "SJ")) or self.spec.locus != AREA
        return self.rng.choice(p.TRIED_OUTCOMES + p.TRIED_OUTCOMES_FIELD if field else p.TRIED_OUTCOMES)


_URGENT = ("尽快", "立即", "马上", "赶紧", "赶快")


def _ask(rng: random.Random, frames: Sequence[str], demand: str) -> str:
    """Put a demand in a frame, never "希望尽快尽快…": urgent demands skip the frames that hurry too."""
    if demand.startswith(_URGENT):
        frames = [f for f in frames if not any(word in f for word in _URGENT)] or list(frames)
    return rng.choice(frames).format(d=demand)


def _h5(d: _Draft, fact: str) -> str:
    rng, spec = d.rng, d.spec
    # Residents range from a one-line note typed at the bus stop to a long letter to "the leaders".
    mode = rng.choices(("short", "normal", "letter"), weights=(20, 42, 38))[0]
    head: list[str] = []
    if mode == "letter":
        head.append(rng.choice(p.LETTER_OPENINGS))
    elif rng.random() < 0.5:
        head.append(rng.choice(p.H5_OPENINGS))
    if mode == "letter" or (mode == "normal" and rng.random() < 0.45):
        head.append(d.pick(spec.intros or p.INTROS[spec.locus]) + "，")
    head.append(_end(fact, rng.choice("。。。，！")))

    most = {"short": 1, "normal": 2, "letter": 3}[mode]
    chance = {"short": 0.3, "normal": 0.6, "letter": 0.9}[mode]
    middle = [_end(x, rng.choice("。。，")) for x in d.sample(spec.details, most)]
    voice = d.maybe(spec.voices)
    if voice and rng.random() < chance * 0.8:
        middle.append(_end(voice, rng.choice("。！，")))
    if rng.random() < chance:
        middle.append(_end(d.pick(p.DURATION_FRAMES_H5), rng.choice("。，！")))
    if rng.random() < chance * 0.8:
        middle.append(_end(rng.choice(p.TRIED_FRAMES_H5).format(tried=d.tried(), outcome=d.outcome())))
    for impact in d.sample(spec.impacts, 2 if mode == "letter" else 1):
        if rng.random() < chance + 0.2:
            # A spoken aside ("说实话，") lands on the consequence, where people get worked up.
            aside = rng.choice(p.COLLOQUIAL) if rng.random() < 0.15 else ""
            middle.append(_end(aside + impact, rng.choice("。。！")))
    if rng.random() < chance * 0.5:
        middle.append(_end(rng.choice(p.FEELINGS), rng.choice("。！")))
    asides = {"short": 0, "normal": 1 if rng.random() < 0.25 else 0, "letter": rng.choice((1, 1, 2))}[mode]
    middle += [_end(x, rng.choice("。。，")) for x in rng.sample(p.LETTER_ASIDES, asides)]
    if rng.random() < 0.4:
        rng.shuffle(middle)

    own = d.lines(spec.demands)
    demands = [_fmt(x, d.slots) for x in rng.sample(own, min(2, len(own)))]
    tail = [_end(_ask(rng, p.DEMAND_FRAMES_H5, demands[0]), rng.choice("。！"))]
    if mode == "letter" and len(demands) > 1 and rng.random() < 0.6:
        tail.append(_end(_ask(rng, p.SECOND_DEMAND_FRAMES, demands[1])))
    if mode == "letter":
        tail.append(rng.choice(p.LETTER_CLOSINGS))
    elif rng.random() < 0.5:
        tail.append(rng.choice(p.CLOSINGS))
    text = "".join(head + middle + tail)
    if rng.random() < (0.15 if mode == "letter" else 0.35):
        text = _quirks(rng, text)
    return _finish(text)


def _hotline(d: _Draft, fact: str) -> str:
    rng, spec = d.rng, d.spec
    parts = [d.pick(p.HOTLINE_OPENINGS) + _end(fact)]
    parts += [_end(x) for x in d.sample(spec.details, 2)]
    impact = d.maybe(spec.impacts)
    if impact and rng.random() < 0.6:
        parts.append(_end(impact))
    if rng.random() < 0.6:
        parts.append(_end(d.pick(p.HOTLINE_DURATIONS)))
    if rng.random() < 0.4:
        parts.append(_end(rng.choice(p.HOTLINE_TRIED).format(tried=d.tried(), outcome=d.outcome())))
    parts.append(_end(_ask(rng, p.HOTLINE_DEMAND_FRAMES, d.pick(spec.demands))))
    if rng.random() < 0.5:
        parts.append(rng.choice(p.HOTLINE_TAILS))
    return _finish("".join(parts))


def _api(d: _Draft, fact: str) -> str:
    rng, spec = d.rng, d.spec
    prefix = rng.choice(p.API_PREFIXES[spec.code[:2]]) if rng.random() < 0.6 else ""
    core = d.pick(spec.patrol) if spec.patrol and rng.random() < 0.5 else fact
    parts = [prefix + _end(core, "；")]
    parts += [_end(x) for x in d.sample(spec.details, 1)]
    parts.append(_end(_ask(rng, p.API_DEMAND_FRAMES, d.pick(spec.demands))))
    return _finish("".join(parts))


def _staff(d: _Draft, fact: str) -> str:
    rng, spec = d.rng, d.spec
    parts = [d.pick(p.STAFF_OPENINGS) + _end(fact)]
    parts += [_end(x) for x in d.sample(spec.details, 1)]
    if rng.random() < 0.35:
        parts.append(_end("据居民反映已有" + d.slots["dur"]))
    parts.append(rng.choice(d.fit(p.STAFF_ACTIONS)) + "，" + _end(d.pick(p.STAFF_ASKS)))
    return _finish("".join(parts))


def _patrol(d: _Draft, fact: str) -> str:
    rng, spec = d.rng, d.spec
    if spec.patrol:
        finding = d.pick(p.PATROL_OPENINGS) + d.pick(spec.patrol)
        own = d.lines(spec.actions, required=False)
        actions = own if own and rng.random() < 0.6 else d.fit(p.PATROL_ACTIONS)
    else:
        finding = d.pick(p.PATROL_VISIT_OPENINGS) + fact
        actions = list(p.PATROL_VISIT_ACTIONS)
    return _finish(_end(finding, "，") + _end(_fmt(rng.choice(actions), d.slots)))


_WRITERS: dict[str, Callable[[_Draft, str], str]] = {
    "h5": _h5,
    "hotline": _hotline,
    "patrol": _patrol,
    "api": _api,
    "staff": _staff,
}


def _quirks(rng: random.Random, text: str) -> str:
    """Habits of people typing on a phone: doubled marks, run-on commas, no pauses at all."""
    roll = rng.random()
    if roll < 0.3:
        return text[:-1] + rng.choice(("！！", "！！！", "!!")) if text.endswith(("。", "！")) else text
    if roll < 0.5:
        return text.replace("。", "，", rng.randint(1, 3))
    if roll < 0.65:
        return text.replace("，", " ", rng.randint(1, 4))
    if roll < 0.8:
        return text.replace("，", "", 2)
    return text.replace("？", "？？").replace("！", "！！", 1)


def _finish(text: str) -> str:
    text = text.strip()
    while text.endswith(("，", "；", "：")):
        text = text[:-1]
    return text if text.endswith(_FINAL) else text + "。"


def _title(d: _Draft, channel: str) -> str:
    rng, spec = d.rng, d.spec
    subject = d.pick(spec.subjects)
    resident = channel == "h5" or (channel in ("hotline", "staff") and rng.random() < 0.3)
    if resident:
        title = d.pick(spec.titles)
        if channel == "h5" and rng.random() < 0.15:
            title = title.rstrip("！？!") + rng.choice(("！", "！！", "？", "？？"))
    else:
        frames = {
            "hotline": ("反映{spot}{subject}", "关于{spot}{subject}的问题", "{spot}{subject}", "反映{subject}"),
            "api": ("{spot}{subject}", "{spot}{subject}", "{subject}"),
            "patrol": ("{spot}{subject}", "{subject}（{spot}）", "{spot}{subject}"),
            "staff": ("{compound}居民反映{subject}", "{spot}{subject}", "{community}{subject}"),
        }[channel]
        title = _fmt(rng.choice(frames), {**d.slots, "subject": subject})
    if len(title) > TITLE_MAX:
        title = subject[:TITLE_MAX]
    return title


def compose(rng: random.Random, leaf_code: str, place: Place, *, channel: str) -> CaseText:
    spec = spec_for(leaf_code)
    if channel not in _WRITERS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    attrs, slots = build_slots(rng, spec, place)
    # The core sentence comes first: its topic ("[lift]") steers every other piece of the text.
    topic, core = split_tag(rng.choice(spec.facts))
    fact = _fmt(core, slots)
    draft = _Draft(rng, spec, slots, topic, fact)
    title = _title(draft, channel)
    detail = _WRITERS[channel](draft, fact)
    return CaseText(title=title, detail=detail, attributes=attrs, address=slots["address"], topic=topic)


def _plain_slots(rng: random.Random, code: str) -> Slots:
    department = _DEPARTMENTS.get(code, "")
    return {"dept": department, "we": _we(department), "n": str(rng.randint(2, 9))}


def compose_result(rng: random.Random, leaf_code: str, *, resolution: str, topic: str = "") -> str:
    """The handler's feedback. Pass the case's ``CaseText.topic`` so a lift complaint is not answered about fees."""
    spec = spec_for(leaf_code)
    pools = {"solved": spec.solved, "explained": spec.explained, "unsolvable": spec.unsolvable}
    if resolution not in pools:
        raise ValueError(f"unknown resolution {resolution!r}; expected one of {RESOLUTIONS}")
    slots = _plain_slots(rng, leaf_code)
    text = _end(_Draft(rng, spec, slots, topic).pick(pools[resolution]))
    openings = [o for o in p.RESULT_OPENINGS[resolution] if not (text.startswith("经") and o.startswith("经"))]
    if openings and rng.random() < 0.7:
        text = rng.choice(openings) + text
    if rng.random() < 0.6:
        tails = p.RESULT_TAILS[resolution]
        if leaf_code.startswith(("BJ", "SJ")):
            tails = tails + p.RESULT_TAILS_FIELD.get(resolution, ())
        text += rng.choice(tails)
    return text


def compose_rating_comment(rng: random.Random, rating: str) -> str:
    if rating not in p.RATING_COMMENTS:
        raise ValueError(f"unknown rating {rating!r}; expected one of {RATINGS}")
    # Most residents leave the comment box empty when they are content.
    empty = {"satisfied": 0.35, "basic": 0.25, "unsatisfied": 0.1}[rating]
    if rng.random() < empty:
        return ""
    return rng.choice(p.RATING_COMMENTS[rating])


def compose_return_reason(rng: random.Random, leaf_code: str, *, topic: str = "") -> str:
    spec = spec_for(leaf_code)
    slots = _plain_slots(rng, leaf_code)
    if rng.random() < 0.2:
        return _fmt(rng.choice(p.RETURN_GENERIC), slots)
    reason = _Draft(rng, spec, slots, topic).pick(spec.returns)
    return rng.choice(p.RETURN_FRAMES).format(r=reason, we=slots["we"])


def compose_rework_reason(rng: random.Random) -> str:
    return _end(rng.choice(p.REWORK_REASONS))

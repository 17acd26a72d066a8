"""Assembles a leaf's pieces into a title and a detail in the voice of each reporting channel."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from gongzhi.cases.taxonomy_data import leaves as taxonomy_leaves

from . import phrases as p
from .common import AREA, COMPOUND, HOME, ROAD, Attrs, CaseText, LeafSpec, Place, Slots, words
from .registry import SPECS

CHANNELS = ("h5", "hotline", "patrol", "api", "staff")
RESOLUTIONS = ("solved", "explained", "unsolvable")
RATINGS = ("satisfied", "basic", "unsatisfied")
TITLE_MAX = 40

_DEPARTMENTS = {leaf.code: leaf.department for _, _, leaf in taxonomy_leaves()}

_GATES = words("北门 南门 东门 西门 正门 侧门 大门 东北门")
_SIDES = words("东侧 西侧 南侧 北侧 楼下 旁边 门口 后面")
_TIMES = words("好几次 三次 两回 不下五次 多次 几次 四五次")
_ROAD_LANDMARKS = words(
    "公交站台旁 十字路口 人行天桥下 菜市场门口 加油站对面 红绿灯路口 路口转角 辅路边 桥下 超市门口"
)
_SURNAMES = words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 朱 胡 郭 何 高 林 钱 沈")
_END = "。！？；…，："


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
    slots["dur"] = _fmt(rng.choice(p.DURATIONS), {"n": str(rng.randint(3, 9))})
    slots["since"] = _fmt(rng.choice(p.SINCES), slots)
    attrs: Attrs = {}
    if spec.attrs is not None:
        attrs, attr_slots = spec.attrs(rng, place)
        slots.update(attr_slots)
    for key, options in spec.picks.items():
        if key != "spot":
            slots[key] = _fmt(rng.choice(options), slots)
    spot_options = spec.picks.get("spot") or _spot_templates(spec.locus)
    slots["spot"] = _fmt(rng.choice(spot_options), slots)
    if spec.locus == HOME:
        slots["address"] = f"{place.district}{place.street}{place.community}{slots['spot']}"
    elif spec.locus == AREA:
        slots["address"] = f"{place.district}{place.street}{place.community}{slots['compound']}"
    else:
        slots["address"] = f"{place.district}{place.street}{slots['spot']}"
    return attrs, slots


def _pick(rng: random.Random, options: Sequence[str], slots: Slots) -> str:
    return _fmt(rng.choice(options), slots)


def _tried(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    # Leaf-specific remedies read better, generic ones keep the mix from looking canned.
    pool = spec.tried if spec.tried and rng.random() < 0.65 else p.TRIED_GENERIC
    return _pick(rng, pool, slots)


def _details(rng: random.Random, spec: LeafSpec, slots: Slots, most: int) -> list[str]:
    k = min(len(spec.details), rng.choice(range(most + 1)))
    return [_fmt(t, slots) for t in rng.sample(spec.details, k)]


def _h5(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    head: list[str] = []
    if rng.random() < 0.55:
        head.append(rng.choice(p.H5_OPENINGS))
    if rng.random() < 0.45:
        head.append(_pick(rng, spec.intros or p.INTROS[spec.locus], slots) + "，")
    fact = _pick(rng, spec.facts, slots)
    if rng.random() < 0.12:
        fact = rng.choice(p.COLLOQUIAL) + fact
    head.append(_end(fact, rng.choice("。。。，！")))

    middle: list[str] = [_end(d, rng.choice("。。，")) for d in _details(rng, spec, slots, 2)]
    if spec.voices and rng.random() < 0.5:
        middle.append(_end(_pick(rng, spec.voices, slots), rng.choice("。！，")))
    if rng.random() < 0.6:
        middle.append(_end(_pick(rng, p.DURATION_FRAMES_H5, slots), rng.choice("。，！")))
    if rng.random() < 0.5:
        frame = rng.choice(p.TRIED_FRAMES_H5)
        middle.append(_end(frame.format(tried=_tried(rng, spec, slots), outcome=rng.choice(p.TRIED_OUTCOMES))))
    if rng.random() < 0.75:
        middle.append(_end(_pick(rng, spec.impacts, slots), rng.choice("。。！")))
    if rng.random() < 0.3:
        middle.append(_end(rng.choice(p.FEELINGS), rng.choice("。！")))
    if rng.random() < 0.4:
        rng.shuffle(middle)

    demand = rng.choice(p.DEMAND_FRAMES_H5).format(d=_pick(rng, spec.demands, slots))
    tail = [_end(demand, rng.choice("。！"))]
    if rng.random() < 0.55:
        tail.append(rng.choice(p.CLOSINGS))
    text = "".join(head + middle + tail)
    if rng.random() < 0.3:
        text = _quirks(rng, text)
    return _finish(text)


def _hotline(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    parts = [_pick(rng, p.HOTLINE_OPENINGS, slots) + _end(_pick(rng, spec.facts, slots))]
    parts += [_end(d) for d in _details(rng, spec, slots, 1)]
    if rng.random() < 0.5:
        parts.append(_end(_pick(rng, spec.impacts, slots)))
    if rng.random() < 0.6:
        parts.append(_end(_pick(rng, p.HOTLINE_DURATIONS, slots)))
    if rng.random() < 0.4:
        frame = rng.choice(p.HOTLINE_TRIED)
        parts.append(_end(frame.format(tried=_tried(rng, spec, slots), outcome=rng.choice(p.TRIED_OUTCOMES))))
    parts.append(_end(rng.choice(p.HOTLINE_DEMAND_FRAMES).format(d=_pick(rng, spec.demands, slots))))
    if rng.random() < 0.5:
        parts.append(rng.choice(p.HOTLINE_TAILS))
    return _finish("".join(parts))


def _api(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    prefix = rng.choice(p.API_PREFIXES[spec.code[:2]]) if rng.random() < 0.6 else ""
    source = spec.patrol if spec.patrol and rng.random() < 0.5 else spec.facts
    parts = [prefix + _end(_pick(rng, source, slots), "；")]
    parts += [_end(d) for d in _details(rng, spec, slots, 1)]
    parts.append(_end(rng.choice(p.API_DEMAND_FRAMES).format(d=_pick(rng, spec.demands, slots))))
    return _finish("".join(parts))


def _staff(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    parts = [_pick(rng, p.STAFF_OPENINGS, slots) + _end(_pick(rng, spec.facts, slots))]
    parts += [_end(d) for d in _details(rng, spec, slots, 1)]
    if rng.random() < 0.35:
        parts.append(_end("据居民反映已有" + slots["dur"]))
    parts.append(rng.choice(p.STAFF_ACTIONS) + "，" + _end(_pick(rng, p.STAFF_ASKS, slots)))
    return _finish("".join(parts))


def _patrol(rng: random.Random, spec: LeafSpec, slots: Slots) -> str:
    if spec.patrol:
        finding = _pick(rng, p.PATROL_OPENINGS, slots) + _pick(rng, spec.patrol, slots)
        actions = spec.actions if spec.actions and rng.random() < 0.6 else p.PATROL_ACTIONS
    else:
        finding = _pick(rng, p.PATROL_VISIT_OPENINGS, slots) + _pick(rng, spec.facts, slots)
        actions = p.PATROL_VISIT_ACTIONS
    return _finish(_end(finding, "，") + _end(_pick(rng, actions, slots)))


_WRITERS: dict[str, Callable[[random.Random, LeafSpec, Slots], str]] = {
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
    return text if text.endswith(tuple(_END) + ("!",)) else text + "。"


def _title(rng: random.Random, spec: LeafSpec, slots: Slots, channel: str) -> str:
    subject = _pick(rng, spec.subjects, slots)
    resident = channel == "h5" or (channel in ("hotline", "staff") and rng.random() < 0.3)
    if resident:
        title = _pick(rng, spec.titles, slots)
        if channel == "h5" and rng.random() < 0.15:
            title = title.rstrip("！？!") + rng.choice(("！", "！！", "？", "？？"))
    else:
        frames = {
            "hotline": ("反映{spot}{subject}", "关于{spot}{subject}的问题", "{spot}{subject}", "反映{subject}"),
            "api": ("{spot}{subject}", "{spot}{subject}", "{subject}"),
            "patrol": ("{spot}{subject}", "{subject}（{spot}）", "{spot}{subject}"),
            "staff": ("{compound}居民反映{subject}", "{spot}{subject}", "{community}{subject}"),
        }[channel]
        title = _fmt(rng.choice(frames), {**slots, "subject": subject})
    if len(title) > TITLE_MAX:
        title = subject if len(subject) <= TITLE_MAX else subject[:TITLE_MAX]
    return title


def compose(rng: random.Random, leaf_code: str, place: Place, *, channel: str) -> CaseText:
    spec = spec_for(leaf_code)
    if channel not in _WRITERS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    attrs, slots = build_slots(rng, spec, place)
    title = _title(rng, spec, slots, channel)
    detail = _WRITERS[channel](rng, spec, slots)
    return CaseText(title=title, detail=detail, attributes=attrs, address=slots["address"])


def _plain_slots(rng: random.Random, code: str) -> Slots:
    department = _DEPARTMENTS.get(code, "")
    return {"dept": department, "we": _we(department), "n": str(rng.randint(2, 9))}


def compose_result(rng: random.Random, leaf_code: str, *, resolution: str) -> str:
    spec = spec_for(leaf_code)
    pools = {"solved": spec.solved, "explained": spec.explained, "unsolvable": spec.unsolvable}
    if resolution not in pools:
        raise ValueError(f"unknown resolution {resolution!r}; expected one of {RESOLUTIONS}")
    slots = _plain_slots(rng, leaf_code)
    text = _end(_pick(rng, pools[resolution], slots))
    if rng.random() < 0.7:
        text = rng.choice(p.RESULT_OPENINGS) + text
    if rng.random() < 0.6:
        text += rng.choice(p.RESULT_TAILS[resolution])
    return text


def compose_rating_comment(rng: random.Random, rating: str) -> str:
    if rating not in p.RATING_COMMENTS:
        raise ValueError(f"unknown rating {rating!r}; expected one of {RATINGS}")
    # Most residents leave the comment box empty when they are content.
    empty = {"satisfied": 0.35, "basic": 0.25, "unsatisfied": 0.1}[rating]
    if rng.random() < empty:
        return ""
    return rng.choice(p.RATING_COMMENTS[rating])


def compose_return_reason(rng: random.Random, leaf_code: str) -> str:
    spec = spec_for(leaf_code)
    slots = _plain_slots(rng, leaf_code)
    pool = spec.returns if rng.random() < 0.75 else p.RETURN_GENERIC
    reason = _pick(rng, pool, slots)
    return rng.choice(p.RETURN_FRAMES).format(r=reason, we=slots["we"])


def compose_rework_reason(rng: random.Random) -> str:
    return _end(rng.choice(p.REWORK_REASONS))

"""The case-text generator: every leaf and channel, determinism, variety, consistency, and no copying.

Pure Python, no database needed.
"""

from __future__ import annotations

import csv
import dataclasses
import random
import re
import string
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gongzhi.cases.taxonomy_data import leaves
from gongzhi.demo import case_texts
from gongzhi.demo.case_texts import (
    CHANNELS,
    RATINGS,
    RESOLUTIONS,
    SPECS,
    Place,
    bj,
    common,
    compose,
    compose_rating_comment,
    compose_result,
    compose_return_reason,
    compose_rework_reason,
    ms_public,
    ms_social,
    ms_urban,
    phrases,
    sj,
    writer,
)

LEAVES = [leaf for _, _, leaf in leaves()]
CODES = [leaf.code for leaf in LEAVES]
GOV_MESSAGES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gov_messages"
REAL_FILES = ("labeled.csv", "public_messages.csv")
WINDOW = 16

PLACES = [
    Place("尧化街道", "尧化门社区", "仙林东苑", "12栋", "尧新大道", "地铁站口"),
    Place("马群街道", "花港社区", "金地紫郡", "3栋", "马群新街"),
    Place("燕子矶街道", "和燕路社区", "燕华花园二期", "27栋", "和燕路", "农贸市场门口"),
    Place("仙林街道", "文苑社区", "亚东城西苑", "8栋", "文苑路", "学校门口"),
    Place("龙潭街道", "龙潭社区", "", "", "龙潭大街"),
    Place("八卦洲街道", "中桥社区", "中桥新村", "5栋", "洲际路", "桥头"),
]


def random_place(rng: random.Random) -> Place:
    return rng.choice(PLACES)


def spread(n: int, seed: int) -> Iterator[tuple[str, str, case_texts.CaseText]]:
    rng = random.Random(seed)
    for _ in range(n):
        code = rng.choice(CODES)
        channel = rng.choice(CHANNELS)
        yield code, channel, compose(rng, code, random_place(rng), channel=channel)


# -- coverage and shape ----------------------------------------------------------------------------------


def test_every_taxonomy_leaf_has_texts_and_nothing_else() -> None:
    # given the seeded category tree
    # when we compare its leaf codes with the generator's
    # then they are the same 102 codes
    assert sorted(SPECS) == sorted(CODES)
    assert len(CODES) == 102


@pytest.mark.parametrize("leaf", LEAVES, ids=CODES)
def test_every_leaf_writes_for_every_channel(leaf: Any) -> None:
    # given one leaf and its attribute definitions
    keys = {a["key"]: a for a in leaf.attributes}
    required = {k for k, a in keys.items() if a["required"]}
    rng = random.Random(leaf.code)
    for channel in CHANNELS:
        for _ in range(8):
            # when a text is composed for this channel
            text = compose(rng, leaf.code, random_place(rng), channel=channel)
            # then the title is a real title and the detail a real paragraph
            assert text.title.strip(), (leaf.code, channel)
            assert len(text.title) <= 40, (leaf.code, channel, text.title)
            assert 15 <= len(text.detail) <= 600, (leaf.code, channel, text.detail)
            assert "{" not in text.detail and "}" not in text.title
            assert text.address.startswith("栖霞区")
            # and the attributes are exactly the leaf's, well typed
            assert required <= set(text.attributes) <= set(keys), (leaf.code, text.attributes)
            for key, value in text.attributes.items():
                kind = keys[key]["type"]
                if kind == "number":
                    assert isinstance(value, int) and value > 0
                else:
                    assert isinstance(value, str) and value
                if kind == "choice":
                    assert value in keys[key]["choices"]


def test_channels_sound_different() -> None:
    # given one leaf and one place
    rng = random.Random(7)
    place = PLACES[0]
    # when we write many texts per channel
    by_channel = {c: [compose(rng, "BJ0101", place, channel=c).detail for _ in range(60)] for c in CHANNELS}
    # then the operator speaks of the caller, the grid worker of what was found, and residents write longer
    assert all("来电" in t or "市民" in t for t in by_channel["hotline"])
    assert sum("诉求" in t or "要求" in t for t in by_channel["hotline"]) == 60
    assert all("发现" in t or "巡查" in t for t in by_channel["patrol"])
    mean = {c: sum(map(len, ts)) / len(ts) for c, ts in by_channel.items()}
    assert mean["patrol"] < mean["h5"]
    assert mean["patrol"] < 70


def test_unknown_leaf_and_bad_arguments_are_refused() -> None:
    # given a code that is not in the tree, and channels, resolutions and ratings that do not exist
    rng = random.Random(1)
    # then each call says clearly what it could not find
    with pytest.raises(KeyError, match="XX9999"):
        compose(rng, "XX9999", PLACES[0], channel="h5")
    with pytest.raises(KeyError, match="XX9999"):
        compose_result(rng, "XX9999", resolution="solved")
    with pytest.raises(KeyError, match="XX9999"):
        compose_return_reason(rng, "XX9999")
    with pytest.raises(ValueError, match="channel"):
        compose(rng, "BJ0101", PLACES[0], channel="fax")
    with pytest.raises(ValueError, match="resolution"):
        compose_result(rng, "BJ0101", resolution="maybe")
    with pytest.raises(ValueError, match="rating"):
        compose_rating_comment(rng, "great")


# -- templates are well formed ------------------------------------------------------------------------------

TEXT_FIELDS = ("titles", "subjects", "facts", "details", "impacts", "demands", "patrol", "voices", "tried", "intros")
PLAIN_FIELDS = ("solved", "explained", "unsolvable", "returns")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", CODES)
def test_every_template_of_a_leaf_formats(code: str) -> None:
    # given the slots drawn for one text of this leaf
    spec = SPECS[code]
    _, slots = writer.build_slots(random.Random(code), spec, PLACES[0])
    # when every template of every field is formatted
    # then none refers to a slot that is not there (rare templates would otherwise fail only in the seeder)
    for name in (*TEXT_FIELDS, "actions"):
        for template in getattr(spec, name):
            assert placeholders(template) <= set(slots), (code, name, template)
    # and the handler's texts use only what compose_result and compose_return_reason provide
    for name in PLAIN_FIELDS:
        for template in getattr(spec, name):
            assert placeholders(template) <= {"dept", "we", "n"}, (code, name, template)


@pytest.mark.parametrize("code", CODES)
def test_core_sentences_carry_the_attributes_and_stay_neutral(code: str) -> None:
    # given a leaf's attribute keys
    spec = SPECS[code]
    keys = {a["key"] for leaf in LEAVES if leaf.code == code for a in leaf.attributes}
    # then every core sentence names each attribute, so whatever is picked mentions the same facts
    for name in ("facts", "patrol"):
        for template in getattr(spec, name):
            assert keys <= placeholders(template), (code, name, template)
    # and sentences the operator and grid worker reuse are not in the first person
    for name in ("facts", "details", "impacts", "demands", "patrol"):
        for template in getattr(spec, name):
            assert "我" not in template, (code, name, template)
    # and each leaf has enough pieces to vary
    sizes = {name: len(getattr(spec, name)) for name in ("titles", "facts", "details", "impacts", "demands", "solved")}
    assert sizes["titles"] >= 5 and sizes["facts"] >= 4 and sizes["details"] >= 4, (code, sizes)
    assert sizes["impacts"] >= 2 and sizes["demands"] >= 3 and sizes["solved"] >= 2, (code, sizes)


@pytest.mark.parametrize("code", CODES)
def test_topics_are_complete(code: str) -> None:
    # given a leaf whose core sentences are tagged with sub-topics ("[lift]", "[fee]" …)
    spec = SPECS[code]
    topics = {writer.split_tag(line)[0] for line in spec.facts} - {""}
    # then other pieces only use those tags (a typo would silently never be picked)
    for name in (*TEXT_FIELDS, *PLAIN_FIELDS, "actions"):
        tags = {writer.split_tag(line)[0] for line in getattr(spec, name)} - {""}
        assert tags <= topics, (code, name, tags - topics)
    # and every topic finds a title, a demand and an answer of its own or a shared one
    needed = ["titles", "subjects", "demands", "solved", "explained", "unsolvable", "returns"]
    if spec.patrol:
        needed.append("patrol")
    missing = [
        (topic, name)
        for topic in sorted(topics)
        for name in needed
        if not any(writer.split_tag(line)[0] in ("", topic) for line in getattr(spec, name))
    ]
    assert not missing, (code, missing)


# -- determinism and variety -----------------------------------------------------------------------------


def test_same_seed_same_texts() -> None:
    # given two generators with the same seed
    # when they write the same sequence
    first = list(spread(300, seed=42))
    second = list(spread(300, seed=42))
    # then the texts are identical, and a different seed gives different ones
    assert first == second
    assert [t for *_, t in spread(300, seed=43)] != [t for *_, t in first]


def test_helper_texts_are_deterministic() -> None:
    # given the handler, verifier and rater texts for every leaf
    def run(seed: int) -> list[str]:
        rng = random.Random(seed)
        out = [compose_result(rng, c, resolution=r) for c in CODES for r in RESOLUTIONS]
        out += [compose_return_reason(rng, c) for c in CODES]
        out += [compose_rework_reason(rng) for _ in range(20)]
        out += [compose_rating_comment(rng, r) for r in RATINGS for _ in range(10)]
        return out

    # when they are written twice from the same seed
    # then they are the same
    assert run(5) == run(5)


def test_variety_over_all_leaves() -> None:
    # given 2,000 texts over all leaves, places and channels
    texts = [t for *_, t in spread(2000, seed=2024)]
    # then nearly all details are distinct, and titles are varied too
    assert len({t.detail for t in texts}) >= 0.95 * len(texts)
    assert len({t.title for t in texts}) >= 0.6 * len(texts)


@pytest.mark.parametrize("code", CODES)
def test_variety_within_a_leaf(code: str) -> None:
    # given 50 texts of one leaf from one place
    rng = random.Random(code)
    place = PLACES[0]
    details = [compose(rng, code, place, channel=rng.choice(CHANNELS)).detail for _ in range(50)]
    # then at least 80% are distinct
    assert len(set(details)) >= 40, code


def test_leaves_of_a_class_use_their_own_words() -> None:
    # given the facts of each leaf, with the place and attribute slots left out
    def vocabulary(code: str) -> set[str]:
        spec = SPECS[code]
        text = re.sub(r"\{[^}]*\}|\[\w+\]", "", "".join(spec.facts + spec.titles + spec.subjects))
        return {text[i : i + 2] for i in range(len(text) - 1)}

    # then within every class, each leaf has bigrams no sibling uses
    for code in CODES:
        siblings = [c for c in CODES if c[:4] == code[:4] and c != code]
        others: set[str] = set().union(*(vocabulary(c) for c in siblings)) if siblings else set()
        own = vocabulary(code) - others
        assert len(own) >= 10, (code, sorted(own))


def test_texts_read_cleanly() -> None:
    # given many texts of every kind
    texts = [t for *_, t in spread(3000, seed=5)]
    # then no stuttered words, stray marks or unfilled slots slip through (doubled ！！ is a deliberate quirk)
    stutter = "尽快尽快|立即立即|的的|了了"
    clumsy = re.compile(rf"{stutter}|[，；：][。，；：！？]|[。！？][，；：]|^[，。！？；：]|None|[{{}}]")
    assert not [t.detail for t in texts if clumsy.search(t.detail)][:3]
    assert not [t.title for t in texts if clumsy.search(t.title)][:3]


# -- consistency ---------------------------------------------------------------------------------------


def test_attribute_values_appear_in_the_detail() -> None:
    # given texts of every leaf that carries attributes
    rng = random.Random(11)
    coded = [leaf.code for leaf in LEAVES if leaf.attributes]
    assert "SJ0403" in coded and "MS0501" in coded
    for code in coded:
        for channel in CHANNELS:
            for _ in range(5):
                text = compose(rng, code, random_place(rng), channel=channel)
                # then what the form records is what the text says (plate, employer, amount …)
                for key, value in text.attributes.items():
                    assert str(value) in text.detail, (code, channel, key, value, text.detail)


def test_address_follows_the_place() -> None:
    # given one place
    rng = random.Random(3)
    place = PLACES[0]
    for code in CODES:
        text = compose(rng, code, place, channel="patrol")
        # then every leaf's address is a readable address inside that street
        assert text.address.startswith("栖霞区尧化街道"), text.address
        assert place.compound in text.address or place.road in text.address or place.community in text.address


def test_place_without_compound_falls_back_to_community() -> None:
    # given a village place with no compound and no building
    rng = random.Random(4)
    place = Place("龙潭街道", "龙潭社区", "", "", "龙潭大街")
    for code in CODES:
        for channel in CHANNELS:
            text = compose(rng, code, place, channel=channel)
            # then nothing is left blank or doubled ("龙潭社区龙潭社区")
            assert "None" not in text.detail
            assert "龙潭社区龙潭社区" not in text.address and "龙潭社区龙潭社区" not in text.detail


# -- handling texts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_results_and_returns_for_every_leaf(code: str) -> None:
    # given one leaf
    rng = random.Random(code)
    # then every resolution has varied feedback of a sensible length, and so have return reasons
    for resolution in RESOLUTIONS:
        results = {compose_result(rng, code, resolution=resolution) for _ in range(10)}
        assert all(8 <= len(r) <= 200 for r in results), results
        assert len(results) >= 3
    reasons = {compose_return_reason(rng, code) for _ in range(10)}
    assert all(8 <= len(r) <= 120 for r in reasons)
    assert len(reasons) >= 3


def test_results_follow_the_topic_of_the_case() -> None:
    # given lift complaints under 物业服务 (a leaf with several sub-topics)
    rng = random.Random(12)
    texts = [compose(rng, "MS0101", PLACES[0], channel="h5") for _ in range(200)]
    lifts = [t for t in texts if t.topic == "lift"]
    assert lifts and all("电梯" in t.title + t.detail for t in lifts)
    # when the handler's feedback is written for their topic
    results = [compose_result(rng, "MS0101", resolution="solved", topic=t.topic) for t in lifts]
    # then it talks about the lift, never about fees or the owners' committee
    assert all("电梯" in r for r in results), results
    assert not any("收费" in r or "业委会" in r for r in results)


def test_rework_and_rating_texts() -> None:
    # given the verifier's and the resident's short texts
    rng = random.Random(9)
    # then they vary, and rating comments are short and sometimes empty
    assert len({compose_rework_reason(rng) for _ in range(50)}) >= 8
    for rating in RATINGS:
        comments = [compose_rating_comment(rng, rating) for _ in range(100)]
        assert "" in comments  # residents often leave it empty
        assert len({c for c in comments if c}) >= 5
        assert all(len(c) <= 40 for c in comments)


# -- nothing copied from real messages -------------------------------------------------------------------------


def template_strings() -> Iterator[str]:
    """Every string constant the generator is built from, however deeply nested."""

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, tuple | list):
            for v in value:
                yield from walk(v)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                yield from walk(getattr(value, f.name))

    modules: tuple[ModuleType, ...] = (common, phrases, writer, bj, sj, ms_urban, ms_social, ms_public)
    for module in modules:
        for name, value in vars(module).items():
            if not name.startswith("__"):
                yield from walk(value)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def real_windows() -> set[int]:
    if not all((GOV_MESSAGES / name).exists() for name in REAL_FILES):
        pytest.skip(f"real messages not found under {GOV_MESSAGES}; the no-copy check needs them")
    # Hashes, not strings: two million 16-character windows as str would take several hundred MB.
    windows: set[int] = set()
    for name in REAL_FILES:
        with (GOV_MESSAGES / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for field in (row["title"], row["detail"]):
                    text = squeeze(field)
                    windows.update(hash(text[i : i + WINDOW]) for i in range(len(text) - WINDOW + 1))
    return windows


def copied(text: str, windows: set[int]) -> list[str]:
    text = squeeze(text)
    return [text[i : i + WINDOW] for i in range(len(text) - WINDOW + 1) if hash(text[i : i + WINDOW]) in windows]


@pytest.mark.slow
def test_no_template_repeats_a_real_message(real_windows: set[int]) -> None:
    # given all 16-character runs of the real titles and details
    # when we slide over every template string of the generator
    hits = {s: copied(s, real_windows) for s in template_strings()}
    # then none of them shares a run
    assert not {s: h for s, h in hits.items() if h}


@pytest.mark.slow
def test_no_generated_text_repeats_a_real_message(real_windows: set[int]) -> None:
    # given 5,000 generated texts plus their handling notes
    rng = random.Random(77)
    texts = [t.title + "\n" + t.detail for *_, t in spread(5000, seed=77)]
    texts += [compose_result(rng, c, resolution=r) for c in CODES for r in RESOLUTIONS]
    texts += [compose_return_reason(rng, c) for c in CODES]
    # then no 16-character run of any of them occurs in a real message
    hits = {t: h for t in texts if (h := copied(t, real_windows))}
    assert not hits, list(hits.items())[:5]

"""Personal data at rest: sealed, masked, found by keyed digest, and keyed from the environment only."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from gongzhi.core import pii
from gongzhi.core.models import Role
from gongzhi.people.selectors import search_people
from gongzhi.people.validators import validate_id_number
from tests.people.conftest import PeopleTree

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def fresh_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test choose the key; the cached keys are dropped before and after."""
    pii.keys.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    pii.keys.cache_clear()


# ── masks ─────────────────────────────────────────────────────────────────────────────────────────


def test_masks_keep_only_what_identifies_a_record_to_a_clerk() -> None:
    assert pii.mask_id_number("320113199001011234") == "320113********1234"
    assert pii.mask_id_number("320113850101021") == "320113*****1021"  # a legacy 15-digit number
    assert pii.mask_phone(PHONE) == "138****5678"
    assert pii.mask_phone("025-84567890") == "025****7890"
    assert (pii.mask_name("张三"), pii.mask_name("欧阳娜娜"), pii.mask_name("王")) == ("张*", "欧**娜", "王")


def test_masks_of_short_values_hide_everything() -> None:
    assert pii.mask_id_number("12345") == "*****" and pii.mask_phone("110") == "***"


# ── sealing ───────────────────────────────────────────────────────────────────────────────────────


def test_sealing_round_trips_and_never_contains_the_plaintext() -> None:
    sealed = pii.seal_id_number(" 1101 0519 4912 3100 2x ")

    assert pii.decrypt(sealed.ciphertext) == ID
    assert ID not in sealed.ciphertext and ID[:6] not in sealed.digest
    assert sealed.masked == "110105********002X" and sealed.ciphertext.startswith(pii.PREFIX)


def test_the_same_value_seals_differently_but_digests_the_same() -> None:
    first, second = pii.seal_phone(PHONE), pii.seal_phone(PHONE)

    assert first.ciphertext != second.ciphertext  # a fresh nonce each time
    assert first.digest == second.digest == pii.digest("138 1234 5678") == pii.digest("１３８１２３４５６７８")


def test_a_tampered_ciphertext_is_refused() -> None:
    token = pii.encrypt(PHONE)
    blob = bytearray(base64.b64decode(token[len(pii.PREFIX) :]))
    blob[-1] ^= 1

    with pytest.raises(InvalidTag):
        pii.decrypt(pii.PREFIX + base64.b64encode(bytes(blob)).decode())


def test_an_unknown_ciphertext_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        pii.decrypt("v0:abc")


def test_empty_values_stay_empty() -> None:
    assert pii.seal_phone("") == pii.Sealed("", "", "") and pii.decrypt("") == ""


# ── keys ──────────────────────────────────────────────────────────────────────────────────────────


def test_the_key_comes_from_the_environment_and_changes_every_digest(fresh_keys: pytest.MonkeyPatch) -> None:
    before = pii.digest(PHONE)
    token = pii.encrypt(PHONE)
    fresh_keys.setenv("GONGZHI_PII_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    pii.keys.cache_clear()

    assert pii.digest(PHONE) != before
    with pytest.raises(InvalidTag):
        pii.decrypt(token)  # another key cannot open what the first one sealed


def test_production_refuses_to_run_without_a_key(fresh_keys: pytest.MonkeyPatch) -> None:
    fresh_keys.delenv("GONGZHI_PII_KEY", raising=False)

    with override_settings(GONGZHI_PII_KEY_AUTOCREATE=False), pytest.raises(ImproperlyConfigured):
        pii.keys()


def test_a_key_of_the_wrong_length_is_refused(fresh_keys: pytest.MonkeyPatch) -> None:
    fresh_keys.setenv("GONGZHI_PII_KEY", base64.b64encode(b"too short").decode())

    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        pii.keys()


# ── finding people by the digest ──────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_an_exact_id_number_finds_its_person_in_any_typed_form(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").residents[1]
    id_number, _ = people_tree.plaintext[person.pk]
    secretary = people_tree.users[Role.COMMUNITY_SECRETARY]
    spaced = f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}".lower()
    full_width = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

    for typed in (id_number, spaced, full_width):
        assert list(search_people(secretary, typed)) == [person]


@pytest.mark.django_db
def test_a_legacy_15_digit_number_finds_the_18_digit_record(people_tree: PeopleTree) -> None:
    from gongzhi.people.actions import do_create_person

    person = do_create_person(actor=None, name="老户", id_number="320113560101021", grid=people_tree.tree.grid1)
    secretary = people_tree.users[Role.COMMUNITY_SECRETARY]

    assert list(search_people(secretary, "320113560101021")) == [person]
    assert list(search_people(secretary, validate_id_number("320113560101021").number)) == [person]


@pytest.mark.django_db
def test_a_phone_finds_its_person_and_a_name_fragment_finds_by_name(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").resident
    _, phone = people_tree.plaintext[person.pk]
    staff = people_tree.users[Role.COMMUNITY_STAFF]

    assert list(search_people(staff, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}")) == [person]
    assert person in search_people(staff, person.name[1:])
    assert search_people(staff, "").count() == search_people(staff, "  ").count() > 3


@pytest.mark.django_db
def test_search_stays_inside_the_scope(people_tree: PeopleTree) -> None:
    outside = people_tree.place("grid2").resident
    id_number, phone = people_tree.plaintext[outside.pk]
    worker = people_tree.users[Role.GRID_WORKER]  # grid1 only

    assert not search_people(worker, id_number).exists()
    assert not search_people(worker, phone).exists()
    assert not search_people(worker, outside.name).exists()
    assert not search_people(people_tree.users[Role.SYSTEM_ADMIN], id_number).exists()


@pytest.mark.django_db
def test_a_number_with_a_wrong_check_character_finds_nobody(people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").resident
    id_number, _ = people_tree.plaintext[person.pk]
    wrong = id_number[:17] + ("0" if id_number[17] != "0" else "1")

    assert not search_people(people_tree.users[Role.COMMUNITY_STAFF], wrong).exists()

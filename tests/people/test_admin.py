"""People in the Django admin: view-only, and only ever masked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.people.conftest import PeopleTree

pytestmark = pytest.mark.django_db

MODELS = ["person", "unit", "partyorganization", "partymember", "department"]


@pytest.fixture
def admin_client_(client: Client, people_tree: PeopleTree) -> Client:
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelists_open_and_nothing_can_be_added(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/people/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/people/{model}/add/").status_code == 403


def test_a_person_shows_masked_values_and_cannot_be_changed(admin_client_: Client, people_tree: PeopleTree) -> None:
    person = people_tree.place("grid1").resident
    id_number, phone = people_tree.plaintext[person.pk]
    url = reverse("admin:people_person_change", args=[person.pk])

    html = admin_client_.get(url).content.decode()
    admin_client_.post(url, {"name": "改名"})

    assert person.id_number_masked in html and person.phone_masked in html
    assert id_number not in html and phone not in html
    assert person.id_number_ciphertext not in html and person.id_number_digest not in html
    person.refresh_from_db()
    assert person.name != "改名"


def test_the_person_list_is_masked_too(admin_client_: Client, people_tree: PeopleTree) -> None:
    html = admin_client_.get("/admin/people/person/").content.decode()

    assert not [v for v in people_tree.all_plaintext() if v in html]
    assert people_tree.place("grid1").resident.id_number_masked in html

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from gongzhi.core.models import Role
from tests.conftest import SmallTree
from tests.web.users import make_user


@pytest.fixture
def street_worker(small_tree: SmallTree) -> User:
    return make_user("zhang", Role.STREET_STAFF, small_tree.street, first_name="张伟")


@pytest.fixture
def street_client(client: Client, street_worker: User) -> Client:
    client.force_login(street_worker)
    return client

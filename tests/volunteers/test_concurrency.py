"""Races on PostgreSQL: ten volunteers sign up at the same moment for three places; exactly three get one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from gongzhi.core.errors import Conflict
from gongzhi.people.models import Person
from gongzhi.volunteers.actions.activities import do_sign_up
from gongzhi.volunteers.models import SignUp, Volunteer
from tests.races import needs_postgres, race
from tests.serviceloop.world import World
from tests.volunteers.conftest import make_activity

pytestmark = pytest.mark.django_db(transaction=True)


def _volunteers(w: World, n: int) -> list[User]:
    users = []
    for i in range(n):
        person = Person.objects.create(name=f"志愿者{i}", region_code=w.people.tree.grid1.code)
        user = User.objects.create_user(username=f"racer{i}")
        Volunteer.objects.create(
            person=person, user=user, community=w.community, region_code=w.community.code, joined_on=dt.date(2025, 1, 1)
        )
        users.append(user)
    return users


def test_ten_sign_ups_for_three_places_exactly_three_win(world: World) -> None:
    needs_postgres()
    activity = make_activity(world, capacity=3)
    users = _volunteers(world, 10)
    wins, errors = race(
        [lambda u=user: do_sign_up(actor=u, activity_id=activity.pk) for user in users]  # type: ignore[misc]
    )
    assert wins == 3
    assert len(errors) == 7 and all(isinstance(e, Conflict) and e.items[0].code == "full" for e in errors)
    assert SignUp.objects.filter(activity=activity, status="signed_up").count() == 3

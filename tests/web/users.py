"""Users with roles for page tests; shared by tests/web, tests/regions/test_views.py and the browser test."""

from __future__ import annotations

from django.contrib.auth.models import User

from gongzhi.core.models import Membership
from gongzhi.regions.models import Region

PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str | None = None, region: Region | None = None, **extra: str) -> User:
    """A user with one role in one region; without a role, a user who may sign in but sees nothing."""
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        Membership.objects.create(user=user, role=role, region=region)
    return user

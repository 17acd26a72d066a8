"""Test run: same database selection as everywhere, fast hashing, no debug."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests hold no real secrets
DEBUG = False

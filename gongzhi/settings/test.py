"""Test run: same database selection as everywhere, fast hashing, no debug."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests hold no real secrets
DEBUG = False

# WhiteNoise serves straight from the app folders here; the empty root just keeps it quiet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Without GONGZHI_PII_KEY the demo and the tests make their own key in GONGZHI_HOME/pii.key.
GONGZHI_PII_KEY_AUTOCREATE = True

"""Local development and the demo city: debug on, SQLite by default."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT, env_bool

DEBUG = env_bool("GONGZHI_DEBUG", True)

# WhiteNoise serves straight from the app folders here; the empty root just keeps it quiet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Without GONGZHI_PII_KEY the demo and the tests make their own key in GONGZHI_HOME/pii.key.
GONGZHI_PII_KEY_AUTOCREATE = True

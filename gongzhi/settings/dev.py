"""Local development and the demo city: debug on, SQLite by default."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("GONGZHI_DEBUG", True)

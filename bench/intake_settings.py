"""Settings of the server under `gongzhi bench intake`: production's, with the intake throttle lifted.

Production limits each API client to 60 reports a minute (cases.api.auth.IntakeThrottle); the
benchmark is one client sending hundreds a second, so its limit is raised — the throttle still runs
on every request and its cost stays in the figure. Everything else (DEBUG off, whitenoise, security
middleware, sessions in the database, logging) is production's. The caller supplies the secrets and
GONGZHI_SSL_REDIRECT=0 (no TLS proxy in front of the benchmark).
"""

from gongzhi.settings.production import *  # noqa: F403
from gongzhi.settings.production import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **(REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}),  # type: ignore[dict-item]
        "cases_intake": "1000000/min",
    },
}

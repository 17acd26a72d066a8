from tests.serviceloop.world import world  # noqa: F401

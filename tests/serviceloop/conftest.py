from tests.serviceloop.world import world

__all__ = ["world"]

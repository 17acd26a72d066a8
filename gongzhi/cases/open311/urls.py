"""/open311/v2/: the GeoReport v2 endpoints."""

app_name = "open311"

urlpatterns: list = []  # type: ignore[type-arg]

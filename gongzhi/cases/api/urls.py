"""/api/v1/ endpoints of the case loop."""

app_name = "cases-api"

urlpatterns: list = []  # type: ignore[type-arg]

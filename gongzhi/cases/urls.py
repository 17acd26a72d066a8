"""Pages of the case loop (staff pages and the resident's H5 pages)."""

from django.urls import path

app_name = "cases"

urlpatterns: list = []  # type: ignore[type-arg]

"""/api/: versioned REST endpoints of every app, plus the OpenAPI schema and its browser."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gongzhi.core.api.errors import not_found

urlpatterns = [
    path("v1/", include("gongzhi.regions.api.urls")),
    path("v1/", include("gongzhi.people.api.urls")),
    path("v1/", include("gongzhi.cases.api.urls")),
    path("v1/", include("gongzhi.points.api.urls")),
    path("v1/", include("gongzhi.registrations.api.urls")),
    path("v1/", include("gongzhi.services.api.urls")),
    path("v1/", include("gongzhi.volunteers.api.urls")),
    path("v1/", include("gongzhi.wishes.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: any other /api/ URL answers the structured JSON 404, not Django's HTML page.
    re_path(r"", not_found, name="api-not-found"),
]

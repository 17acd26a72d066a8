"""/open311/v2/: the GeoReport v2 endpoints (docs/open311.md); the format is the suffix, as the spec says."""

from django.urls import path, re_path

from gongzhi.cases.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[A-Za-z0-9_-]{{1,20}}){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests_collection, name="requests"),
    re_path(rf"^requests/(?P<number>[A-Za-z0-9-]{{1,20}}){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[A-Za-z0-9-]{{1,20}}){FMT}$", views.token, name="token"),
    path("media/<str:number>/<int:photo_id>", views.media, name="media"),
    # Anything else under /open311/v2/ answers the spec's 404 body, not the site's HTML page.
    re_path(r"", views.not_found, name="not-found"),
]

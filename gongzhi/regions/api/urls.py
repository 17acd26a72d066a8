from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from gongzhi.regions.api import views

app_name = "regions-api"

# SimpleRouter, not DefaultRouter: other apps mount their routers at /api/v1/ too, and one app's
# API root page there would shadow the others'.
router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("buildings", views.BuildingViewSet, basename="building")

urlpatterns = [
    # The region as one GeoJSON Feature; the `format` kwarg makes DRF pick the GeoJSON renderer.
    re_path(
        rf"^regions/(?P<code>{views.CODE_PATTERN})\.(?P<format>geojson)$",
        views.RegionViewSet.as_view({"get": "retrieve"}),
        name="region-geojson",
    ),
    path("locate/", views.LocateView.as_view(), name="locate"),
    path("locate/batch/", views.LocateBatchView.as_view(), name="locate-batch"),
    *router.urls,
]

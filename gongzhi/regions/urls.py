"""Pages of the jurisdiction tree. Objects are addressed by their code, never by database id:
codes are what people read out on the phone and print on door plates."""

from django.urls import path, re_path

from gongzhi.regions import views

# 6, 9, 12 or 15 digits for regions, 19 for buildings: anything else 404s before any query.
# Plain patterns rather than registered converters, whose names are global to the whole site.
REGION_CODE = r"(?P<code>\d{6}(?:\d{3}){0,3})"
BUILDING_CODE = r"(?P<code>\d{19})"

app_name = "regions"

urlpatterns = [
    path("regions/", views.region_list, name="list"),
    re_path(rf"^regions/{REGION_CODE}/$", views.region_detail, name="detail"),
    re_path(rf"^regions/{REGION_CODE}/geojson$", views.region_geojson, name="geojson"),
    re_path(rf"^buildings/{BUILDING_CODE}/$", views.building_detail, name="building"),
    path("search/", views.search, name="search"),
]

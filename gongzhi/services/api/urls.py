"""/api/v1/ endpoints of the supply–demand lists and ordered services."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.services.api import matching, views

app_name = "services-api"

router = SimpleRouter()
router.register("need-categories", views.NeedCategoryViewSet, basename="need-category")
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("needs", views.NeedViewSet, basename="need")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    path("services/campaign/", matching.CampaignView.as_view(), name="campaign"),
    path("project-claims/<int:pk>/<str:verb>/", views.ClaimActionView.as_view(), name="claim-action"),
    path("orders/<int:pk>/<str:verb>/", views.OrderActionView.as_view(), name="order-action"),
    *router.urls,
]

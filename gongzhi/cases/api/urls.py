"""/api/v1/ endpoints of the case loop."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.cases.api import views

app_name = "cases-api"

# SimpleRouter, not DefaultRouter: several apps mount their routers at /api/v1/ (see regions).
router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("cases", views.CaseViewSet, basename="case")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("requests/<int:pk>/decide/", views.RequestDecideView.as_view(), name="request-decide"),
    path("tickets/<str:number>/", views.TicketView.as_view(), name="ticket"),
    path("tickets/<str:number>/rate/", views.TicketRateView.as_view(), name="ticket-rate"),
    path("tickets/<str:number>/photos/<int:photo_id>/", views.TicketPhotoView.as_view(), name="ticket-photo"),
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    *router.urls,
]

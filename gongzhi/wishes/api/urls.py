"""/api/v1/ endpoints of the micro-wishes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.wishes.api import views

app_name = "wishes-api"

# SimpleRouter, not DefaultRouter: several apps mount their routers at /api/v1/.
router = SimpleRouter()
router.register("wishes", views.WishViewSet, basename="wish")

urlpatterns = [
    path("wish-tickets/<str:number>/", views.WishTicketView.as_view(), name="ticket"),
    path("wish-tickets/<str:number>/confirm/", views.WishTicketConfirmView.as_view(), name="ticket-confirm"),
    *router.urls,
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.points.api import views

app_name = "points-api"

router = SimpleRouter()
router.register("points/stations", views.StationViewSet, basename="station")
router.register("points/redemptions", views.RedemptionViewSet, basename="redemption")
router.register("points/accounts", views.AccountViewSet, basename="account")
router.register("points/transactions", views.TransactionViewSet, basename="transaction")

urlpatterns = [path("points/me/", views.MyPointsView.as_view(), name="me"), *router.urls]

"""Pages of the points ledger: the participant's (phone first) and the staff's, all under /points/."""

from django.urls import path

from gongzhi.points.views import participant, staff

app_name = "points"

urlpatterns = [
    # participants
    path("points/me/", participant.me, name="me"),
    path("points/stations/", participant.stations, name="stations"),
    path("points/stations/<int:pk>/", participant.station, name="station"),
    path("points/items/<int:pk>/redeem/", participant.redeem, name="redeem"),
    path("points/redemptions/<str:code>/", participant.redemption, name="redemption"),
    # station staff
    path("points/stations/new/", staff.station_add, name="station_add"),
    path("points/stations/<int:pk>/items/", staff.item_add, name="item_add"),
    path("points/stations/<int:pk>/counter/", staff.counter_redeem, name="counter_redeem"),
    path("points/items/<int:pk>/restock/", staff.item_restock, name="item_restock"),
    path("points/items/<int:pk>/toggle/", staff.item_toggle, name="item_toggle"),
    path("points/accounts/", staff.accounts, name="accounts"),
    path("points/accounts/<int:pk>/", staff.account, name="account"),
    path("points/transactions/<int:pk>/reverse/", staff.reverse_transaction, name="reverse"),
    # the system administrator
    path("points/rules/", staff.rules, name="rules"),
]

"""Pages of volunteers, teams and activities. Participants use /activities/, /activities/scan/<token>/
and /volunteers/me/; the rest is for staff, and the activity detail and QR page for organisers too."""

from django.urls import path

from gongzhi.volunteers.views import activities, register

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", register.volunteer_list, name="volunteer_list"),
    path("volunteers/add/", register.volunteer_add, name="volunteer_add"),
    path("volunteers/me/", activities.me, name="me"),
    path("volunteers/<int:pk>/", register.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/edit/", register.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/active/", register.volunteer_active, name="volunteer_active"),
    path("teams/", register.team_list, name="team_list"),
    path("teams/add/", register.team_add, name="team_add"),
    path("teams/<int:pk>/", register.team_detail, name="team"),
    path("teams/<int:pk>/members/<str:op>/", register.team_member, name="team_member"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/add/", activities.activity_add, name="activity_add"),
    path("activities/scan/<str:token>/", activities.scan, name="scan"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity"),
    path("activities/<int:pk>/status/", activities.activity_status, name="activity_status"),
    path("activities/<int:pk>/confirm/", activities.activity_confirm, name="activity_confirm"),
    path("activities/<int:pk>/check-out/", activities.activity_check_out, name="activity_check_out"),
    path("activities/<int:pk>/qr/", activities.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/qr/code/", activities.activity_qr_code, name="activity_qr_code"),
    path("activities/<int:pk>/<str:op>/", activities.activity_sign_up, name="activity_sign_up"),
]

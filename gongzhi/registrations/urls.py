"""Pages of 双报到 under /registrations/."""

from django.urls import path

from gongzhi.registrations.views import board, meetings, mine, registrations

app_name = "registrations"

urlpatterns = [
    path("registrations/", registrations.registration_list, name="list"),
    path("registrations/units/new/", registrations.unit_apply, name="unit_apply"),
    path("registrations/members/new/", registrations.member_apply, name="member_apply"),
    path("registrations/units/<int:pk>/", registrations.unit_detail, name="unit"),
    path("registrations/<str:kind>/<int:pk>/decide/", registrations.decide, name="decide"),
    path("registrations/<str:kind>/<int:pk>/withdraw/", registrations.withdraw, name="withdraw"),
    path("registrations/meetings/", meetings.meeting_list, name="meetings"),
    path("registrations/meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("registrations/compliance/", board.compliance_board, name="compliance"),
    path("registrations/compliance/export.xlsx", board.compliance_export, name="compliance_export"),
    path("registrations/hours/", board.member_hours_page, name="hours"),
    path("registrations/duty/", board.duty_hours, name="duty"),
    path("registrations/mine/", mine.mine, name="mine"),
]

"""/api/v1/registrations/… endpoints of 双报到."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from gongzhi.registrations.api import views

app_name = "registrations-api"

router = SimpleRouter()
router.register("registrations/units", views.UnitRegistrationViewSet, basename="unit-registration")
router.register("registrations/members", views.MemberRegistrationViewSet, basename="member-registration")
router.register("registrations/contacts", views.ContactViewSet, basename="unit-contact")
router.register("registrations/meetings", views.MeetingViewSet, basename="joint-meeting")

urlpatterns = [
    path("registrations/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("registrations/hours/", views.HoursView.as_view(), name="hours"),
    *router.urls,
]

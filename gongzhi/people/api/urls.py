from rest_framework.routers import SimpleRouter

from gongzhi.people.api import views

app_name = "people-api"

# SimpleRouter, not DefaultRouter: several apps mount their routers at /api/v1/ (see regions).
router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("party-organizations", views.PartyOrganizationViewSet, basename="partyorganization")
router.register("party-members", views.PartyMemberViewSet, basename="partymember")
router.register("units", views.UnitViewSet, basename="unit")
router.register("departments", views.DepartmentViewSet, basename="department")

urlpatterns = router.urls

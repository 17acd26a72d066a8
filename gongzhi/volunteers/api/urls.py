"""/api/v1/ endpoints of volunteers, teams and activities."""

from rest_framework.routers import SimpleRouter

from gongzhi.volunteers.api import views

app_name = "volunteers-api"

router = SimpleRouter()
router.register("volunteers", views.VolunteerViewSet, basename="volunteer")
router.register("teams", views.TeamViewSet, basename="team")
router.register("activities", views.ActivityViewSet, basename="activity")

urlpatterns = router.urls

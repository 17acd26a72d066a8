from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    # Sign-in with lock-out and second factor, the audit search, account administration.
    path("", include("gongzhi.core.web.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("gongzhi.api_urls")),
    path("", include("gongzhi.regions.urls")),
    path("", include("gongzhi.people.urls")),
    path("", include("gongzhi.cases.urls")),
    path("open311/v2/", include("gongzhi.cases.open311.urls")),
    path("", include("gongzhi.points.urls")),
    path("", include("gongzhi.registrations.urls")),
    path("", include("gongzhi.services.urls")),
    path("", include("gongzhi.volunteers.urls")),
    path("", include("gongzhi.wishes.urls")),
    path("", include("gongzhi.web.urls")),
]

handler500 = "gongzhi.core.api.errors.server_error"

from django.urls import path

from gongzhi.web import participant, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("serve/", participant.serve, name="serve"),
]

"""Pages of the supply–demand lists and ordered services, under /services/."""

from django.urls import path

from gongzhi.services.views import campaign, lists, orders, projects

app_name = "services"

urlpatterns = [
    path("services/", lists.hub, name="hub"),
    path("services/resources/new/", lists.resource_new, name="resource_new"),
    path("services/resources/<int:pk>/", lists.resource_detail, name="resource"),
    path("services/resources/<int:pk>/edit/", lists.resource_edit, name="resource_edit"),
    path("services/needs/new/", lists.need_new, name="need_new"),
    path("services/needs/<int:pk>/", lists.need_detail, name="need"),
    path("services/needs/<int:pk>/edit/", lists.need_edit, name="need_edit"),
    path("services/needs/<int:pk>/status/", lists.need_status, name="need_status"),
    path("services/projects/new/", projects.project_new, name="project_new"),
    path("services/projects/<int:pk>/", projects.project_detail, name="project"),
    path("services/projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("services/projects/<int:pk>/<str:action>/", projects.project_act, name="project_act"),
    path("services/claims/<int:pk>/<str:action>/", projects.claim_act, name="claim_act"),
    path("services/campaign/", campaign.campaign, name="campaign"),
    path("services/orders/", orders.community_orders, name="orders"),
    path("services/orders/new/", orders.order_new, name="order_new"),
    path("services/orders/queue/", orders.alliance_queue, name="queue"),
    path("services/inbox/", orders.inbox, name="inbox"),
    path("services/orders/<str:number>/", orders.order_detail, name="order"),
    path("services/orders/<str:number>/act/<str:action>/", orders.order_act, name="order_act"),
]

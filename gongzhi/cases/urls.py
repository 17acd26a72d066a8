"""Pages of the case loop: staff pages by work list, and the resident's H5 pages under /h5/.

Cases are addressed by ticket number (what people read out on the phone), never by database id.
"""

from django.urls import path

from gongzhi.cases.views import config, detail, field, h5, imports, inbox, indicators, privacy, queue

app_name = "cases"

urlpatterns = [
    # the dispatcher
    path("cases/", queue.queue, name="queue"),
    path("cases/dispatch/", queue.bulk_dispatch, name="bulk_dispatch"),
    path("cases/map/", queue.case_map, name="map"),
    path("cases/map/data/", queue.case_map_data, name="map_data"),
    path("cases/import/", imports.hotline_import, name="import"),
    path("cases/import/template.xlsx", imports.hotline_template, name="import_template"),
    path("cases/<str:number>/", detail.case_detail, name="detail"),
    path("cases/<str:number>/act/<str:action>/", detail.case_act, name="act"),
    path("cases/<str:number>/photos/<int:photo_id>/", detail.case_photo, name="photo"),
    path("cases/<str:number>/reveal/", privacy.case_reveal, name="reveal"),
    # handlers, grid workers, everyone's notifications
    path("inbox/", inbox.inbox, name="inbox"),
    path("tasks/", field.tasks, name="tasks"),
    path("tasks/report/", field.patrol_report, name="patrol_report"),
    path("notifications/", inbox.notifications, name="notifications"),
    path("notifications/read/", inbox.notifications_read, name="notifications_read"),
    # oversight
    path("indicators/", indicators.indicator_page, name="indicators"),
    path("indicators/export.xlsx", indicators.indicator_export, name="indicators_export"),
    # reference data
    path("categories/", config.categories, name="categories"),
    path("categories/<str:code>/", config.category_edit, name="category_edit"),
    path("categories/<str:code>/duty/", config.duty_list, name="duty"),
    path("loop-settings/", config.loop_settings, name="loop_settings"),
    path("loop-settings/api-clients/", config.api_clients, name="api_clients"),
    path("loop-settings/calendar/", config.calendar, name="calendar"),
    path("admissions/", config.admissions, name="admissions"),
    path("admissions/<int:pk>/revoke/", config.admission_revoke, name="admission_revoke"),
    # the resident (no sign-in)
    path("h5/", h5.h5_home, name="h5_home"),
    path("h5/report/", h5.h5_report, name="h5_report"),
    path("h5/report/done/<str:number>/", h5.h5_done, name="h5_done"),
    path("h5/categories/", h5.h5_categories, name="h5_categories"),
    path("h5/grids.geojson", h5.h5_grids, name="h5_grids"),
    path("h5/t/<str:number>/<str:token>/", h5.h5_status, name="h5_status"),
    path("h5/t/<str:number>/<str:token>/photos/<int:photo_id>/", h5.h5_photo, name="h5_photo"),
]

"""Pages of the micro-wishes: the red-rope board, one wish, the staff list, and the resident's H5 pages.

Wishes are addressed by their number (W + date + sequence), never by database id.
"""

from django.urls import path

from gongzhi.wishes.views import board, detail, h5, staff

app_name = "wishes"

urlpatterns = [
    path("wishes/", staff.staff_list, name="list"),
    path("wishes/new/", staff.staff_post, name="post"),
    path("wishes/board/", board.board, name="board"),
    path("wishes/mine/", board.mine, name="mine"),
    path("wishes/<str:number>/", detail.detail, name="detail"),
    path("wishes/<str:number>/claim/", board.claim, name="claim"),
    path("wishes/<str:number>/fulfil/", detail.fulfil, name="fulfil"),
    path("wishes/<str:number>/release/", detail.release, name="release"),
    path("wishes/<str:number>/confirm/", detail.confirm, name="confirm"),
    path("wishes/<str:number>/cancel/", detail.cancel, name="cancel"),
    path("wishes/<str:number>/invite/", detail.invite, name="invite"),
    path("wishes/<str:number>/photos/<int:photo_id>/", detail.photo, name="photo"),
    # the resident (no sign-in)
    path("h5/wish/", h5.h5_post, name="h5_post"),
    path("h5/wish/done/<str:number>/", h5.h5_done, name="h5_done"),
    path("h5/wish/t/<str:number>/<str:token>/", h5.h5_status, name="h5_status"),
    path("h5/wish/t/<str:number>/<str:token>/photos/<int:photo_id>/", h5.h5_photo, name="h5_photo"),
]

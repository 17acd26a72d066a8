"""Every API error has the same body: {"errors": [{"field", "code", "message"}]}.

Clients branch on `code` (stable, English, snake_case) and show `message` (translated to the
request's language); `field` names the input at fault, dotted for nested input ("points.17"), or
`non_field_errors` when no single input is to blame (authentication, missing objects).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from gongzhi.core.errors import Conflict, DomainError, NotFound

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NON_FIELD = "non_field_errors"


def _flatten(detail: Any, field: str = NON_FIELD) -> list[dict[str, str]]:
    if isinstance(detail, dict):
        items: list[dict[str, str]] = []
        for key, value in detail.items():
            name = field if key in (NON_FIELD, "detail") else (key if field == NON_FIELD else f"{field}.{key}")
            items.extend(_flatten(value, name))
        return items
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": field, "code": str(code), "message": str(detail)}]


def error_response(items: list[dict[str, str]], status_code: int) -> Response:
    return Response({"errors": items}, status=status_code)


def api_error(
    exc_class: type[exceptions.APIException], field: str, code: str, message: StrOrPromise
) -> exceptions.APIException:
    """An exception of the given HTTP kind whose single error names `field` and `code`.

    `raise api_error(exceptions.NotFound, "lon", "outside_grids", _("..."))` answers 404 with a
    field-specific item instead of the generic "Not found.".
    """
    return exc_class(detail={field: [exceptions.ErrorDetail(str(message), code=code)]})


def exception_handler(exc: Exception, ctx: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        code = status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else status.HTTP_400_BAD_REQUEST
        return error_response([i.as_dict() for i in exc.items], code)
    # The selectors' NotFound carries the looked-up key; never echo it, so a missing object and an
    # out-of-scope one produce byte-identical answers.
    if isinstance(exc, (NotFound, Http404)):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, ctx)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": _flatten(exc.detail)}
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Catch-all for unknown /api/ URLs: the structured body instead of Django's HTML page.

    A plain view rather than a DRF one so that it answers the same with or without credentials
    and for every method (CSRF-exempt: it changes nothing and a 403 would hide the real answer).
    """
    # Matching everything stops CommonMiddleware's APPEND_SLASH redirect; keep it for safe methods.
    if request.method in ("GET", "HEAD") and _exists_with_slash(request):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    item = {"field": NON_FIELD, "code": "not_found", "message": str(exceptions.NotFound.default_detail)}
    return JsonResponse({"errors": [item]}, status=status.HTTP_404_NOT_FOUND, json_dumps_params={"ensure_ascii": False})


def _exists_with_slash(request: HttpRequest) -> bool:
    if request.path_info.endswith("/"):
        return False
    try:
        match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.func is not not_found


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: API clients get the structured body; people get the site's error page."""
    if request.path.startswith("/api/"):
        item = {"field": NON_FIELD, "code": "server_error", "message": "Internal server error."}
        return JsonResponse({"errors": [item]}, status=500)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)

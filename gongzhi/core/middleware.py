from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gongzhi.core import context


class RequestIdMiddleware:
    """Tags each request with an id (from the proxy when present) for logs and audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        with context.bind(source, request_id):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response

"""The one error body of the API: {"errors": [{"field", "code", "message"}]}."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from rest_framework import exceptions

from gongzhi.core.api.errors import api_error, exception_handler
from gongzhi.core.errors import DomainError, ErrorItem, NotFound
from tests.conftest import SmallTree


def _handle(exc: Exception) -> tuple[int, Any]:
    response = exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


def test_domain_errors_become_400_with_every_item() -> None:
    error = DomainError([ErrorItem("name", "name_duplicate", "taken"), ErrorItem("code", "code_length", "short")])
    assert _handle(error) == (
        400,
        {
            "errors": [
                {"field": "name", "code": "name_duplicate", "message": "taken"},
                {"field": "code", "code": "code_length", "message": "short"},
            ]
        },
    )


def test_scoped_not_found_never_echoes_the_key() -> None:
    # given the selectors' NotFound, which carries the code that was looked up
    status, body = _handle(NotFound("320113001002"))
    # then the answer is the generic one, identical to any other miss
    assert status == 404
    assert body == _handle(Http404("something else"))[1]
    assert "320113001002" not in str(body)
    assert [(i["field"], i["code"]) for i in body["errors"]] == [("non_field_errors", "not_found")]


def test_django_permission_denied_is_a_structured_403() -> None:
    status, body = _handle(PermissionDenied("internal reason"))
    assert status == 403
    assert body["errors"][0]["code"] == "permission_denied"
    assert "internal reason" not in str(body)


def test_nested_validation_errors_get_dotted_fields() -> None:
    exc = exceptions.ValidationError(
        {
            "points": {"17": [exceptions.ErrorDetail("bad", code="invalid")]},
            "non_field_errors": [exceptions.ErrorDetail("whole", code="conflict")],
            "crs": ["plain string"],
        }
    )
    status, body = _handle(exc)
    assert status == 400
    assert body["errors"] == [
        {"field": "points.17", "code": "invalid", "message": "bad"},
        {"field": "non_field_errors", "code": "conflict", "message": "whole"},
        {"field": "crs", "code": "invalid", "message": "plain string"},
    ]


def test_api_error_names_a_field_with_any_status() -> None:
    status, body = _handle(api_error(exceptions.NotFound, "lon", "outside_grids", "nowhere"))
    assert status == 404
    assert body == {"errors": [{"field": "lon", "code": "outside_grids", "message": "nowhere"}]}


def test_other_exceptions_are_left_to_django() -> None:
    assert exception_handler(ValueError("boom"), {}) is None


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_urls_answer_json_for_every_method(method: str) -> None:
    response = getattr(Client(enforce_csrf_checks=True), method)("/api/no/such/thing/")
    assert response.status_code == 404
    assert [(i["field"], i["code"]) for i in response.json()["errors"]] == [("non_field_errors", "not_found")]


def test_a_missing_slash_still_redirects_safe_methods() -> None:
    # given an API URL typed without its trailing slash
    response = Client().get("/api/v1/locate", {"lon": "1", "lat": "2"})
    # then it redirects like the rest of the site, query string kept
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/locate/?lon=1&lat=2"
    # but a POST, whose body a redirect would drop, gets the 404
    assert Client().post("/api/v1/locate/batch", {}).status_code == 404


def test_a_crash_under_api_answers_the_structured_500(
    small_tree: SmallTree, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    # Given a signed-in user and an endpoint that fails unexpectedly
    from django.contrib.auth.models import User

    from gongzhi.regions.api.views import LocateView

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(LocateView, "get", boom)
    client.raise_request_exception = False
    client.force_login(User.objects.create_superuser("root500", password="x"))
    # When it is called
    response = client.get("/api/v1/locate/?lon=118.81&lat=32.14")
    # Then the body is the structured error, not an HTML page
    assert response.status_code == 500
    assert response.json() == {
        "errors": [{"field": "non_field_errors", "code": "server_error", "message": "Internal server error."}]
    }

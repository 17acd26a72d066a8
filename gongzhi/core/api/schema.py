"""OpenAPI pieces shared by every app's API: the error body and the error responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer[dict[str, str]]):
    field = serializers.CharField(help_text="Input at fault, dotted when nested; `non_field_errors` otherwise.")
    code = serializers.CharField(help_text="Stable machine-readable reason, e.g. `required`, `not_found`.")
    message = serializers.CharField(help_text="Human-readable reason in the request's language.")


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    # Shadows Serializer.errors for the type checker only: declared fields live in _declared_fields.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


_DESCRIPTIONS = {
    400: "Invalid input: one item per problem.",
    403: "Not signed in (`not_authenticated`), bad credentials (`authentication_failed`) "
    "or not allowed (`permission_denied`).",
    404: "No such object, or not within your jurisdiction (the two are indistinguishable).",
    405: "Method not allowed.",
}

_EXAMPLES = {
    403: OpenApiExample(
        "not signed in",
        value={
            "errors": [
                {
                    "field": "non_field_errors",
                    "code": "not_authenticated",
                    "message": "Authentication credentials were not provided.",
                }
            ]
        },
        response_only=True,
        status_codes=["403"],
    ),
    404: OpenApiExample(
        "not found",
        value={"errors": [{"field": "non_field_errors", "code": "not_found", "message": "Not found."}]},
        response_only=True,
        status_codes=["404"],
    ),
}


def error_responses(*status_codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """`responses=` entries for the given error statuses, all documented as the one error body.

    403 is always included: every endpoint needs a signed-in user.  Override a description with
    `s404="..."`.
    """
    result: dict[int, OpenApiResponse] = {}
    for code in sorted({403, *status_codes}):
        example = _EXAMPLES.get(code)
        result[code] = OpenApiResponse(
            response=ErrorSerializer,
            description=descriptions.get(f"s{code}", _DESCRIPTIONS.get(code, "")),
            examples=[example] if example else None,
        )
    return result

"""Renderers beyond DRF's own."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    """RFC 7946 media type, so map clients and `?format=geojson` / `.geojson` URLs select it."""

    media_type = "application/geo+json"
    format = "geojson"

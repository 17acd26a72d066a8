"""GeoReport v2 documents in XML and JSON, and its error body.

The JSON is the spec's mapping of the XML (its "Spark convention"): a list document becomes an array
of the item objects, a single document (the service definition) an object. In XML an empty or null
value is an empty element, booleans are `true`/`false`, and nested lists take the singular tag
(`attributes` → `attribute`, `values` → `value`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse

from gongzhi.cases import sla

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_ITEM_TAGS = {"attributes": "attribute", "values": "value"}
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped; a resident's text may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the spec's error format: HTTP status and one or more (code, description)."""

    def __init__(self, status: int, items: Sequence[tuple[int | str, str]]) -> None:
        self.status = status
        self.items = list(items)
        super().__init__("; ".join(str(d) for _c, d in self.items))

    @classmethod
    def one(cls, status: int, code: int | str, description: str) -> Open311Error:
        return cls(status, [(code, str(description))])


def w3c(value: dt.datetime | None) -> str | None:
    """W3C datetime with the offset (the spec requires one): local time, +08:00."""
    if value is None:
        return None
    return value.astimezone(sla.LOCAL).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(element, key, child)
    elif isinstance(value, list):
        item_tag = _ITEM_TAGS.get(tag, "item")
        for child in value:
            _fill(element, item_tag, child) if not isinstance(child, dict) else _object(element, item_tag, child)
    else:
        element.text = _text(value)


def _object(parent: ET.Element, tag: str, value: dict[str, Any]) -> None:
    element = ET.SubElement(parent, tag)
    for key, child in value.items():
        _fill(element, key, child)


def to_xml(root: str, item: str | None, data: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    top = ET.Element(root)
    if isinstance(data, dict):
        for key, value in data.items():
            _fill(top, key, value)
    else:
        for row in data:
            _object(top, item or "item", row)
    return (_DECLARATION + ET.tostring(top, encoding="unicode")).encode("utf-8")


def render(
    fmt: str, root: str, item: str | None, data: list[dict[str, Any]] | dict[str, Any], status: int = 200
) -> HttpResponse:
    body = to_xml(root, item, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    rows = [{"code": code, "description": description} for code, description in error.items]
    return render(fmt, "errors", "error", rows, status=error.status)

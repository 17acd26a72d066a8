"""A small crawler for privacy tests: open pages from a start list, follow the links they offer.

Following the pages' own links (href and hx-get) means a new page is covered the day it is linked.
Links that change state, leave the app or belong to other tools are skipped.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from django.test import Client
from openpyxl import load_workbook

SKIP = re.compile(r"/accounts/|/admin/|/i18n/|/static/|/api/docs|/api/schema|/audit/|[?&]cancel=|/export/")
LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
PAGE_LIMIT = 400


def number_forms(value: str) -> set[str]:
    """A number as it might be printed: compact, or grouped with spaces (phones 3-4-4, IDs 6-8-4)."""
    forms = {value}
    if len(value) == 11:
        forms.add(f"{value[:3]} {value[3:7]} {value[7:]}")
    if len(value) == 18:
        forms.add(f"{value[:6]} {value[6:14]} {value[14:]}")
    return forms


def text_of(response: Any) -> str:
    """The text a person could read in the answer: HTML, JSON, CSV, an Excel sheet; nothing of an image."""
    kind = response.get("Content-Type", "")
    if kind.startswith("image/"):
        return ""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    if kind.startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return str(response.content.decode())


def crawl(
    client: Client, start: Iterable[str], skip: re.Pattern[str] = SKIP, limit: int = PAGE_LIMIT
) -> Iterator[tuple[str, Any]]:
    """(url, response) for every page reachable from `start` by GET links, breadth first."""
    queue: deque[str] = deque(start)
    seen: set[str] = set(queue)
    while queue and len(seen) < limit:
        url = queue.popleft()
        response = client.get(url)
        yield url, response
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not skip.search(link):
                seen.add(link)
                queue.append(link)

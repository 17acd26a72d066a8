"""Helpers that turn the domain's access errors into HTTP answers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.http import Http404

from gongzhi.core.errors import NotFound

P = ParamSpec("P")
T = TypeVar("T")


def get_or_404(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call a scoped `access_*` selector; missing and out-of-scope objects both become 404.

    The 404 carries no detail on purpose: telling "missing" from "not yours" would leak which
    codes exist in other jurisdictions.
    """
    try:
        return fn(*args, **kwargs)
    except NotFound:
        raise Http404 from None


def not_found_as_404(view: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of `get_or_404` for views that call several access selectors."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return get_or_404(view, *args, **kwargs)

    return wrapper

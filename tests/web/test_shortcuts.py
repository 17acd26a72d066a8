from __future__ import annotations

import pytest
from django.http import Http404

from gongzhi.core.errors import NotFound
from gongzhi.web.shortcuts import get_or_404, not_found_as_404


def find(code: str, *, present: bool) -> str:
    if not present:
        raise NotFound(code)
    return code


def test_get_or_404_passes_the_result_through() -> None:
    assert get_or_404(find, "320113", present=True) == "320113"


def test_get_or_404_turns_not_found_into_a_bare_404() -> None:
    with pytest.raises(Http404) as info:
        get_or_404(find, "320113", present=False)

    assert str(info.value) == ""  # no hint whether the code exists elsewhere


def test_decorator_form() -> None:
    wrapped = not_found_as_404(find)

    with pytest.raises(Http404):
        wrapped("320113", present=False)

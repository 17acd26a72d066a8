from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from gongzhi.core.access import has_capability

View = Callable[..., HttpResponse]


def capability_required(cap: str) -> Callable[[View], View]:
    """A whole page behind one capability: anonymous users go to the login, the rest without it get 403.

    403 rather than 404 because the page itself is no secret (every installation has /audit/);
    404 stays for objects outside one's jurisdiction, whose existence would be the leak.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not has_capability(request.user, cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator

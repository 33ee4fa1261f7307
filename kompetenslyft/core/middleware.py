"""Response headers that Django and django-csp do not set themselves."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Switch off browser features the product never uses (camera, microphone, location …),
    so that injected or framed content cannot ask for them either (``PERMISSIONS_POLICY``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class SessionIdleMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` without a request (a working day by default,
    ``KOMPETENSLYFT_SESSION_IDLE_HOURS``). Activity moves the end forward by saving the
    session again, at most every ``KOMPETENSLYFT_SESSION_REFRESH_SECONDS``, rather than on
    every request (as SESSION_SAVE_EVERY_REQUEST would: one write per page view)."""

    key = "_kl_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code >= 500:
            return response
        now = int(time.time())
        interval = int(getattr(settings, "KOMPETENSLYFT_SESSION_REFRESH_SECONDS", 300))
        last = session.get(self.key)
        if not isinstance(last, int) or now - last >= interval or session.modified:
            session[self.key] = now
        return response


def session_started(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionIdleMiddleware.key] = int(time.time())

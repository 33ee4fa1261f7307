"""The xAPI endpoint's short way through the middleware stack."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve

PREFIX = "/xapi/"


class XapiMiddleware:
    """Requests to /xapi/ go straight to the LRS's views after the security headers: the LRS
    authenticates every request by its client's key and secret (HTTP Basic) and answers in
    JSON, so it needs no session, locale, CSRF token, user, messages or login-lockout
    middleware — on the ingest path, where each request is a few milliseconds, they cost a
    tenth of it. Placed after the middlewares whose headers every response carries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:  # lrs.urls answers every path under /xapi/; the 404 page otherwise
            return self.get_response(request)
        if match.namespace != "lrs":
            return self.get_response(request)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)

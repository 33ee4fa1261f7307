"""Password log-in with a second factor: the password page hands a lead (where its
organisation requires it) or an operator to the code page, or to enrolment the first time.
Nobody is logged in until the code is right."""

from __future__ import annotations

import datetime as dt
import time
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kompetenslyft.core.throttle import throttle_hit, throttle_key
from kompetenslyft.core.views import LoginView, set_language_cookie

from .selectors import confirmed_device, second_factor_needed
from .services import totp_check, totp_enrolment_confirm, totp_enrolment_start

PENDING = "signin_pending"
PENDING_SECONDS = 300
CODES_PER_WINDOW = 5
CODE_WINDOW = dt.timedelta(minutes=15)


class PasswordLoginView(LoginView):
    """core's log-in page; an account that needs a second factor goes on to the code."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not second_factor_needed(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        if confirmed_device(user) is None:
            return HttpResponseRedirect(reverse("signin:totp_enrol"))
        return HttpResponseRedirect(reverse("signin:totp_code"))


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | tuple[None, None]:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None, None
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else (None, None)


def _finish(request: HttpRequest, user: Any, pending: dict[str, Any], device: Any) -> HttpResponse:
    request.session.pop(PENDING, None)
    user.otp_device = device  # django-otp records the verified device at log-in
    auth.login(request, user, backend=pending["backend"])
    next_url = str(pending.get("next") or "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    person = getattr(user, "person", None)
    if person is not None and person.language in dict(settings.LANGUAGES):
        set_language_cookie(response, person.language)
    return response


def _allowed(user: Any) -> bool:
    return throttle_hit(key=throttle_key("totp", str(user.pk)), limit=CODES_PER_WINDOW, window=CODE_WINDOW)


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "signin/totp_expired.html", status=400)


@never_cache
@sensitive_post_parameters("code")
def totp_code(request: HttpRequest) -> HttpResponse:
    """GET/POST /accounts/login/code/: the code from the authenticator app."""
    user, pending = _pending_user(request)
    if user is None or pending is None:
        return _expired(request)
    if confirmed_device(user) is None:
        return HttpResponseRedirect(reverse("signin:totp_enrol"))
    error, status = "", 200
    if request.method == "POST":
        code = str(request.POST.get("code", "")).strip()
        if not _allowed(user):
            error, status = _("Too many codes tried. Wait a quarter of an hour and log in again."), 429
        elif not code.replace(" ", "").isdigit():
            error, status = _("Type the six digits your authenticator app shows."), 400
        else:
            device = totp_check(user=user, token=code)
            if device is not None:
                return _finish(request, user, pending, device)
            error, status = _("That code is not right. Type the code the app shows now."), 400
    return render(request, "signin/totp_code.html", {"error": error}, status=status)


@never_cache
@sensitive_post_parameters("code")
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """GET/POST /accounts/login/enrol/: scan the QR code, confirm with a code."""
    user, pending = _pending_user(request)
    if user is None or pending is None:
        return _expired(request)
    if confirmed_device(user) is not None:
        return HttpResponseRedirect(reverse("signin:totp_code"))
    device = totp_enrolment_start(user=user)
    error, status = "", 200
    if request.method == "POST":
        code = str(request.POST.get("code", "")).strip()
        if not _allowed(user):
            error, status = _("Too many codes tried. Wait a quarter of an hour and log in again."), 429
        elif not code.replace(" ", "").isdigit():
            error, status = _("Type the six digits your authenticator app shows."), 400
        else:
            confirmed = totp_enrolment_confirm(user=user, token=code)
            if confirmed is not None:
                return _finish(request, user, pending, confirmed)
            error, status = _("That code is not right. Type the code the app shows now."), 400
    label = _("QR code to add Kompetenslyft to your authenticator app")
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "signin/totp_enrol.html",
        {
            "qr": mark_safe(svg),  # noqa: S308 - segno's SVG, our escaped label
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "error": error,
        },
        status=status,
    )

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST

from kompetenslyft.org.services import person_set_language

from .access import access_for
from .forms import LoginForm


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        person = getattr(form.get_user(), "person", None)
        if person is not None and person.language in dict(settings.LANGUAGES):
            set_language_cookie(response, person.language)
        return response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=False,
        samesite="Lax",
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered for the person, not just the browser."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        set_language_cookie(response, language)
        activate(language)
        person = getattr(request.user, "person", None) if request.user.is_authenticated else None
        if person is not None:
            person_set_language(person=person, language=language)
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from kompetenslyft.org.selectors import visible_organisations

    access = access_for(request.user)
    organisations = list(visible_organisations(access))
    return render(
        request,
        "core/home.html",
        {
            "organisations": organisations,
            "person": getattr(request.user, "person", None),
            "roles": access.product_roles,
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (an old page, blocked cookies): the product's own page,
    in the person's language, rather than Django's English one."""
    return render(request, "403_csrf.html", status=403)

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import BadRequest, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import activate, get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from kompetenslyft.org.services import person_set_language

from .access import access_for
from .forms import LoginForm, PasswordResetForm
from .home import cards_for
from .services import account_activate
from .tasks import password_links_task
from .throttle import client_address, throttle_hit, throttle_key
from .tokens import account_activation_token


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmarks ask for /favicon.ico whatever the page says: the site's icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("kompetenslyft/favicon.svg"))


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
    access = access_for(request.user)
    person = getattr(request.user, "person", None) if access.person_id else None
    return render(
        request,
        "core/home.html",
        {"person": person, "roles": access.product_roles, "groups": cards_for(access, person)},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a password link. Limited per client address and per e-mail address; the
    answer is the same whether or not the address is known, and nothing is created here."""

    form_class = PasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        window = dt.timedelta(hours=1)
        allowed = throttle_hit(
            key=throttle_key("password-link", "client", client_address(self.request)),
            limit=settings.KOMPETENSLYFT_PASSWORD_LINKS_PER_CLIENT,
            window=window,
        ) and throttle_hit(
            key=throttle_key("password-link", "address", email.strip().casefold()),
            limit=settings.KOMPETENSLYFT_PASSWORD_LINKS_PER_ADDRESS,
            window=window,
        )
        if not allowed:
            form.add_error(None, _("Too many requests for password links. Wait an hour and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_links_task.enqueue(email, get_language() or settings.LANGUAGE_CODE)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A new password also lifts a log-in pause of the account (the pause page offers this).
        axes_reset(username=form.user.get_username())
        return response


ACTIVATION_SESSION_TOKEN = "_account_activation_token"  # noqa: S105 (a session key, not a secret)
ACTIVATION_URL_TOKEN = "set-password"  # noqa: S105


def _person_from_uidb64(uidb64: str) -> Any:
    from kompetenslyft.org.models import Person

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Person.objects.filter(pk=pk, is_active=True, user__isnull=True).first()


@method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")
class AccountActivateView(FormView):
    """The link e-mailed to a person from the HR import without an account: choosing a
    password creates the account. As with Django's reset link, the token moves from the URL
    into the session before the form is shown, so that it does not leak through Referer."""

    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.person = _person_from_uidb64(kwargs["uidb64"])
        self.token = ""
        token = kwargs["token"]
        if self.person is not None:
            if token == ACTIVATION_URL_TOKEN:
                stored = request.session.get(ACTIVATION_SESSION_TOKEN, "")
                if stored and account_activation_token.check_token(self.person, stored):
                    self.token = stored
            elif account_activation_token.check_token(self.person, token):
                request.session[ACTIVATION_SESSION_TOKEN] = token
                return HttpResponseRedirect(request.path.replace(token, ACTIVATION_URL_TOKEN))
        if not self.token:
            return self.invalid()
        return super().dispatch(request, *args, **kwargs)

    def invalid(self) -> HttpResponse:
        return render(self.request, self.template_name, {"validlink": False, "form": None})

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        person = self.person
        # An unsaved account, so that the password validators can compare with the person's names.
        kwargs["user"] = get_user_model()(
            username=person.email.lower(),
            email=person.email,
            first_name=person.given_name,
            last_name=person.family_name,
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "validlink": True}

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            account_activate(
                person_id=self.person.pk, token=self.token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError:
            return self.invalid()
        self.request.session.pop(ACTIVATION_SESSION_TOKEN, None)
        return HttpResponseRedirect(reverse("password_reset_complete"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (an old page, blocked cookies): the product's own page,
    in the person's language, rather than Django's English one."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page; a parameter the product refused (``BadRequest``, e.g. ``ParameterError``
    from core/params.py) is named on it."""
    problem = str(exception) if isinstance(exception, BadRequest) else ""
    return render(request, "400.html", {"problem": problem}, status=400)

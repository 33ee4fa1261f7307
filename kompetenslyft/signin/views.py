"""Sign-in through the organisation's provider: start (per organisation), callback, the refusal
page, and log-out that ends the provider's session too."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from kompetenslyft.core.views import set_language_cookie

from .config import ProviderConfig, discovery, provider_for
from .oidc import SESSION_ISSUER, SESSION_ORG, SESSION_REFUSED, library_settings, organisation_config

REASONS = {"no_person", "ambiguous", "inactive", "missing_claim", "provider_error", "provider_unreachable"}


class OrganisationRequestView(OIDCAuthenticationRequestView):
    """The library's authorisation request (state, nonce, PKCE) with one organisation's settings."""

    def __init__(self, *, overrides: dict[str, Any], **kwargs: Any) -> None:
        self.overrides = overrides
        self.OIDC_OP_AUTH_ENDPOINT = overrides["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = overrides["OIDC_RP_CLIENT_ID"]
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_settings(self, attr: str, *args: Any) -> Any:  # type: ignore[override]
        if attr in self.overrides:
            return self.overrides[attr]
        return import_from_settings(attr, *args)


@never_cache
def oidc_start(request: HttpRequest, code: str) -> HttpResponse:
    """GET /login/<organisation code>/oidc/: off to the organisation's provider."""
    from kompetenslyft.org.models import Organisation

    organisation = get_object_or_404(Organisation, code=code)
    config = provider_for(organisation)
    if config is None:
        raise Http404("no provider")
    try:
        overrides = library_settings(config)
    except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured):
        return refused_page(request, "provider_unreachable", config=config)
    request.session[SESSION_ORG] = organisation.pk
    request.session.pop(SESSION_REFUSED, None)
    view = OrganisationRequestView(overrides=overrides)
    view.setup(request)
    return view.get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """GET /oidc/callback/: the library checks state, nonce and PKCE and exchanges the code;
    our backend finds the person. A refusal shows a page that says what to do."""

    @property
    def failure_url(self) -> str:
        return reverse("signin:refused")

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if request.GET.get("error"):
            request.session[SESSION_REFUSED] = {"reason": "provider_error", "value": ""}
        try:
            return super().get(request)
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            self.request.session[SESSION_REFUSED] = {"reason": "provider_unreachable", "value": ""}
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        person = getattr(self.user, "person", None)
        if person is not None and person.language in dict(settings.LANGUAGES):
            set_language_cookie(response, person.language)
        return response


@never_cache
@require_GET
def refused(request: HttpRequest) -> HttpResponse:
    """The page after a sign-in the product could not accept."""
    stored = request.session.get(SESSION_REFUSED) or {}
    reason = stored.get("reason") if isinstance(stored, dict) else None
    return refused_page(
        request,
        reason if reason in REASONS else "provider_error",
        config=organisation_config(request),
        value=str(stored.get("value", "")) if isinstance(stored, dict) else "",
    )


def refused_page(
    request: HttpRequest, reason: str, *, config: ProviderConfig | None, value: str = ""
) -> HttpResponse:
    return render(
        request,
        "signin/refused.html",
        {"reason": reason, "provider": config, "value": value},
        # Refused by us: 403; the provider could not be reached: 502; cancelled or failed there: 400.
        status={"provider_unreachable": 502, "provider_error": 400}.get(reason, 403),
    )


class LogoutView(auth_views.LogoutView):
    """Log out here, then at the provider where it offers an end_session_endpoint (RP-initiated
    logout): it comes back to the log-in page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        end_session = self.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if end_session:
            return HttpResponseRedirect(end_session)
        return response

    def provider_logout_url(self, request: HttpRequest) -> str:
        id_token = request.session.get("oidc_id_token")
        issuer = request.session.get(SESSION_ISSUER)
        config = organisation_config(request)
        if not id_token or config is None or config.issuer != issuer:
            return ""
        try:
            endpoint = discovery(config.issuer).get("end_session_endpoint")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            return ""
        if not endpoint:
            return ""
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": config.client_id,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

"""mozilla-django-oidc, configured per organisation (ADR 0015).

The library does the protocol: state, nonce and PKCE (S256) are made and checked by its views
and backend, the ID token's signature is checked against the provider's JWKS. What differs from
its defaults: the settings come from the organisation's ``ProviderConfig`` (chosen by the
per-organisation start URL and kept in the session for the callback) instead of global
settings; the ID token's issuer and audience are checked too (the library leaves them); the
person is found by ``signin.services.oidc_sign_in`` and no account is made for anyone else.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .config import ProviderConfig, discovery, provider_for
from .services import SignInRefused, oidc_sign_in

SESSION_ORG = "signin_oidc_org"
SESSION_REFUSED = "signin_oidc_refused"
SESSION_ISSUER = "signin_oidc_issuer"


def library_settings(config: ProviderConfig) -> dict[str, Any]:
    """The mozilla-django-oidc settings of one organisation's provider."""
    document = discovery(config.issuer)
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": document["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": document.get("userinfo_endpoint"),
        "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SIGN_ALGO": "RS256" if "RS256" in algorithms else algorithms[0],
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_TOKEN_USE_BASIC_AUTH": "client_secret_basic"
        in (document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]),
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_CREATE_USER": False,
        "OIDC_TIMEOUT": 10,
    }


def organisation_config(request: Any) -> ProviderConfig | None:
    from kompetenslyft.org.models import Organisation

    organisation_id = request.session.get(SESSION_ORG)
    if not isinstance(organisation_id, int):
        return None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    return provider_for(organisation) if organisation is not None else None


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """The library's backend with the organisation's settings (read at the callback)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        # The library reads global settings here; ours are read in authenticate().
        self.UserModel = get_user_model()
        self.config: ProviderConfig | None = None
        self.overrides: dict[str, Any] = {}
        self.provider_seconds = 0.0

    def get_settings(self, attr: str, *args: Any) -> Any:  # type: ignore[override]
        if attr in self.overrides:
            return self.overrides[attr]
        return import_from_settings(attr, *args)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or "code" not in request.GET or "nonce" not in kwargs:
            return None
        config = organisation_config(request)
        if config is None:
            return None
        self.config = config
        self.overrides = library_settings(config)
        self.OIDC_OP_TOKEN_ENDPOINT = self.overrides["OIDC_OP_TOKEN_ENDPOINT"]
        self.OIDC_OP_USER_ENDPOINT = self.overrides["OIDC_OP_USER_ENDPOINT"]
        self.OIDC_OP_JWKS_ENDPOINT = self.overrides["OIDC_OP_JWKS_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = config.client_id
        self.OIDC_RP_CLIENT_SECRET = config.client_secret
        self.OIDC_RP_SIGN_ALGO = self.overrides["OIDC_RP_SIGN_ALGO"]
        self.OIDC_RP_IDP_SIGN_KEY = None
        user = super().authenticate(request, **kwargs)
        request.signin_provider_seconds = self.provider_seconds
        return user

    # --- the provider's time, apart from the product's (the bench reports both) ----------
    def get_token(self, payload: Any) -> Any:
        started = time.perf_counter()
        try:
            return super().get_token(payload)
        finally:
            self.provider_seconds += time.perf_counter() - started

    def retrieve_matching_jwk(self, token: Any) -> Any:
        started = time.perf_counter()
        try:
            return super().retrieve_matching_jwk(token)
        finally:
            self.provider_seconds += time.perf_counter() - started

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        # The library checks signature and nonce; the issuer and audience are checked here.
        if self.config is None:
            raise SuspiciousOperation("No organisation's provider for this sign-in.")
        if str(payload.get("iss", "")).rstrip("/") != self.config.issuer.rstrip("/"):
            raise SuspiciousOperation("The ID token was issued by another provider.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def get_userinfo(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        """The ID token's claims with the userinfo endpoint's over them (Entra ID puts
        groups and extension claims only in the ID token)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            started = time.perf_counter()
            try:
                claims.update(super().get_userinfo(access_token, id_token, payload))
            finally:
                self.provider_seconds += time.perf_counter() - started
        return claims

    def verify_claims(self, claims: Any) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider named nobody (no sub claim).")
        if self.config is None:
            raise SuspiciousOperation("No organisation's provider for this sign-in.")
        try:
            result = oidc_sign_in(config=self.config, claims=claims)
        except SignInRefused as refused:
            self.request.session[SESSION_REFUSED] = {"reason": refused.reason, "value": refused.value[:200]}
            return None
        self.request.session[SESSION_ISSUER] = self.config.issuer
        return result.user

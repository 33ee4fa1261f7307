"""Which organisations sign in through an OpenID Connect provider, and the provider's
endpoints (read from its discovery document). Reads only.

A provider is configured per organisation in the admin (``SignInSettings``) or in the
environment, the environment winning (a deployment's secrets need not be in the database)::

    KOMPETENSLYFT_OIDC_<CODE>_ISSUER        https://login.microsoftonline.com/<tenant>/v2.0
    KOMPETENSLYFT_OIDC_<CODE>_CLIENT_ID     …
    KOMPETENSLYFT_OIDC_<CODE>_CLIENT_SECRET …
    KOMPETENSLYFT_OIDC_<CODE>_NAME          Sundsvalls kommun           (optional)
    KOMPETENSLYFT_OIDC_<CODE>_CLAIM         email | employee_id:<claim>  (optional, email)
    KOMPETENSLYFT_OIDC_<CODE>_SCOPES        openid email profile         (optional)
    KOMPETENSLYFT_OIDC_<CODE>_GROUPS_CLAIM  groups                       (optional)
    KOMPETENSLYFT_OIDC_<CODE>_ROLES         <group>=lead,<group>=trainer (optional)

``<CODE>`` is the organisation's code in capitals, ``-`` written ``_``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import requests
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from kompetenslyft.core.models import ProductRole

from .models import PersonClaim, SignInSettings

ENV_PREFIX = "KOMPETENSLYFT_OIDC_"
DISCOVERY_SECONDS = 3600
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class ProviderConfig:
    organisation_id: int
    organisation_code: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    person_claim: str = PersonClaim.EMAIL
    claim_name: str = "email"
    scopes: str = "openid email profile"
    groups_claim: str = ""
    role_map: dict[str, str] = field(default_factory=dict)


def env_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", code.upper())


def _from_env(organisation: Any) -> ProviderConfig | None:
    prefix = ENV_PREFIX + env_code(organisation.code) + "_"
    issuer = os.environ.get(prefix + "ISSUER", "").strip()
    if not issuer:
        return None
    claim = os.environ.get(prefix + "CLAIM", "email").strip() or "email"
    kind, _sep, name = claim.partition(":")
    if kind not in PersonClaim.values:
        raise ImproperlyConfigured(f"{prefix}CLAIM must be 'email' or 'employee_id:<claim>', not {claim!r}")
    roles: dict[str, str] = {}
    for pair in os.environ.get(prefix + "ROLES", "").split(","):
        if not pair.strip():
            continue
        group, _eq, role = pair.rpartition("=")
        roles[group.strip()] = role.strip()
    return _checked(
        ProviderConfig(
            organisation_id=organisation.pk,
            organisation_code=organisation.code,
            name=os.environ.get(prefix + "NAME", "").strip() or organisation.name,
            issuer=issuer,
            client_id=os.environ.get(prefix + "CLIENT_ID", ""),
            client_secret=os.environ.get(prefix + "CLIENT_SECRET", ""),
            person_claim=kind,
            claim_name=name.strip() or kind,
            scopes=os.environ.get(prefix + "SCOPES", "").strip() or "openid email profile",
            groups_claim=os.environ.get(prefix + "GROUPS_CLAIM", "").strip(),
            role_map=roles,
        )
    )


def _from_row(row: SignInSettings) -> ProviderConfig | None:
    if not row.issuer:
        return None
    return _checked(
        ProviderConfig(
            organisation_id=row.organisation_id,
            organisation_code=row.organisation.code,
            name=row.provider_name or row.organisation.name,
            issuer=row.issuer,
            client_id=row.client_id,
            client_secret=row.client_secret,
            person_claim=row.person_claim,
            claim_name=row.claim_name or row.person_claim,
            scopes=row.scopes or "openid email profile",
            groups_claim=row.groups_claim,
            role_map={str(k): str(v) for k, v in (row.role_map or {}).items()},
        )
    )


def _checked(config: ProviderConfig) -> ProviderConfig:
    unknown = sorted(set(config.role_map.values()) - set(ProductRole.values))
    if unknown:
        raise ImproperlyConfigured(
            f"Organisation {config.organisation_code}: unknown product roles {unknown} in the groups mapping"
        )
    if "openid" not in config.scopes.split():
        raise ImproperlyConfigured(f"Organisation {config.organisation_code}: the scopes must include openid")
    return config


def provider_for(organisation: Any) -> ProviderConfig | None:
    """The organisation's provider, or None when its people sign in with passwords."""
    config = _from_env(organisation)
    if config is not None:
        return config
    row = SignInSettings.objects.select_related("organisation").filter(organisation=organisation).first()
    return _from_row(row) if row is not None else None


def providers_for_login() -> list[ProviderConfig]:
    """Every organisation's provider, for the log-in page's "Sign in with …" buttons."""
    from kompetenslyft.org.models import Organisation

    codes = {
        key[len(ENV_PREFIX) : -len("_ISSUER")]
        for key, value in os.environ.items()
        if key.startswith(ENV_PREFIX) and key.endswith("_ISSUER") and value.strip()
    }
    configs: dict[int, ProviderConfig] = {}
    for row in SignInSettings.objects.select_related("organisation").exclude(issuer=""):
        config = _from_row(row)
        if config is not None:
            configs[row.organisation_id] = config
    if codes:
        for organisation in Organisation.objects.all().only("id", "code", "name"):
            if env_code(organisation.code) in codes:
                env_config = _from_env(organisation)
                if env_config is not None:
                    configs[organisation.pk] = env_config
    return sorted(configs.values(), key=lambda c: c.name)


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document (cached for an hour); its issuer must be the one
    configured (OpenID Connect Discovery 1.0, section 4.3)."""
    key = "signin:discovery:" + issuer
    document = cache.get(key)
    if document is None:
        response = requests.get(
            issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
            raise ImproperlyConfigured(
                f"The provider at {issuer} names itself {document.get('issuer')!r} in its discovery document"
            )
        cache.set(key, document, DISCOVERY_SECONDS)
    return document

"""Writes of sign-in: a person signed in through its organisation's provider (the account,
roles from the groups claim, the audit entry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.models import Grant

from .config import ProviderConfig
from .models import PersonClaim


class SignInRefused(Exception):
    """The provider vouched for someone the product does not know (or no longer knows)."""

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class SignInResult:
    user: Any
    person_id: int
    roles_added: tuple[str, ...] = ()
    roles_removed: tuple[str, ...] = ()


def _claim_text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) else ""


def _groups(claims: dict[str, Any], name: str) -> set[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value if isinstance(v, str | int)}
    return set()


@transaction.atomic
def oidc_sign_in(*, config: ProviderConfig, claims: dict[str, Any]) -> SignInResult:
    """The account of the active person of ``config``'s organisation that ``claims`` name
    (by e-mail or employee id), created without a usable password if it has none. The
    product roles that the groups mapping covers follow the groups claim (added and
    removed; roles outside the mapping are left alone). Refused (``SignInRefused``) when the
    claim is missing or names no active person, or an inactive account."""
    from kompetenslyft.org.models import Person
    from kompetenslyft.org.services import account_for_person, grant_add, grant_remove

    value = _claim_text(claims, config.claim_name)
    if not value:
        raise SignInRefused("missing_claim", config.claim_name)
    people = Person.objects.select_related("organisation", "user").filter(
        organisation_id=config.organisation_id, is_active=True
    )
    if config.person_claim == PersonClaim.EMAIL:
        people = people.filter(email__iexact=value)
    else:
        people = people.filter(employee_id=value)
    found = list(people[:2])
    if len(found) != 1:
        raise SignInRefused("no_person" if not found else "ambiguous", value)
    person = found[0]
    if person.user is not None and not person.user.is_active:
        raise SignInRefused("inactive", value)
    user = account_for_person(person=person)
    added: list[str] = []
    removed: list[str] = []
    if config.groups_claim and config.role_map:
        groups = _groups(claims, config.groups_claim)
        wanted = {role for group, role in config.role_map.items() if group in groups}
        mapped = set(config.role_map.values())
        held = set(
            Grant.objects.filter(
                user=user, organisation_id=config.organisation_id, role__in=mapped
            ).values_list("role", flat=True)
        )
        for role in sorted(wanted - held):
            grant_add(user=user, organisation=person.organisation, role=role, actor=user)
            added.append(role)
        for role in sorted((held & mapped) - wanted):
            grant_remove(user=user, organisation=person.organisation, role=role, actor=user)
            removed.append(role)
    audit_record(
        actor=user,
        organisation=person.organisation,
        event=AuditEvent(
            "sign_in.oidc",
            "person",
            person.employee_id,
            person.full_name,
            {
                "issuer": config.issuer,
                "subject": _claim_text(claims, "sub"),
                "roles_added": added,
                "roles_removed": removed,
            },
        ),
    )
    return SignInResult(
        user=user, person_id=person.pk, roles_added=tuple(added), roles_removed=tuple(removed)
    )


# --- the second factor (TOTP) for password log-in --------------------------------------


def _organisation_of(user: Any) -> Any:
    person = getattr(user, "person", None)
    return person.organisation if person is not None else None


@transaction.atomic
def totp_enrolment_start(*, user: Any) -> Any:
    """The account's unconfirmed authenticator (made once, kept until confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Kompetenslyft", confirmed=False)
    return device


def _verify(device: Any, token: str) -> bool:
    """django-otp's own check, with its throttling (each failure doubles the wait)."""
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return False
    return bool(device.verify_token(token.replace(" ", "")))


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, token: str) -> Any:
    """Confirm the unconfirmed authenticator with a code from it; the device, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
    if device is None or not _verify(device, token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit_record(
        actor=user,
        organisation=_organisation_of(user),
        event=AuditEvent("second_factor.enrolled", "user", str(user.pk), user.get_username()),
    )
    return device


@transaction.atomic
def totp_check(*, user: Any, token: str) -> Any:
    """A code from the account's confirmed authenticator; the device, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
    if device is None or not _verify(device, token):
        return None
    return device

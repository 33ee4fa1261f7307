"""Writes of core: password links and accounts created from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .tokens import account_activation_token


def _link(name: str, pk: int, token: str) -> str:
    # Links point at the configured address, never at the Host header of the request.
    path = reverse(name, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(pk)), "token": token})
    return settings.KOMPETENSLYFT_BASE_URL + path


def _send(*, to: str, language: str, context: dict[str, Any], connection: Any) -> None:
    with translation.override(language):
        subject = render_to_string("registration/password_reset_subject.txt", context).strip()
        body = render_to_string("registration/password_reset_email.html", context)
    EmailMessage(subject, body, to=[to], connection=connection).send()


def password_links_send(*, email: str, language: str) -> int:
    """E-mail a password link to every active account with this address (its own, or its
    person's from the HR import), and an account-creation link to every active person with
    this address who has no account yet. Nothing is created here. Returns the e-mails sent."""
    from kompetenslyft.org.models import Person

    address = email.strip()
    if not address:
        return 0
    connection = get_connection()
    sent = 0
    users = (
        get_user_model()
        ._default_manager.filter(Q(email__iexact=address) | Q(person__email__iexact=address), is_active=True)
        .select_related("person")
        .distinct()
    )
    for user in users:
        person: Any = getattr(user, "person", None)
        own = person is None or user.email.casefold() == address.casefold()
        to = user.email if own else person.email
        _send(
            to=to,
            language=(person.language if person is not None and person.language else language),
            context={
                "link": _link("password_reset_confirm", user.pk, default_token_generator.make_token(user)),
                "username": user.get_username(),
            },
            connection=connection,
        )
        sent += 1
    people = Person.objects.filter(email__iexact=address, is_active=True, user__isnull=True)
    for person in people:
        _send(
            to=person.email,
            language=person.language or language,
            context={
                "link": _link("account_activate", person.pk, account_activation_token.make_token(person)),  # type: ignore[arg-type]
                "username": "",
            },
            connection=connection,
        )
        sent += 1
    return sent


@transaction.atomic
def account_activate(*, person_id: int, token: str, password: str) -> Any:
    """Create the account of a person from an account-creation link, with the password it
    chose. The link works once: a person who has an account by now is refused."""
    from kompetenslyft.org.models import Person
    from kompetenslyft.org.services import account_for_person

    person = (
        Person.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=person_id, is_active=True, user__isnull=True)
        .first()
    )
    if person is None or not account_activation_token.check_token(person, token):  # type: ignore[arg-type]
        raise ValidationError(_("The link is no longer valid. Ask for a new one."))
    return account_for_person(person=person, password=password)

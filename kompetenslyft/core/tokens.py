"""The link that lets a person from the HR import, who has no account yet, create one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class AccountActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset token, but over a Person without an account: valid for
    ``PASSWORD_RESET_TIMEOUT``, and void once the person has an account (so it works once),
    its e-mail address changes or it leaves."""

    key_salt = "kompetenslyft.core.tokens.AccountActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        person = user
        return f"{person.pk}|{person.user_id}|{person.email.casefold()}|{person.is_active}|{timestamp}"


account_activation_token = AccountActivationTokenGenerator()

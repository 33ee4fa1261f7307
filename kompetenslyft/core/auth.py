"""Log in with a username or an e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        user_model = get_user_model()
        login = username.strip()
        candidates = list(
            user_model._default_manager.filter(
                Q(username__iexact=login) | Q(email__iexact=login) | Q(person__email__iexact=login)
            ).distinct()[:2]
        )
        if len(candidates) != 1:
            # Unknown, or an e-mail shared by two accounts: run the hasher anyway so that
            # timing does not tell which.
            user_model().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

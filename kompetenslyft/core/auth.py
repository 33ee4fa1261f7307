"""Log in with a username or an e-mail address; failed log-ins are counted per account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def accounts_for_login(login: str) -> list[Any]:
    """The accounts a typed log-in names (username, the account's e-mail or its person's
    e-mail, case-insensitively): at most two, enough to tell one from ambiguous."""
    user_model = get_user_model()
    return list(
        user_model._default_manager.filter(
            Q(username__iexact=login) | Q(email__iexact=login) | Q(person__email__iexact=login)
        ).distinct()[:2]
    )


def lockout_key(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """What django-axes counts failed log-ins against (``AXES_USERNAME_CALLABLE``).

    A typed name that names one account counts against that account, so ``employee``,
    ``EMPLOYEE`` and the person's e-mail share one counter. Anything else (unknown names,
    an e-mail shared by two accounts) counts against the typed text, case-folded, so that
    probing unknown names is limited too.
    """
    if credentials is not None:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username")
    login = str(typed or "").strip()
    if not login:
        return ""
    candidates = accounts_for_login(login)
    if len(candidates) == 1:
        return str(candidates[0].get_username())
    return login.casefold()[:255]


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        candidates = accounts_for_login(username.strip())
        if len(candidates) != 1:
            # Unknown, or an e-mail shared by two accounts: run the hasher anyway so that
            # timing does not tell which.
            get_user_model()().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

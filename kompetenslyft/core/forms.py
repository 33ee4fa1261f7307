from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )


class PasswordResetForm(forms.Form):
    """Django's reset form, extended so that a person from the HR import who has no password
    yet (or no account yet) can set one through the same e-mail."""

    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str):  # type: ignore[no-untyped-def]
        from django.contrib.auth import get_user_model

        from kompetenslyft.org.models import Person
        from kompetenslyft.org.services import account_for_person

        user_model = get_user_model()
        users = {u.pk: u for u in user_model._default_manager.filter(email__iexact=email, is_active=True)}
        people = Person.objects.filter(email__iexact=email, is_active=True).select_related(
            "user", "organisation"
        )
        for person in people:
            user = account_for_person(person=person)
            if user.is_active:
                users[user.pk] = user
        return list(users.values())

    def save(self, **kwargs):  # type: ignore[no-untyped-def]
        from django.contrib.auth.forms import PasswordResetForm as DjangoForm

        helper = DjangoForm(data={"email": self.cleaned_data["email"]})
        helper.is_valid()
        helper.get_users = self.get_users  # type: ignore[method-assign]
        return helper.save(**kwargs)

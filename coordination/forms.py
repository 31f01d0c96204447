from django import forms
from django.contrib.auth import forms as auth_forms

from . import services
from .models import User
from .text import whole_number


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail address and password do not match. Check both and try again; "
        "after five failed tries the account is locked for a while.",
        "inactive": "This account is inactive. Ask your coalition's organizer.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending through the notification ledger (and Celery)."""

    def get_users(self, email):
        # Invited people who lost their invitation may also set a password here.
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            services.request_password_reset(user)


def _is_row_id(value) -> bool:
    return whole_number(value) is not None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, that refuses a value no row can have as its id (a word,
    a number past the database's integers) with the usual message, instead of
    handing it to the database, which fails on it."""

    def _check_values(self, value):
        for pk in value:
            if not _is_row_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)

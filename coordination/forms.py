from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import privacy, services
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


class PrivacyCheckedForm(forms.Form):
    """A form whose free-text fields are read for what may identify a person
    before saving. Its `findings` list each spot; the writer removes them or
    ticks `checked` to confirm they are not a victim's details. A form lists
    the fields to read in `privacy_fields`."""

    privacy_fields: tuple[str, ...] = ()
    # for a form that is not a ModelForm: where each field read is stored, "app.Model.field"
    privacy_stores: dict[str, str] = {}

    checked = forms.BooleanField(
        label=_("I checked: none of these are a victim's details"),
        required=False,
        help_text=_("Roundtable warned about something that looks like personal details (listed above)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[tuple[str, privacy.Finding]] = []
        # the box is offered once there is something to check, and kept once ticked
        if not (self.is_bound and self.data.get(self.add_prefix("checked"))):
            self.fields["checked"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        self.findings = []
        for name in self.privacy_fields:
            if name in self.fields:
                label = str(self.fields[name].label)
                self.findings += [(label, finding) for finding in privacy.scan(data.get(name) or "")]
        if self.findings:
            self.fields["checked"].widget = forms.CheckboxInput()
        if self.findings and not data.get("checked"):
            self.add_error(
                "checked",
                _(
                    "Some text looks like personal details (listed above). Remove anything that could identify a "
                    "victim, or tick this box if you checked and it does not."
                ),
            )
        return data

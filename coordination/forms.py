from dataclasses import dataclass

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from . import privacy, services
from .models import Coalition, User
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


class ConfirmIdentityForm(forms.Form):
    """The password of the person signed in, asked again before a sensitive
    action (coordination/reauth.py). A wrong one counts towards the lockout."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        from django.contrib.auth import authenticate

        password = self.cleaned_data["password"]
        user = authenticate(self.request, username=self.request.user.email, password=password)
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError(
                "That is not your password. After five failed tries the account is locked for a while."
            )
        return password


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


@dataclass(frozen=True)
class Flag:
    """A finding as the form shows it: in which field, with the words around it."""

    where: str
    field_id: str
    finding: privacy.Finding
    before: str
    after: str


CONTEXT = 30  # characters shown either side of a finding


class PrivacyCheckedForm(forms.Form):
    """A form whose free-text fields are read by the privacy guard before
    saving. Its `findings` show each spot in its words, highlighted, with a
    button that replaces it by "[removed]"; or the writer ticks `checked` and
    says why it is not a victim's details, which is logged (who, when, where,
    which kinds, why; never the text). A form lists the fields to read in
    `privacy_fields`."""

    privacy_fields: tuple[str, ...] = ()
    # for a form that is not a ModelForm: where each field read is stored, "app.Model.field"
    privacy_stores: dict[str, str] = {}

    checked = forms.BooleanField(
        label=_("I checked: none of these are a victim's details"),
        required=False,
        help_text=_("Roundtable warned about something that looks like personal details (listed above)."),
    )
    checked_reason = forms.CharField(
        label=_("Why they are not a victim's details"),
        required=False,
        max_length=300,
        help_text=_("For example: the agency's published line. It is kept with your name; the text is not."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[Flag] = []
        # the box and the reason are offered once there is something to check, and kept once ticked
        if not (self.is_bound and self.data.get(self.add_prefix("checked"))):
            self.fields["checked"].widget = forms.HiddenInput()
            self.fields["checked_reason"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        self.findings = []
        for name in self.privacy_fields:
            if name in self.fields:
                label, text = str(self[name].label), data.get(name) or ""
                field_id = self[name].id_for_label
                self.findings += [
                    Flag(label, field_id, f, text[max(0, f.start - CONTEXT) : f.start], text[f.end : f.end + CONTEXT])
                    for f in privacy.scan(text)
                ]
        if not self.findings:
            return data
        self.fields["checked"].widget = forms.CheckboxInput()
        self.fields["checked_reason"].widget = forms.TextInput()
        reason = " ".join((data.get("checked_reason") or "").split())
        if not data.get("checked"):
            self.add_error(
                "checked",
                _(
                    "Some text looks like personal details (listed above). Remove anything that could identify a "
                    "victim, or tick this box if you checked and it does not."
                ),
            )
        elif not reason:
            self.add_error("checked_reason", _("Say why these are not a victim's details: it is kept in the log."))
        elif privacy.scan(reason):
            self.add_error("checked_reason", _("Write the reason without personal details."))
        else:
            self.confirmed = reason
        return data

    # The confirmation is logged once the whole form is valid (its own rules and
    # the model's included); a form whose view may still refuse it after that
    # (the public's, rate-limited) sets this False and calls log_check() once saved.
    log_when_valid = True
    confirmed = ""

    def full_clean(self):
        super().full_clean()
        if self.confirmed and not self._errors and self.log_when_valid:
            self.log_check()

    def log_check(self) -> None:
        if self.confirmed:
            self._log_check(self.confirmed)
            self.confirmed = ""

    def _log_check(self, reason: str) -> None:
        """Who confirmed what, from the request the form came in (the history's own record of it)."""
        from simple_history.models import HistoricalRecords

        from .models import PrivacyCheck

        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        PrivacyCheck.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            form=type(self).__name__,
            path=(request.path if request else "")[:300],
            kinds=", ".join(sorted({flag.finding.kind for flag in self.findings}))[:200],
            reason=reason[:300],
        )


class CoalitionSecurityForm(forms.ModelForm):
    """Whether everyone in the coalition needs a second factor (organizers and leads always do)."""

    class Meta:
        model = Coalition
        fields = ["require_second_factor"]

from django import forms
from django.conf import settings

from .models import ApiToken

LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "A year")]


class TokenForm(forms.ModelForm):
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=LIFETIMES,
        initial=90,
        help_text="A token ends on its day; make a new one then.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
        help_texts = {"scope": "Read is enough for a dashboard or a report. Write also updates items and roles."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(d, label) for d, label in LIFETIMES if d <= settings.API_TOKEN_MAX_DAYS]
        self.fields["name"].widget.attrs["placeholder"] = "County dashboard"

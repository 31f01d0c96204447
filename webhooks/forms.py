import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from coordination.events import NAMES

from .models import WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    """An endpoint's address and the events it hears; the edit form can also pause it."""

    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, f"{name}: {words}") for name, words in NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Nothing of a committee that is not open to every member is ever sent, nor a public "
        "message's text or sender.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]
        help_texts = {"is_active": "Untick to stop calling it for now; what happens meanwhile is not kept for it."}

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.coalition = coalition
        self.fields["url"].widget.attrs["placeholder"] = "https://hooks.example.org/roundtable"
        if self.instance.pk is None:
            del self.fields["is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
            if parts.scheme != "https":
                raise forms.ValidationError("Use an https:// address: events are sent only over HTTPS.")
            host = (parts.hostname or "").lower()
            try:
                private = not ipaddress.ip_address(host).is_global
            except ValueError:
                private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
            if private:
                raise forms.ValidationError("This is a private or local address; Roundtable calls only public ones.")
        taken = WebhookEndpoint.objects.filter(coalition=self.coalition, url=url).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("This address is registered already: edit that endpoint's events instead.")
        return url

    def save(self, commit: bool = True) -> WebhookEndpoint:
        self.instance.coalition = self.coalition
        return super().save(commit)

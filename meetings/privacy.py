"""The privacy check of a form's free text: each finding of the privacy
guard (coordination/privacy.py) is shown, and the writer removes it or
confirms it is not a victim's details."""

from django import forms

from coordination.privacy import Finding, scan

__all__ = ["Finding", "PrivacyCheckedForm", "findings"]


def findings(text: str) -> list[Finding]:
    """What in the text may identify a person, each with its line."""
    return scan(text)


class PrivacyCheckedForm(forms.Form):
    """A form whose free-text fields are read for what may identify a person
    before saving. Its `findings` list each spot; the writer removes them or
    ticks `checked` to confirm they are not a victim's details. A form lists
    the fields to read in `privacy_fields`."""

    privacy_fields: tuple[str, ...] = ()

    checked = forms.BooleanField(
        label="I checked: none of these are a victim's details",
        required=False,
        help_text="Only needed when Roundtable warns about something that looks like personal details.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[tuple[str, Finding]] = []

    def clean(self):
        data = super().clean()
        self.findings = []
        for name in self.privacy_fields:
            if name in self.fields:
                label = str(self.fields[name].label)
                self.findings += [(label, finding) for finding in findings(data.get(name) or "")]
        if self.findings and not data.get("checked"):
            self.add_error(
                "checked",
                "Some text looks like personal details (listed above). Remove anything that could identify a "
                "victim, or tick this box if you checked and it does not.",
            )
        return data

from django import forms
from django.utils import timezone

from coordination import autocomplete
from coordination.forms import PrivacyCheckedForm
from coordination.models import Coalition
from members.models import Agency, Membership

from .models import Activity


class ActivityForm(PrivacyCheckedForm, forms.ModelForm):
    privacy_fields = ("title", "notes")

    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "held_on",
            "start_time",
            "place",
            "audience",
            "presenting_agency",
            "people_reached",
            "is_public",
            "notes",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, coalition: Coalition, own_agency_only: int | None = None, **kwargs):
        """`own_agency_only`: an agency member records only what their agency presented."""
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        field = self.fields["presenting_agency"]
        if own_agency_only:
            field.queryset = Agency.objects.of_coalition(coalition, Membership.Status.ACTIVE).filter(pk=own_agency_only)
            field.required = True
            field.empty_label = None
            field.help_text = "You record the activities your agency presented."
        else:
            # A statewide coalition has thousands: a searchable select.
            autocomplete.use(field, "active-agency", None, coalition)
            field.empty_label = "The coalition, together"

    def clean(self):
        data = super().clean()
        held_on = data.get("held_on")
        if held_on and data.get("people_reached") is not None and held_on > timezone.localdate():
            self.add_error("people_reached", "Fill this in after the activity is held; it is still ahead.")
        return data


class ReportPeriodForm(forms.Form):
    """The dates a report covers; both ends included."""

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The start of the period must come before its end.")
        if start and end and (end - start).days > 366 * 30:
            raise forms.ValidationError("Choose a period of at most thirty years.")
        return data

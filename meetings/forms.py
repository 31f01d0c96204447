from django import forms

from coordination.models import Committee

from .models import Meeting
from .services import NonexistentLocalTime, local_datetime


class MeetingForm(forms.ModelForm):
    """Date and times are entered in the coalition's time zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    class Meta:
        model = Meeting
        fields = ["title", "kind", "committee", "date", "start_time", "end_time", "place", "video_url"]

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        self.zone = self.instance.zone
        self.fields["committee"].queryset = Committee.objects.filter(coalition=coalition, is_active=True)
        self.fields["committee"].empty_label = "The whole coalition"
        self.fields["committee"].help_text = "A committee's meeting is seen by those who may see the committee."
        self.fields["date"].help_text = f"Times are in {coalition.time_zone}."
        if self.instance.pk:
            start, end = self.instance.local_start, self.instance.local_end
            self.initial.update(date=start.date(), start_time=start.time(), end_time=end.time())

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", "The meeting must end after it starts.")
                return data
            try:
                self.instance.starts_at = local_datetime(day, start, self.zone)
                self.instance.ends_at = local_datetime(day, end, self.zone)
            except NonexistentLocalTime as exc:
                self.add_error("start_time", str(exc))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling", max_length=300, help_text="Shown on the meeting page and to the invitees."
    )

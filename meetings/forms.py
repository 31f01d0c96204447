from pathlib import Path

from django import forms
from django.conf import settings

from coordination import autocomplete, files, privacy
from coordination.forms import PrivacyCheckedForm
from coordination.models import Coalition, Committee
from members.models import Agency, Person

from .models import AgendaItem, Attendance, Meeting, MeetingSeries, Minutes
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
    # read by the privacy guard in clean_reason, and refused rather than confirmed
    privacy_stores = {"reason": "meetings.Meeting.cancel_reason"}

    reason = forms.CharField(
        label="Reason for cancelling", max_length=300, help_text="Shown on the meeting page and to the invitees."
    )

    def clean_reason(self):
        """E-mailed to every invitee at once: refused, not confirmed, when it
        looks like personal details."""
        reason = self.cleaned_data["reason"]
        if found := privacy.scan(reason):
            # (the message names the kind, not the text: it travels in the messages storage)
            raise forms.ValidationError(
                f"The reason goes to every invitee and looks like it holds {found[0].what}: write it without."
            )
        return reason


class AgendaItemForm(PrivacyCheckedForm, forms.ModelForm):
    privacy_fields = ("title", "notes")

    class Meta:
        model = AgendaItem
        fields = [
            "title",
            "presenter",
            "presenter_agency",
            "minutes_allotted",
            "notes",
            "is_case_review",
            "notes_allowed",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"presenter_agency": "Presenting agency"}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        # The coalition's agencies and their active people (members/choices.py), searched as one types.
        autocomplete.use(self.fields["presenter_agency"], "agency", None, meeting.coalition)
        autocomplete.use(self.fields["presenter"], "person", None, meeting.coalition)

    def clean(self):
        data = super().clean()
        if data.get("is_case_review") and not data.get("notes_allowed") and data.get("notes", "").strip():
            self.add_error(
                "notes", "Case-review items keep no notes. Remove them, or tick “Keep notes” if they are needed."
            )
        return data


class MinutesForm(PrivacyCheckedForm, forms.ModelForm):
    privacy_fields = ("body", "restricted_body", "decisions")

    class Meta:
        model = Minutes
        fields = ["body", "restricted_body", "decisions"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "restricted_body": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"body": "Minutes"}

    def __init__(self, *args, can_write_restricted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_write_restricted:
            del self.fields["restricted_body"]

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("body", "restricted_body", "decisions")):
            return data  # too long, say: that is the message, not "empty"
        written = [data.get(name, "") for name in ("body", "restricted_body", "decisions") if name in self.fields]
        # A restricted part the writer may not see is kept as it is, and counts as written.
        unseen = self.instance.pk and self.instance.restricted_body and "restricted_body" not in self.fields
        if not any(text.strip() for text in written if text) and not unseen:
            raise forms.ValidationError("The minutes are empty: write what happened, or a decision, then save.")
        return data


class GuestForm(PrivacyCheckedForm):
    privacy_fields = ("guest_name",)
    privacy_stores = {"guest_name": "meetings.Attendance.guest_name"}

    guest_name = forms.CharField(label="Guest's name", max_length=150)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False, label="Guest's agency")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # only the agencies of the meeting's own coalition, never another's
        autocomplete.use(self.fields["agency"], "agency", None, meeting.coalition)


class AgencyAttendanceForm(forms.Form):
    """One agency's invitees at once: its whole delegation present, or excused."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    status = forms.ChoiceField(
        label="Record its invitees as",
        choices=[(value, label) for value, label in Attendance.Status.choices if value not in ("guest", "substitute")],
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete.use(self.fields["agency"], "agency", None, meeting.coalition)
        self.meeting = meeting

    def clean_agency(self):
        agency = self.cleaned_data["agency"]
        if not self.meeting.attendances.filter(agency=agency, person__isnull=False).exists():
            raise forms.ValidationError("Nobody from this agency is on the meeting's list.")
        return agency


class SeriesForm(forms.ModelForm):
    class Meta:
        model = MeetingSeries
        fields = [
            "title",
            "kind",
            "committee",
            "frequency",
            "interval",
            "weekday",
            "week_of_month",
            "start_time",
            "end_time",
            "starts_on",
            "ends_on",
            "place",
            "video_url",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        self.fields["committee"].queryset = Committee.objects.filter(coalition=coalition, is_active=True)
        self.fields["committee"].empty_label = "The whole coalition"
        self.fields["start_time"].help_text = f"In {coalition.time_zone}."

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The meetings must end after they start.")
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", "The series must end after it starts.")
        if data.get("frequency") == MeetingSeries.Frequency.MONTHLY and not data.get("week_of_month"):
            self.add_error("week_of_month", "Choose which of the month's weekdays, for example the second.")
        return data


ATTACHMENT_TYPES = {
    ".pdf",
    ".docx",
    ".doc",
    ".xlsx",
    ".xls",
    ".pptx",
    ".odt",
    ".txt",
    ".md",
    ".csv",
    ".png",
    ".jpg",
    ".jpeg",
}


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File", help_text="PDF, Office documents, text or images; 10 MB at most.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            files.check_name(upload.name)
        except files.Refused as refused:
            raise forms.ValidationError(f"{files.shown(upload.name)}: {refused}") from None
        if Path(upload.name).suffix.lower() not in ATTACHMENT_TYPES:
            raise forms.ValidationError(
                f"{upload.name}: this kind of file cannot be attached. Use PDF, Office documents, text or images."
            )
        if upload.size > settings.ATTACHMENT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"{upload.name} is larger than {settings.ATTACHMENT_MAX_MB} MB.")
        try:
            files.check_content(upload.name, upload)
        except files.Refused as refused:
            raise forms.ValidationError(f"{upload.name}: {refused}") from None
        return upload


class EmailSettingsForm(forms.ModelForm):
    """What a person receives, from the link in every e-mail."""

    class Meta:
        model = Person
        fields = ["receives_reminders", "receives_digest", "digest_hour", "away_until"]
        widgets = {"away_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {
            "receives_reminders": "Meeting invitations, reminders and changes",
            "receives_digest": "A daily digest of my action items due soon or overdue",
            "digest_hour": "Send the digest at",
            "away_until": "Away: send nothing until",
        }


class MeetingSettingsForm(forms.ModelForm):
    """How a coalition's meetings reach the invitees: when invitations and
    updates go out, and when reminders do."""

    class Meta:
        model = Coalition
        fields = ["send_invitations", "meeting_reminders"]
        widgets = {"send_invitations": forms.RadioSelect}

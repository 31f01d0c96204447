"""Meetings of a coalition or one of its committees."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coordination import access
from coordination.models import committee_or_none_filter


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Meetings of the user's coalitions; a committee's meetings only for
        those who may see the committee."""
        return self.filter(access.coalition_filter(user, prefix="coalition__")).filter(committee_or_none_filter(user))


class MeetingKind(models.TextChoices):
    GENERAL = "general", "General meeting"
    COMMITTEE = "committee", "Committee meeting"
    TRAINING = "training", "Training"
    CASE_REVIEW = "case_review", "Case review"
    SPECIAL = "special", "Special meeting"


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class MeetingSeries(models.Model):
    """A recurring meeting, e.g. the second Thursday of each month, 12:00–13:30.
    It generates its meetings a configurable horizon ahead."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly, on a weekday of the month"

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="series")
    committee = models.ForeignKey(
        "coordination.Committee", on_delete=models.PROTECT, null=True, blank=True, related_name="series"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.GENERAL)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    interval = models.PositiveSmallIntegerField(default=1, help_text="Every how many weeks or months.")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=3)
    week_of_month = models.SmallIntegerField(
        choices=[(k, v.capitalize()) for k, v in ORDINALS.items()],
        null=True,
        blank=True,
        help_text="For monthly series: which of the month's weekdays.",
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    starts_on = models.DateField(help_text="The first date the series may fall on.")
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty for a series without an end.")
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField("video link", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "title"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return self.title

    def describe(self) -> str:
        day = dict(WEEKDAYS)[self.weekday]
        if self.frequency == self.Frequency.WEEKLY:
            every = "Every" if self.interval == 1 else f"Every {self.interval} weeks on"
            when = f"{every} {day}"
        else:
            months = "each month" if self.interval == 1 else f"every {self.interval} months"
            when = f"The {ORDINALS.get(self.week_of_month, 'first')} {day} of {months}"
        return f"{when}, {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def occurrences(self, start, end) -> list:
        """The dates of the series from start to end, both included."""
        from dateutil import rrule

        start = max(start, self.starts_on)
        if self.ends_on:
            end = min(end, self.ends_on)
        if end < start:
            return []
        weekday = rrule.weekdays[self.weekday]
        if self.frequency == self.Frequency.WEEKLY:
            rule = rrule.rrule(rrule.WEEKLY, interval=self.interval, byweekday=weekday, dtstart=self.starts_on)
        else:
            rule = rrule.rrule(
                rrule.MONTHLY,
                interval=self.interval,
                byweekday=weekday(self.week_of_month or 1),
                dtstart=self.starts_on,
            )
        return [
            d.date() for d in rule.between(datetime.combine(start, time.min), datetime.combine(end, time.max), inc=True)
        ]


class Meeting(models.Model):
    """One meeting: when and where, in the coalition's time zone, and how it went."""

    Kind = MeetingKind

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="meetings")
    committee = models.ForeignKey(
        "coordination.Committee", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True, help_text="Room and address.")
    video_url = models.URLField("video link", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField("reason for cancelling", max_length=300, blank=True)
    series = models.ForeignKey(MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    occurrence = models.DateField(null=True, blank=True, help_text="The series date this meeting stands for.")
    changed_by_hand = models.BooleanField(default=False, help_text="Edited on its own: series edits leave it alone.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="The calendar's revision: one up with each change invitees' calendars must follow."
    )
    invited_at = models.DateTimeField("invitations sent", null=True, blank=True)
    told_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The revision the invitees were last sent (invitation or update)."
    )

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["coalition", "starts_at"], name="meeting_coalition_start_idx"),
            models.Index(fields=["committee", "starts_at"], name="meeting_committee_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.local_start:%b %-d, %Y})"

    def get_absolute_url(self) -> str:
        return reverse("meeting", args=[self.pk])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})
        if self.committee_id and self.committee.coalition_id != self.coalition_id:
            raise ValidationError({"committee": "Choose a committee of this coalition."})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.coalition.time_zone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.zone)

    @property
    def has_started(self) -> bool:
        """Attendance is recorded from the meeting's start, not before."""
        return self.starts_at <= timezone.now()

    @property
    def changes_unsent(self) -> bool:
        """Invited, and changed since the invitees were last told."""
        return self.invited_at is not None and self.told_sequence is not None and self.sequence > self.told_sequence

    @property
    def is_over(self) -> bool:
        """Minutes are approved once the meeting is over, not before."""
        return self.ends_at <= timezone.now()


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    presenter = models.ForeignKey("members.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    presenter_agency = models.ForeignKey(
        "members.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes_allotted = models.PositiveSmallIntegerField("minutes", null=True, blank=True)
    notes = models.TextField(blank=True, max_length=settings.TEXT_MAX)
    is_case_review = models.BooleanField(
        "case review", default=False, help_text="Restricted to organizers and leads; keeps no notes unless allowed."
    )
    notes_allowed = models.BooleanField(
        "keep notes", default=False, help_text="Case-review items keep no notes unless the organizer turns this on."
    )
    approves_minutes_of = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The standing item that approves the previous meeting's minutes.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A person's invitation to a meeting: their answer before, and whether they came."""

    class Rsvp(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        MAYBE = "maybe", "Maybe"

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"
        SUBSTITUTE = "substitute", "Substitute sent"
        GUEST = "guest", "Guest"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "members.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    guest_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "members.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="attendances"
    )
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, blank=True)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    substitute_name = models.CharField(
        "substitute", max_length=150, blank=True, help_text="Who came in their place, when they sent a substitute."
    )

    class Meta:
        ordering = ["agency__name", "person__full_name", "guest_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(guest_name=""), name="attendance_has_someone"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="attendance_agency_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} at {self.meeting}"

    @property
    def name(self) -> str:
        return self.person.full_name if self.person_id else self.guest_name


class Minutes(models.Model):
    """What a meeting decided, in Markdown: a draft until a lead approves it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(
        blank=True, max_length=settings.LONG_TEXT_MAX, help_text="Markdown. No victim-identifying details."
    )
    restricted_body = models.TextField(
        "restricted part",
        max_length=settings.LONG_TEXT_MAX,
        blank=True,
        help_text="Only organizers, leads and the committee's members can read this.",
    )
    decisions = models.TextField(blank=True, max_length=settings.LONG_TEXT_MAX, help_text="One decision a line.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"

    @property
    def decision_list(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.decisions.splitlines() if line.strip(" -*\t")]


def attachment_path(instance, filename: str) -> str:
    return f"minutes/{instance.minutes.meeting.local_start:%Y}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    """A file kept with the minutes (the original of imported minutes, a
    handout). Served only as a download, to those who may see the meeting."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["minutes", "sha256"], name="attachment_once_per_minutes")]

    def __str__(self) -> str:
        return self.name


class MeetingEvent(models.Model):
    """One step in a meeting's story, for its page: scheduled, changed,
    invitations and updates sent, agenda, attendance, minutes, approval,
    cancellation; who did it and when, in a sentence."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CHANGED = "changed", "Changed"
        CANCELLED = "cancelled", "Cancelled"
        INVITED = "invited", "Invitations sent"
        UPDATE = "update", "Update sent"
        AGENDA = "agenda", "Agenda"
        ATTENDANCE = "attendance", "Attendance"
        MINUTES = "minutes", "Minutes"
        APPROVED = "approved", "Minutes approved"
        ACTIONS = "actions", "Action items"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["meeting", "-at", "-id"], name="meeting_event_story_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

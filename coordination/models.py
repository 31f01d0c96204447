"""What spans the coalition: logins, coalitions, their committees, invitations,
and the notification ledger."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.functions import Lower, Upper
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import access
from .privacy import KINDS as _KINDS
from .text import whole_number


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def holding(self, role: str, coalition) -> models.QuerySet:
        """Active logins with this role (organizer, lead) in the coalition (an
        instance or an id): the one query for "the organizers (leads) of X"."""
        return self.filter(coalition_roles__coalition=coalition, coalition_roles__role=role, is_active=True).distinct()

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. People log in with their work e-mail address; what they may see
    comes from their coalition roles and from the agency of their person."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("administrator", default=False, help_text="May use the administration site.")
    date_joined = models.DateTimeField(default=timezone.now)
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Secret part of the personal calendar feed's address.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        # Logins and invitations look an account up by email__iexact (UPPER(email) on PostgreSQL).
        indexes = [models.Index(Upper("email"), name="user_email_ci_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def reset_calendar_token(self) -> str:
        """A new secret feed address; the old one stops working."""
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not a time zone. Use a name such as America/Los_Angeles.")


def parse_reminders(value: str) -> list[tuple[str, timedelta]]:
    """'7d,1d' → [('7d', 7 days), ('1d', 1 day)], longest first."""
    offsets = []
    for part in (p.strip().lower() for p in (value or "").split(",") if p.strip()):
        number, unit = whole_number(part[:-1], below=10**5), part[-1:]
        if not number or unit not in ("d", "h"):
            raise ValidationError(f"{part!r} is not a reminder time: write days or hours such as 7d or 3h.")
        offsets.append((part, timedelta(days=number) if unit == "d" else timedelta(hours=number)))
    return sorted(offsets, key=lambda pair: pair[1], reverse=True)


def validate_reminders(value: str) -> None:
    parsed = parse_reminders(value)
    if any(delta > timedelta(days=30) for _, delta in parsed):
        raise ValidationError("Reminders can be at most 30 days before a meeting.")


class CoalitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CoalitionQuerySet":
        return self.filter(access.coalition_filter(user))


class Coalition(models.Model):
    """A county (or multi-county) coalition that meets and coordinates the response."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in the coalition's addresses.")
    counties = models.CharField(max_length=300, help_text="The counties or region it covers.")
    founded_on = models.DateField(null=True, blank=True, help_text="Date of the first meeting.")
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles", validators=[validate_time_zone])
    description = models.TextField(
        blank=True, max_length=settings.TEXT_MAX, help_text="The public description: mission and work."
    )
    description_es = models.TextField(
        "description in Spanish",
        blank=True,
        max_length=settings.TEXT_MAX,
        help_text="Shown on the Spanish public pages; when empty they show the English.",
    )
    contact_email = models.EmailField(blank=True, help_text="Where the coalition takes messages.")
    meeting_reminders = models.CharField(
        max_length=100,
        default="7d,1d",
        validators=[validate_reminders],
        help_text="When invitees are reminded before a meeting: days (d) and hours (h), e.g. 7d,1d or 2d,3h.",
    )

    class Invitations(models.TextChoices):
        AUTOMATIC = "automatic", "Automatically: a month ahead, and an update after each change"
        BY_HAND = "by_hand", "When an organizer sends them from the meeting's page"

    send_invitations = models.CharField(
        "meeting invitations",
        max_length=12,
        choices=Invitations.choices,
        default=Invitations.AUTOMATIC,
        help_text="Organizers can always send a meeting's invitations early with “Send invitations now”.",
    )
    escalate_to_agency_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days overdue before the owning agency's primary representative is told."
    )
    escalate_to_leads_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days overdue before the coalition's leads are told."
    )
    require_second_factor = models.BooleanField(
        "require a second factor of every member",
        default=False,
        help_text="Organizers and leads always need one. With this, everyone who signs in to this coalition "
        "adds an authenticator app or a passkey before they reach its pages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("coalition", args=[self.slug])

    @property
    def reminder_offsets(self) -> list[tuple[str, timedelta]]:
        return parse_reminders(self.meeting_reminders)


class CoalitionRole(models.Model):
    """A user's standing in a coalition: organizer (coordinator) or lead (chair,
    co-chair). Agency members need no row here: their agency's membership
    gives them their access."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", "Organizer"
        LEAD = "lead", "Lead"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="coalition_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    title = models.CharField(max_length=100, blank=True, help_text="For example Chair or Co-chair.")

    class Meta:
        ordering = ["coalition__name", "role", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["coalition", "user", "role"], name="coalitionrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.coalition}"


class CommitteeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommitteeQuerySet":
        return self.filter(committee_filter(user))


class Committee(models.Model):
    """A committee or working group that meets apart from the full coalition."""

    class Visibility(models.TextChoices):
        OPEN = "open", "Open to all coalition members"
        MEMBERS = "members", "Committee members, leads and organizers"
        RESTRICTED = "restricted", "Restricted: committee members and organizers only"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    charge = models.TextField(blank=True, max_length=settings.TEXT_MAX, help_text="What the committee is asked to do.")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.OPEN)
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField("members.Person", through="CommitteeMember", related_name="committees")

    history = HistoricalRecords()
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["coalition__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "slug"], name="committee_slug_unique"),
            models.UniqueConstraint(fields=["coalition", "name"], name="committee_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("committee", args=[self.coalition.slug, self.slug])


def committee_filter(user, prefix: str = "") -> models.Q:
    """Committees the user may see; `prefix` lets other models filter through a
    foreign key (e.g. prefix="committee__")."""
    s = access.standing(user)
    v = Committee.Visibility
    return (
        models.Q(**{f"{prefix}coalition_id__in": s.organizer_of})
        | models.Q(**{f"{prefix}coalition_id__in": s.lead_of, f"{prefix}visibility__in": [v.OPEN, v.MEMBERS]})
        | models.Q(**{f"{prefix}coalition_id__in": s.member_of, f"{prefix}visibility": v.OPEN})
        | models.Q(**{f"{prefix}id__in": s.committees})
    )


def committee_or_none_filter(user) -> models.Q:
    """For rows of the coalition itself (no committee) or of a committee the
    user may see; the callers limit the rows to the user's coalitions too.

    One who organizes every coalition they stand in, and sits on no
    committee, sees every committee of those coalitions (a row's committee
    is always one of its coalition): no condition, so a count of a big list
    reads the coalition's index alone, without joining the committees."""
    s = access.standing(user)
    if s.organizer_of and s.coalitions <= s.organizer_of and not s.committees:
        return models.Q()
    return models.Q(committee__isnull=True) | committee_filter(user, prefix="committee__")


class CommitteeMember(models.Model):
    """A person on a committee, possibly as one of its leads."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="committee_memberships")
    is_lead = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["committee", "person"], name="committeemember_unique")]

    def __str__(self) -> str:
        return f"{self.person} on {self.committee}"


class Invitation(models.Model):
    """An organizer's invitation to a person: an e-mail with a one-time link to
    set a password. Accepting it activates the login."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", "Organizer"
        LEAD = "lead", "Lead"
        MEMBER = "member", "Agency representative"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.user.email} to {self.coalition}"


class AnyOf(models.Lookup):
    """`field = ANY(array)` (PostgreSQL): an index condition, where an IN
    (subquery) in an OR is not."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class NotificationQuerySet(models.QuerySet):
    def of_coalition(self, coalition: Coalition) -> "NotificationQuerySet":
        """The messages on a coalition's "E-mails sent" page: its own, and
        those of another coalition that also tell of it. On PostgreSQL the
        second set is `id = ANY(ARRAY(SELECT ...))`, read once by its index,
        so the whole is two index scans; IN (SELECT ...) in an OR would read
        every row of the ledger."""
        others = Notification.also_concerns.through.objects.filter(coalition=coalition).values("notification_id")
        if connection.vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery

            also = models.Q(pk__any_of=ArraySubquery(others))
        else:
            also = models.Q(pk__in=others)
        return self.filter(models.Q(coalition=coalition) | also)


class Notification(models.Model):
    """The ledger of every e-mail the system sends: what, to whom, about which
    object, for which period, and how it went. The unique key is how a message
    is sent exactly once: a second request for the same message finds the row."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation to Roundtable"
        PASSWORD_RESET = "password_reset", "Password reset"
        MEETING_INVITATION = "meeting_invitation", "Meeting invitation"
        MEETING_REMINDER = "meeting_reminder", "Meeting reminder"
        MEETING_CHANGED = "meeting_changed", "Meeting rescheduled or cancelled"
        MINUTES_APPROVED = "minutes_approved", "Approved minutes"
        ACTION_DIGEST = "action_digest", "Daily digest of action items"
        ESCALATION_AGENCY = "escalation_agency", "Overdue item, to the agency"
        ESCALATION_LEADS = "escalation_leads", "Overdue item, to the leads"
        LEAD_REVIEW = "lead_review", "Weekly review for leads"
        ROLE_CONFIRMATION = "role_confirmation", "Please confirm the agency's roles"
        MOU_REVIEW = "mou_review", "MOU coming up for review"
        INQUIRY = "inquiry", "Message from the public"
        JOIN_REQUEST = "join_request", "A coalition asks an agency to join"
        SECURITY_NOTICE = "security_notice", "A change to the person's sign-in"
        WEBHOOK_DISABLED = "webhook_disabled", "A webhook endpoint was disabled"
        SERVER_ERRORS = "server_errors", "The day's server errors, to the administrators"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not needed any more"
        FAILED = "failed", "Failed"
        # Recorded, and told in the recipient's daily digest rather than alone.
        IN_DIGEST = "in_digest", "In the daily digest"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    object_id = models.BigIntegerField(help_text="The row the message is about.")
    period = models.CharField(max_length=40, blank=True, help_text="Which occurrence: a date, a window or a version.")
    email = models.EmailField()
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    also_concerns = models.ManyToManyField(
        Coalition,
        blank=True,
        related_name="+",
        help_text="Other coalitions the message tells of (a digest with items of several): "
        'it is on their "E-mails sent" pages too.',
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="The batch that claimed the row.")
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the row was last handed to the broker; empty: not handed yet."
    )
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="When the next try is due.")
    sent_at = models.DateTimeField(null=True, blank=True)
    outage = models.BooleanField(
        default=False,
        help_text="Failed because the mail server could not be reached: sent by itself once it answers again.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "period", "email"], name="notification_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            # the sweep's dispatch: rows owed and not yet handed to the broker, oldest first
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending", queued_at__isnull=True),
                name="notification_owed_idx",
            ),
            # a digest batch finds what was folded into its digests by their addresses
            models.Index(Upper("email"), condition=models.Q(status="in_digest"), name="notification_folded_idx"),
            # the coalition's "E-mails sent" page: newest first, or of one status
            models.Index(fields=["coalition", "-created_at"], name="notification_log_idx"),
            models.Index(fields=["coalition", "status", "-created_at"], name="notification_log_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.email} ({self.get_status_display()})"


Notification._meta.pk.register_lookup(AnyOf)


class Heartbeat(models.Model):
    """When a periodic job last ran: the dashboard warns organizers when the
    sweeper has been silent (worker or beat down)."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"last_run_at": timezone.now()})


class ServerError(models.Model):
    """A kind of error the deployment logged (its logger, exception and
    place in our code), how often and when; the daily report to ADMINS reads
    them (coordination/errors.py). Only used without Sentry."""

    fingerprint = models.CharField(max_length=64, unique=True)
    logger = models.CharField(max_length=100)
    exception = models.CharField(max_length=100, blank=True)
    where = models.CharField(max_length=300, blank=True)
    message = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=64, blank=True, help_text="The last time's request, to find in the logs.")

    def __str__(self) -> str:
        return f"{self.exception or self.logger}: {self.message[:80]}"


class Lease(models.Model):
    """A job that must not run twice at once (the minute's sweep) takes its
    lease: one conditional UPDATE that only one process can win, on the
    database every process shares. A holder that dies without letting go
    loses the lease when `until` passes."""

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=32, blank=True)
    until = models.DateTimeField()

    # The `until` of a lease no one holds: before any clock, even one set back.
    FREE = datetime(2000, 1, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.name} held until {self.until}"

    @classmethod
    @contextmanager
    def held(cls, name: str, duration: timedelta) -> Iterator[bool]:
        """Yields whether this caller holds the lease (False: another does),
        and lets it go on leaving."""
        now = timezone.now()
        cls.objects.get_or_create(name=name, defaults={"until": cls.FREE})
        holder = secrets.token_hex(8)
        taken = cls.objects.filter(name=name, until__lte=now).update(holder=holder, until=now + duration)
        try:
            yield bool(taken)
        finally:
            if taken:
                cls.objects.filter(name=name, holder=holder).update(holder="", until=cls.FREE)


class Export(models.Model):
    """A download too big to write while the browser waits: a worker replays
    the list's address (path and query) as the person who asked, writes the
    file under MEDIA_ROOT/exports/, and only that person may fetch it, until
    it expires."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=4, choices=Format.choices)
    filename = models.CharField(max_length=200, help_text="The download's name, without its extension.")
    path = models.CharField(max_length=500, help_text="The list's path, replayed by the worker.")
    query = models.TextField(
        max_length=8192, blank=True, help_text="The list's query string: its filters, order and format."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(max_length=500, blank=True, help_text="Why it failed, for its page.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}.{self.format} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("export", args=[self.coalition.slug, self.pk])

    @property
    def list_url(self) -> str:
        """The list it was made from, as a page rather than a download."""
        query = QueryDict(self.query, mutable=True)
        query.pop("_export", None)
        return f"{self.path}?{query.urlencode()}" if query else self.path

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def percent(self) -> int:
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0

    # A worker picks an export up within seconds; queued longer, none is running.
    WAIT_WARNING = timedelta(minutes=2)

    @property
    def waiting_too_long(self) -> bool:
        return self.status == self.Status.QUEUED and timezone.now() - self.created_at > self.WAIT_WARNING


class PrivacyCheck(models.Model):
    """Someone saved text although the privacy guard warned, saying why it
    is not a victim's details: who, when, on which form, which kinds, and the
    reason. Never the text itself."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    form = models.CharField(max_length=100, help_text="The form that warned.")
    path = models.CharField(max_length=300, blank=True, help_text="The page it was sent from.")
    kinds = models.CharField(max_length=200, help_text="What the guard found, by kind.")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.form}: {self.kinds} ({self.reason})"


class StoredFinding(models.Model):
    """Something in text already stored that may identify a victim, found by
    the archive scan (coordination/stored_text.py) for the coalition's
    organizers to review: where it is (the source, the row, the field), its
    kind, and what became of it. Never the text itself: a keyed digest of it
    tells the same finding again on the next scan, and the review page reads
    the words from the row itself."""

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        REDACTED = "redacted", "Removed"
        DISMISSED = "dismissed", "Not personal details"
        GONE = "gone", "No longer in the text"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40, help_text="Where it was found: the registered source's key.")
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=list(_KINDS.items()))
    digest = models.CharField(max_length=64, help_text="A keyed digest of the text found, never the text.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is not a victim's details.")

    class Meta:
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id", "field", "digest"], name="stored_finding_once")
        ]
        indexes = [
            # the review list: a coalition's, of a status, newest first
            models.Index(fields=["coalition", "status", "-found_at"], name="stored_finding_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.source} {self.object_id}.{self.field} ({self.status})"


class ArchiveScan(models.Model):
    """One reading of a coalition's stored text by the privacy guard: who
    asked (none: the weekly sweep), when, how far it got."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker began it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    texts = models.PositiveIntegerField(default=0, help_text="The texts read.")
    found = models.PositiveIntegerField(default=0, help_text="New findings.")
    then = models.JSONField(default=list, blank=True, help_text="The coalitions to scan after this one.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["coalition", "-requested_at"], name="archive_scan_latest_idx")]

    def __str__(self) -> str:
        return f"Scan of {self.coalition_id} at {self.requested_at:%Y-%m-%d %H:%M}"


class SecurityEvent(models.Model):
    """The security log: who signed in, failed or was locked out, whose second
    factors or standing changed, who exported contact details; with the address
    and browser it came from. Never a password or a code."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        ACCOUNT_LINKED = "account_linked", "Agency account linked (single sign-on)"
        LOCKED_OUT = "locked_out", "Locked out"
        FACTOR_ADDED = "factor_added", "Second factor added"
        FACTOR_REMOVED = "factor_removed", "Second factor removed"
        FACTOR_RESET = "factor_reset", "Second factors reset by an organizer"
        RECOVERY_CODES = "recovery_codes", "New recovery codes"
        RECOVERY_CODE_USED = "recovery_code_used", "Signed in with a recovery code"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        ROLE_CHANGED = "role_changed", "Standing changed"
        CONTACT_EXPORT = "contact_export", "Contact details exported"
        TOKEN_CREATED = "token_created", "API token made"
        TOKEN_REVOKED = "token_revoked", "API token revoked"

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Whom it concerns."
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Who did it, if not they."
    )
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    identifier = models.CharField(max_length=254, blank=True, help_text="The e-mail address typed, for a failure.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=200, blank=True, help_text="The browser, as it names itself.")
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="security_event_at_idx"),
            models.Index(fields=["user", "-at"], name="security_event_user_idx"),
            models.Index(fields=["coalition", "-at"], name="security_event_coalition_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"

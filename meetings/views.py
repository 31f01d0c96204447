import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, Max, Q, When
from django.db.models.functions import Greatest, Length, Substr
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coordination import access, pages
from coordination.mail import absolute_url
from coordination.models import Coalition, Notification, User, committee_or_none_filter
from coordination.pages import get_coalition_for_user, permission_required, post_data, remember_coalition, require
from coordination.paging import page_number, slice_of
from coordination.reauth import recent_sign_in
from coordination.text import whole_number, without_controls
from members.email_settings import person_from_token

from . import calendar, invitations, notices, search, services
from .forms import (
    AgencyAttendanceForm,
    AgendaItemForm,
    AttachmentForm,
    CancelForm,
    EmailSettingsForm,
    GuestForm,
    MeetingForm,
    MeetingSettingsForm,
    MinutesForm,
    SeriesForm,
)
from .models import AgendaItem, Attachment, Attendance, Meeting, MeetingEvent, MeetingSeries, Minutes
from .pages import ONLY_ORGANIZERS_CHANGE, TextPage, changes_meeting, get_meeting_for_user, text_page, text_step

UPCOMING = 10
FIRST_YEAR = 1900  # the earliest archive year an address may ask for
ONLY_ORGANIZERS_SCHEDULE = "Only the coalition's organizers can schedule meetings."

log = logging.getLogger(__name__)


@login_required
def meeting_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """Upcoming meetings, and the archive by year since the first meeting."""
    coalition = get_coalition_for_user(request, coalition_slug)
    zone = Meeting(coalition=coalition).zone
    # local_start reads the coalition's time zone: the coalition comes with each row
    meetings = (
        Meeting.objects.visible_to(request.user).filter(coalition=coalition).select_related("committee", "coalition")
    )
    now = timezone.now()
    years = [d.year for d in meetings.filter(starts_at__lt=now).datetimes("starts_at", "year", tzinfo=zone)]
    asked = request.GET.get("year")
    year = whole_number(asked, below=10**4) if asked else (years[-1] if years else now.year)
    if year is None or not FIRST_YEAR <= year <= now.year + 1:  # beyond, dates cannot be built; nothing is there
        raise Http404("No such year.")
    start = datetime(year, 1, 1, tzinfo=zone)
    archive = meetings.filter(starts_at__gte=start, starts_at__lt=min(start.replace(year=year + 1), now))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "coalition": coalition,
            "upcoming": meetings.filter(ends_at__gte=now)[:UPCOMING],
            # a year of a busy coalition's meetings runs to hundreds: a page at a time
            "archive": slice_of(archive.order_by("-starts_at", "-pk"), request, "page"),
            "years": years[::-1],
            "year": year,
            "can_schedule": request.user.has_perm("meetings.schedule_meeting", coalition),
            "series": coalition.series.filter(committee_or_none_filter(request.user)).select_related("committee"),
        },
    )


# A meeting's page shows this many agenda items, invitations and attachments a
# page (each list turns its own pages: ?agenda=2, ?invited=2, ?files=2).
SHOWN = 50
PRESENT_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE, Attendance.Status.GUEST)
MINUTES_PARTS = {"body": "Minutes", "decisions": "Decisions", "restricted": "Restricted part"}
MINUTES_FIELDS = {"body": "body", "decisions": "decisions", "restricted": "restricted_body"}


def _minutes_heads(size: int) -> dict:
    """The length of each part of a meeting's minutes and its first page's
    worth of text, read with the meeting: never the whole text."""
    step, _ = text_step(size)
    heads = {}
    for part, name in MINUTES_FIELDS.items():
        heads[f"{part}_length"] = Length(f"minutes__{name}")
        heads[f"{part}_head"] = Substr(f"minutes__{name}", 1, step)
    return heads


def _first_page(meeting: Meeting, part: str, size: int) -> TextPage:
    head, length = getattr(meeting, f"{part}_head") or "", getattr(meeting, f"{part}_length") or 0
    return text_page(lambda start, end: head[start:end], length, 1, size)


def decision_lines(text: str) -> list[str]:
    return [line.strip(" -*\t") for line in text.splitlines() if line.strip(" -*\t")]


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: every list on it shows a page at a time with its count, and
    the minutes their first page, so the page stays the same size however big
    the meeting (a fixed number of queries, a bounded amount of HTML)."""
    user = request.user
    size = settings.MINUTES_PAGE_CHARS
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user)
        .select_related("coalition", "committee", "series", "minutes", "minutes__approved_by")
        .defer("minutes__body", "minutes__decisions", "minutes__restricted_body")
        .annotate(**_minutes_heads(size)),
        pk=pk,
    )
    remember_coalition(request, meeting.coalition_id)
    restricted = user.has_perm("meetings.read_restricted", meeting)
    items = meeting.agenda_items.select_related("presenter", "presenter_agency", "approves_minutes_of")
    if not restricted:
        items = items.filter(is_case_review=False)
    minutes = getattr(meeting, "minutes", None)
    parts = {}
    if minutes:
        parts["body"] = _first_page(meeting, "body", size)
        decisions = _first_page(meeting, "decisions", size)
        lines = decision_lines(decisions.text)
        parts["decisions"] = lines[: settings.DECISIONS_SHOWN]
        parts["more_decisions"] = len(lines) > settings.DECISIONS_SHOWN or decisions.has_next
        if restricted:
            parts["restricted"] = _first_page(meeting, "restricted", size)
    my_person_id = access.standing(user).person_id
    mine = {"mine": Count("pk", filter=Q(person_id=my_person_id))} if my_person_id else {}
    if mine:
        mine["my_rsvp"] = Max(Case(When(person_id=my_person_id, then=F("rsvp"))))
    attendances = slice_of(
        meeting.attendances.select_related("person", "agency").order_by(*Attendance._meta.ordering, "pk"),
        request,
        "invited",
        SHOWN,
        invited=Count("pk", filter=Q(person__isnull=False)),
        yes=Count("pk", filter=Q(rsvp=Attendance.Rsvp.YES)),
        no=Count("pk", filter=Q(rsvp=Attendance.Rsvp.NO)),
        maybe=Count("pk", filter=Q(rsvp=Attendance.Rsvp.MAYBE)),
        present=Count("pk", filter=Q(status__in=PRESENT_STATUSES)),
        **mine,
    )
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "can_change": user.has_perm("meetings.change_meeting", meeting),
            "can_approve": meeting.is_over and user.has_perm("meetings.approve_minutes", meeting),
            "restricted": restricted,
            "items": slice_of(items.order_by("position", "pk"), request, "agenda", SHOWN),
            "minutes": minutes,
            "parts": parts,
            "attachments": (
                slice_of(minutes.attachments.order_by("name", "pk"), request, "files", SHOWN) if minutes else None
            ),
            "attendances": attendances,
            "counts": attendances.totals,
            # the user's own invitation, for the RSVP buttons (wherever it falls in the list)
            "mine": Attendance(rsvp=attendances.totals["my_rsvp"] or "") if attendances.totals.get("mine") else None,
            "rsvp_choices": Attendance.Rsvp.choices,
            "events": slice_of(meeting.events.select_related("user"), request, "story", SHOWN),
            "sending": _sending(meeting) if user.has_perm("meetings.change_meeting", meeting) else None,
            "cancel_form": CancelForm(),
            "attachment_form": AttachmentForm(),
            # the action items that came out of it, and those carried from before
            **pages.extra_context("meeting_detail", request, meeting),
        },
    )


def _sending(meeting: Meeting) -> dict:
    """Where the meeting's invitations stand, for its organizers: not yet sent
    (and when they go automatically), sent on a date to so many, changes not
    yet sent (and the latest)."""
    invited = Notification.objects.filter(
        kind=Notification.Kind.MEETING_INVITATION, object_id__in=meeting.attendances.values("pk")
    )
    automatic = meeting.coalition.send_invitations == Coalition.Invitations.AUTOMATIC
    return {
        "open": meeting.status == Meeting.Status.SCHEDULED and not meeting.is_over,
        "count": invited.count() if meeting.invited_at else 0,
        "automatic": automatic,
        # the day they go; none when that is past (the next sweep, within minutes, sends them)
        "automatic_on": meeting.starts_at - notices.INVITE_AHEAD
        if automatic and meeting.starts_at - notices.INVITE_AHEAD > timezone.now()
        else None,
        "last_change": (
            meeting.events.filter(kind=MeetingEvent.Kind.CHANGED).first() if meeting.changes_unsent else None
        ),
    }


@login_required
def minutes_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole of a meeting's minutes, a part at a time and a page at a time
    (the meeting's page shows the first page of each): each page is read from
    the database alone, so the longest minutes cost what a short one does."""
    meeting = get_meeting_for_user(request, pk)
    part = request.GET.get("part", "body")
    if part not in MINUTES_PARTS:
        raise Http404("No such part of these minutes.")
    if part == "restricted":
        require(
            request,
            "meetings.read_restricted",
            meeting,
            "Only organizers, leads and the committee's members can read this.",
        )
    name = MINUTES_FIELDS[part]
    minutes = get_object_or_404(
        Minutes.objects.defer(*MINUTES_FIELDS.values()).annotate(length=Length(name)), meeting=meeting
    )

    def read(start: int, end: int) -> str:
        return (
            Minutes.objects.filter(pk=minutes.pk)
            .annotate(chunk=Substr(name, start + 1, end - start))
            .values_list("chunk", flat=True)
            .get()
            or ""
        )

    page = text_page(read, minutes.length or 0, page_number(request, "page"), settings.MINUTES_PAGE_CHARS)
    return render(
        request,
        "meetings/minutes_read.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "minutes": minutes,
            "part": part,
            "part_label": MINUTES_PARTS[part],
            "page": page,
            "decisions": decision_lines(page.text) if part == "decisions" else None,
        },
    )


@login_required
def meeting_form(request: HttpRequest, coalition_slug: str | None = None, pk: int | None = None) -> HttpResponse:
    if pk:
        meeting = get_meeting_for_user(request, pk)
        require(request, "meetings.change_meeting", meeting, ONLY_ORGANIZERS_CHANGE)
        coalition = meeting.coalition
    else:
        coalition = get_coalition_for_user(request, coalition_slug)
        require(request, "meetings.schedule_meeting", coalition, ONLY_ORGANIZERS_SCHEDULE)
        meeting = Meeting(coalition=coalition, created_by=request.user)
    form = MeetingForm(post_data(request), instance=meeting, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        if meeting.series_id:
            # Edited on its own: later edits of the series leave it as it is.
            form.instance.changed_by_hand = True
        meeting = services.save_meeting(form, request.user)
        messages.success(request, f"“{meeting.title}” is {'updated' if pk else 'scheduled'}.")
        if meeting.changes_unsent:
            messages.info(request, "The invitees have not been told of the change: send them the update when ready.")
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "coalition": coalition, "meeting": meeting})


@login_required
@require_POST
@changes_meeting
def meeting_cancel(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = CancelForm(request.POST)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.info(request, "This meeting was already cancelled.")
    elif form.is_valid():
        services.cancel(meeting, form.cleaned_data["reason"], request.user)
        messages.success(request, f"“{meeting.title}” is cancelled.")
    else:
        messages.error(
            request, " ".join(form.errors.get("reason", ["Give a reason for cancelling: the invitees will see it."]))
        )
    return redirect(meeting)


# --- Agenda ------------------------------------------------------------------------


@changes_meeting
def agenda(request: HttpRequest, meeting: Meeting, item_pk: int | None = None) -> HttpResponse:
    """The organizer builds the agenda: add, edit, move up and down, remove."""
    item = get_object_or_404(meeting.agenda_items, pk=item_pk) if item_pk else AgendaItem(meeting=meeting)
    if request.method == "POST" and "move" in request.POST:
        moved = get_object_or_404(meeting.agenda_items, pk=request.POST.get("item"))
        direction = "up" if request.POST["move"] == "up" else "down"
        services.move_item(moved, -1 if direction == "up" else 1)
        services.note(meeting, MeetingEvent.Kind.AGENDA, f"Moved {_named(moved)} {direction}.", request.user)
        return redirect("agenda", meeting.pk)
    if request.method == "POST" and "remove" in request.POST:
        removed = get_object_or_404(meeting.agenda_items, pk=request.POST.get("item"))
        removed.delete()
        services.note(meeting, MeetingEvent.Kind.AGENDA, f"Removed {_named(removed)}.", request.user)
        messages.success(request, "The item is removed from the agenda.")
        return redirect("agenda", meeting.pk)
    if request.method == "POST" and "approval" in request.POST:
        added = services.add_approval_item(meeting)
        if added is None:
            messages.info(request, "There is no earlier meeting whose minutes need approving, or the item is there.")
        else:
            services.note(meeting, MeetingEvent.Kind.AGENDA, f"Added “{added.title}”.", request.user)
        services.renumber(meeting)
        return redirect("agenda", meeting.pk)
    form = AgendaItemForm(post_data(request), instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if item.pk is None:
            last = meeting.agenda_items.order_by("-position").first()
            form.instance.position = (last.position if last else 0) + 10
        form.save()
        verb = "Changed" if item_pk else "Added"
        services.note(meeting, MeetingEvent.Kind.AGENDA, f"{verb} {_named(form.instance)}.", request.user)
        messages.success(request, f"“{form.instance.title}” is on the agenda.")
        return redirect("agenda", meeting.pk)
    return render(
        request,
        "meetings/agenda.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "items": meeting.agenda_items.select_related("presenter", "presenter_agency"),
            "form": form,
            "item": item,
            # the open action items of earlier meetings, offered as one item
            **pages.extra_context("agenda", request, meeting),
        },
    )


def _named(item: AgendaItem) -> str:
    """An item as the meeting's history names it: everyone who sees the
    meeting reads its history, so a case review is not named."""
    return "a case-review item" if item.is_case_review else f"“{item.title}”"


# --- Invitations and attendance ----------------------------------------------------


@login_required
@require_POST
@changes_meeting
def send_invitations(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """ "Send invitations now", or "Send update" after a change."""
    if meeting.status != Meeting.Status.SCHEDULED or meeting.is_over:
        messages.error(request, "Invitations and updates are sent for meetings still to come.")
    elif request.POST.get("send") == "update":
        told = services.send_update(meeting, request.user)
        messages.success(request, f"The update is on its way to {told} {'person' if told == 1 else 'people'}.")
    else:
        sent = notices.send_invitations(meeting, request.user)
        messages.success(
            request,
            f"Invitations are on their way to {sent} {'person' if sent == 1 else 'people'}."
            if sent
            else "Everyone who can be reached by e-mail already has an invitation.",
        )
    return redirect(meeting)


@changes_meeting
def attendance(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """One screen to record who came: present, absent, excused, substitute,
    guest; a page of invitations at a time (a general meeting of a big
    coalition invites thousands), each page saved on its own. Viewing it
    changes nothing: the list of invitees is made when invitations are sent,
    or when the organizer records attendance."""
    if request.method == "POST" and not meeting.has_started:
        messages.error(
            request,
            f"Attendance is recorded once the meeting has started, on {meeting.local_start:%B %-d at %-I:%M %p}. "
            "Nothing was saved.",
        )
        return redirect("attendance", meeting.pk)
    if request.method == "POST":
        listed = invitations.ensure_invitations(meeting)  # the invitees, if none were sent invitations
        if "list" in request.POST:
            if listed:
                who = "invitee is" if listed == 1 else "invitees are"
                messages.success(request, f"{listed} {who} listed: record who came.")
            else:
                messages.info(request, "Nobody new to list: add those who came as guests.")
            return redirect("attendance", meeting.pk)
    if request.method == "POST" and request.POST.get("fill") in FILLS:
        # A few clicks for a whole meeting: every invitation not yet recorded, across all pages, at once.
        unrecorded = meeting.attendances.filter(person__isnull=False, status="")
        counts = [unrecorded.filter(**match).update(status=status) for match, status in FILLS[request.POST["fill"]]]
        _held(meeting)
        services.note(
            meeting,
            MeetingEvent.Kind.ATTENDANCE,
            f"{FILL_NAMES[request.POST['fill']]} ({sum(counts)} recorded).",
            request.user,
        )
        messages.success(request, f"{sum(counts)} not yet recorded {'is' if sum(counts) == 1 else 'are'} now recorded.")
        return redirect("attendance", meeting.pk)
    # its own prefix: the guest form beside it has an agency field too, and ids must not repeat
    agency_form = AgencyAttendanceForm(
        request.POST if "agency_fill" in request.POST else None, meeting=meeting, prefix="whole"
    )
    if request.method == "POST" and "agency_fill" in request.POST and agency_form.is_valid():
        agency, status = agency_form.cleaned_data["agency"], agency_form.cleaned_data["status"]
        count = meeting.attendances.filter(person__isnull=False, agency=agency).update(
            status=status, substitute_name=""
        )
        _held(meeting)
        label = Attendance.Status(status).label.lower()
        services.note(
            meeting, MeetingEvent.Kind.ATTENDANCE, f"{agency.name}: {label} ({count} recorded).", request.user
        )
        messages.success(request, f"{agency.name}: {count} recorded as {label}.")
        return redirect("attendance", meeting.pk)
    guest_form = GuestForm(request.POST if "add_guest" in request.POST else None, meeting=meeting)
    if request.method == "POST" and "add_guest" in request.POST:
        if guest_form.is_valid():
            Attendance.objects.create(
                meeting=meeting,
                guest_name=guest_form.cleaned_data["guest_name"],
                agency=guest_form.cleaned_data["agency"],
                status=Attendance.Status.GUEST,
            )
            _held(meeting)
            services.note(
                meeting,
                MeetingEvent.Kind.ATTENDANCE,
                f"Guest added: {guest_form.cleaned_data['guest_name']}.",
                request.user,
            )
            messages.success(request, f"{guest_form.cleaned_data['guest_name']} is recorded as a guest.")
            return redirect("attendance", meeting.pk)
    elif request.method == "POST" and "agency_fill" not in request.POST:
        allowed = {value for value, _ in Attendance.Status.choices} | {""}
        changed = []
        posted = [key.removeprefix("status-") for key in request.POST if key.startswith("status-")]
        keys = [key for key in map(whole_number, posted) if key is not None]
        for row in meeting.attendances.filter(pk__in=keys):
            status = request.POST.get(f"status-{row.pk}", row.status)
            if status not in allowed:
                messages.error(request, f"“{status}” is not an attendance status; nothing was saved.")
                return redirect("attendance", meeting.pk)
            typed = without_controls(request.POST.get(f"substitute-{row.pk}", row.substitute_name))
            substitute = " ".join(typed.split())[:150]
            if status != Attendance.Status.SUBSTITUTE:
                substitute = ""
            if (status, substitute) != (row.status, row.substitute_name):
                row.status, row.substitute_name = status, substitute
                changed.append(row)
        Attendance.objects.bulk_update(changed, ["status", "substitute_name"])
        _held(meeting)
        if changed:
            services.note(
                meeting,
                MeetingEvent.Kind.ATTENDANCE,
                f"Attendance recorded for {len(changed)} {'person' if len(changed) == 1 else 'people'}.",
                request.user,
            )
        next_page = whole_number(request.POST.get("next_page"), below=10**9)
        if next_page is not None:
            messages.success(request, "Attendance is saved. Here is the next page of invitations.")
            return redirect(f"{reverse('attendance', args=[meeting.pk])}?page={next_page}")
        messages.success(request, "Attendance is saved.")
        return redirect(meeting)
    rows = meeting.attendances.select_related("person", "agency").order_by(*Attendance._meta.ordering, "pk")
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "rows": slice_of(rows, request, "page"),
            "statuses": Attendance.Status.choices,
            "guest_form": guest_form,
            "agency_form": agency_form,
        },
    )


def _held(meeting: Meeting) -> None:
    """Attendance recorded: the meeting took place."""
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])


FILL_NAMES = {"everyone": "Everyone present", "rsvps": "From the answers"}
# The attendance screen's quick fills, of the invitations not yet recorded:
# everyone present; or from the answers, yes present and no excused.
FILLS = {
    "everyone": [({}, Attendance.Status.PRESENT)],
    "rsvps": [
        ({"rsvp": Attendance.Rsvp.YES}, Attendance.Status.PRESENT),
        ({"rsvp": Attendance.Rsvp.NO}, Attendance.Status.EXCUSED),
    ],
}


@login_required
@require_POST
def rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    person_id = access.standing(request.user).person_id
    row = meeting.attendances.filter(person_id=person_id).first() if person_id else None
    answer = request.POST.get("answer")
    if row is None or answer not in Attendance.Rsvp.values:
        messages.error(request, "You are not on this meeting's invitation list.")
    else:
        invitations.record_rsvp(row, answer)
        messages.success(request, f"Your answer is recorded: {row.get_rsvp_display().lower()}.")
    return redirect(meeting)


def rsvp_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The RSVP link of an invitation e-mail: works without logging in. Showing
    the page changes nothing (mail scanners open links); the buttons do."""
    row = invitations.attendance_from_token(token)
    if row is None or row.meeting.status == Meeting.Status.CANCELLED or row.meeting.ends_at < timezone.now():
        return render(request, "meetings/rsvp_expired.html", status=410)
    if request.method == "POST" and request.POST.get("answer") in Attendance.Rsvp.values:
        invitations.record_rsvp(row, request.POST["answer"])
        messages.success(request, f"Thank you: your answer is recorded as “{row.get_rsvp_display()}”.")
        return redirect("rsvp_link", token)
    return render(
        request, "meetings/rsvp.html", {"row": row, "meeting": row.meeting, "choices": Attendance.Rsvp.choices}
    )


# --- Minutes -------------------------------------------------------------------------


@changes_meeting
def minutes_edit(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    longest = (
        Minutes.objects.filter(meeting=meeting)
        .annotate(longest=Greatest(*(Length(name) for name in MINUTES_FIELDS.values())))
        .values_list("longest", flat=True)
        .first()
    )
    if longest and longest > settings.LONG_TEXT_MAX:
        # Imported before the limits held: a form cannot take it, nor a page show it whole.
        return render(
            request,
            "meetings/minutes_too_long.html",
            {"meeting": meeting, "coalition": meeting.coalition, "longest": longest, "limit": settings.LONG_TEXT_MAX},
        )
    minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes(meeting=meeting)
    form = MinutesForm(
        post_data(request),
        instance=minutes,
        # new minutes start from the agenda: a section per item
        initial={} if minutes.pk else {"body": services.minutes_outline(meeting)},
        can_write_restricted=request.user.has_perm("meetings.read_restricted", meeting),
    )
    if request.method == "POST" and form.is_valid():
        new = form.instance.pk is None
        reopened = services.save_minutes(form.instance)
        summary = (
            "Drafted the minutes."
            if new
            else "Changed the approved minutes: they need approval again."
            if reopened
            else "Changed the draft minutes."
        )
        services.note(meeting, MeetingEvent.Kind.MINUTES, summary, request.user)
        messages.success(
            request,
            "The minutes are saved and need a lead's approval again." if reopened else "The draft minutes are saved.",
        )
        return redirect(meeting)
    return render(
        request,
        "meetings/minutes_form.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "form": form,
            # the form to turn a decision into an action item, and those made so far
            **pages.extra_context("minutes_form", request, meeting),
        },
    )


@login_required
@require_POST
@permission_required(
    "meetings.approve_minutes", get_meeting_for_user, "pk", message="Only the coalition's leads can approve minutes."
)
def minutes_approve(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    minutes = get_object_or_404(Minutes, meeting=meeting)
    if not meeting.is_over:
        messages.error(request, "Minutes are approved once the meeting is over: they record what happened.")
    elif minutes.status == Minutes.Status.APPROVED:
        messages.info(request, "These minutes were already approved.")
    else:
        services.approve_minutes(minutes, request.user)
        messages.success(request, "The minutes are approved.")
    return redirect(meeting)


# --- Calendar ----------------------------------------------------------------------

FEED_PAST = timedelta(days=365)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    body = calendar.calendar_for([meeting], meeting.coalition.name)
    return _ics_response(body, f"meeting-{meeting.local_start:%Y-%m-%d}.ics")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A user's subscription feed: the meetings they may see, from a year ago on.
    The secret address is the only credential, so it can be reset."""
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    # (one with no standing left, their person marked inactive, has no feed: not an empty one)
    if user is None or not access.standing(user).coalitions:
        raise Http404("No such calendar.")
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(starts_at__gte=timezone.now() - FEED_PAST)
        .select_related("coalition", "committee")
    )
    body = calendar.calendar_for(meetings, "Roundtable meetings")
    return _ics_response(body, "roundtable.ics")


@login_required
@recent_sign_in  # the feed's secret address is a credential
def calendar_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST" or not user.calendar_token:
        user.reset_calendar_token()
        if request.method == "POST":
            messages.success(
                request, "Your feed has a new address. Subscribe again with it; the old one no longer works."
            )
            return redirect("calendar_settings")
    feed_url = absolute_url(reverse("calendar_feed", args=[user.calendar_token]))
    return render(request, "meetings/calendar_settings.html", {"feed_url": feed_url})


# --- Series ----------------------------------------------------------------------


@permission_required(
    "meetings.schedule_meeting", get_coalition_for_user, "coalition_slug", message=ONLY_ORGANIZERS_SCHEDULE
)
def series_form(request: HttpRequest, coalition: Coalition, pk: int | None = None) -> HttpResponse:
    series = (
        get_object_or_404(coalition.series, pk=pk)
        if pk
        else MeetingSeries(coalition=coalition, created_by=request.user)
    )
    form = SeriesForm(post_data(request), instance=series, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        series = form.save()
        counts = services.sync_series(series)
        messages.success(
            request,
            f"“{series.title}” saved: {counts['created']} meetings scheduled, {counts['updated']} updated, "
            f"{counts['cancelled']} cancelled, {settings.MEETING_HORIZON_DAYS} days ahead. "
            "Meetings you changed one by one stay as they are.",
        )
        return redirect("meeting_list", coalition.slug)
    return render(request, "meetings/series_form.html", {"form": form, "coalition": coalition, "series": series})


@permission_required(
    "meetings.schedule_meeting", get_coalition_for_user, "coalition_slug", message=ONLY_ORGANIZERS_SCHEDULE
)
def meeting_settings(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """The coalition's invitations (automatic or by hand) and reminders."""
    was = coalition.send_invitations
    form = MeetingSettingsForm(post_data(request), instance=coalition)
    if request.method == "POST" and form.is_valid():
        coalition = form.save()
        messages.success(request, "The meeting settings are saved; they hold for every meeting from now on.")
        switched = was != coalition.send_invitations == Coalition.Invitations.AUTOMATIC
        if switched and (sent := services.send_waiting_updates(coalition, request.user)):
            meetings = "meeting" if sent == 1 else "meetings"
            messages.info(request, f"The changes waiting to be sent for {sent} {meetings} are on their way.")
        return redirect("meeting_list", coalition.slug)
    return render(request, "meetings/meeting_settings.html", {"form": form, "coalition": coalition})


@login_required
def meeting_search(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    text = request.GET.get("q", "")[:200]
    hits = search.search(request.user, coalition, text)
    return render(request, "meetings/search.html", {"coalition": coalition, "q": text, "hits": hits})


# --- Attachments -------------------------------------------------------------------


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Always a download (never shown inline), and only to those who see the meeting."""
    attachment = get_object_or_404(
        Attachment.objects.filter(minutes__meeting__in=Meeting.objects.visible_to(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        # The row outlived its file (media not restored with the database).
        log.error("Attachment %s has no file at %s", attachment.pk, attachment.file.name)
        raise Http404("This file is missing from the server; ask an organizer to upload it again.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Content-Type"] = "application/octet-stream"
    return response


@login_required
@require_POST
@changes_meeting
def attachment_upload(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes.objects.create(meeting=meeting)
        if services.attach(minutes, form.cleaned_data["file"], request.user) is None:
            messages.info(request, "That file is already attached.")
        else:
            messages.success(request, f"{form.cleaned_data['file'].name} is attached to the minutes.")
    else:
        messages.error(request, " ".join(form.errors["file"]))
    return redirect(meeting)


# --- Reminder settings (from the link in every e-mail) ----------------------------


def reminder_settings(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone who gets our e-mails can stop (or restart) them from the link at
    the bottom of each, without logging in."""
    person = person_from_token(token)
    if person is None:
        raise Http404("This link is not complete or too old.")
    form = EmailSettingsForm(post_data(request), instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your e-mail settings are saved.")
        return redirect("reminder_settings", token)
    return render(request, "meetings/reminder_settings.html", {"person": person, "form": form})

"""Each person's start page: their coalitions, roles, committees, next meeting,
their agency's open items and, for organizers, a warning when reminders stop
or e-mail does not go out."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coordination import access, notifications, services
from coordination.models import Coalition, CoalitionRole, Committee, Heartbeat
from meetings.models import Meeting
from members.models import Agency, JoinRequest, Membership
from tasks.models import ActionItem
from tasks.services import STALE_AFTER

# Organizers are warned when the minute's sweep has not run for this long.
SWEEPER_SILENCE = timedelta(minutes=10)
# The dashboard names the next meeting if it falls within this window.
NEXT_MEETING_WINDOW = timedelta(days=60)


def _sweeper_silent(last_sweep) -> bool:
    """Whether the sweep (beat, then the worker) has missed its runs: its last
    run is older than SWEEPER_SILENCE or, before its first run, the site has
    been set up longer than that (a fresh start gives beat its first chance)."""
    cutoff = timezone.now() - SWEEPER_SILENCE
    if last_sweep is not None:
        return last_sweep < cutoff
    first = MigrationRecorder.Migration.objects.order_by("applied").values_list("applied", flat=True).first()
    return first is None or first < cutoff


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    standing = access.standing(user)
    last_held = Meeting.objects.filter(coalition=OuterRef("pk"), committee=None, status=Meeting.Status.HELD).order_by(
        "-starts_at"
    )
    coalitions = Coalition.objects.visible_to(user).annotate(
        active_members=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True),
        last_meeting_id=Subquery(last_held.values("pk")[:1]),
    )
    if standing.organizer_of:
        # Read with the coalitions, so the e-mail warning costs organizers no query of its own.
        coalitions = coalitions.annotate(oldest_owed_email=services.oldest_owed_email())
    coalitions = list(coalitions)
    roles = {}
    for role in CoalitionRole.objects.filter(user=user) if standing.staff_of else ():
        roles.setdefault(role.coalition_id, []).append(role)
    committees = {}
    for committee in Committee.objects.visible_to(user).filter(is_active=True).select_related("coalition"):
        committees.setdefault(committee.coalition_id, []).append(committee)
    agency = Agency.objects.filter(pk=standing.agency_id).first() if standing.agency_id else None
    next_meetings = {}
    soon = Meeting.objects.visible_to(user).filter(
        status=Meeting.Status.SCHEDULED,
        ends_at__gte=timezone.now(),
        starts_at__lte=timezone.now() + NEXT_MEETING_WINDOW,
    )
    for meeting in soon.select_related("coalition", "committee").order_by("starts_at"):
        next_meetings.setdefault(meeting.coalition_id, meeting)
    actions = _dashboard_actions(user, coalitions)
    cards = [
        {
            "coalition": coalition,
            "roles": roles.get(coalition.pk, []),
            "is_organizer": coalition.pk in standing.organizer_of,
            "is_member": coalition.pk in standing.member_of,
            "committees": committees.get(coalition.pk, []),
            "my_committees": standing.committees,
            "committees_led": standing.committees_led,
            "next_meeting": next_meetings.get(coalition.pk),
            "is_lead": coalition.pk in standing.lead_of,
            "action_counts": actions["counts"].get(coalition.pk, {}),
            "agency_items": actions["agency"].get(coalition.pk, []),
            "last_meeting_items": actions["last_meeting"].get(coalition.pk, []),
        }
        for coalition in coalitions
    ]
    sweeper_silent = False
    email_trouble = None
    if standing.organizer_of:
        beats = dict(
            Heartbeat.objects.filter(name__in=["sweep", notifications.SMTP_OK, notifications.SMTP_DOWN]).values_list(
                "name", "last_run_at"
            )
        )
        sweeper_silent = _sweeper_silent(beats.get("sweep"))
        email_trouble = _email_trouble(beats, [c for c in coalitions if c.pk in standing.organizer_of])
    join_requests = (
        JoinRequest.objects.filter(agency=agency, status=JoinRequest.Status.PENDING).select_related("coalition")
        if agency
        else ()
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "cards": cards,
            "agency": agency,
            "sweeper_silent": sweeper_silent,
            "email_trouble": email_trouble,
            "join_requests": join_requests,
        },
    )


def _email_trouble(beats: dict, organized: list[Coalition]) -> dict | None:
    """What the organizer is warned of about e-mail, or None: the mail server
    failing (every coalition they organize is affected), else the coalitions
    whose oldest owed message has waited more than STUCK_AFTER."""
    if failing_since := notifications.failing_since(beats):
        return {"failing_since": failing_since, "coalitions": organized}
    stuck_before = timezone.now() - services.STUCK_AFTER
    stuck = [c for c in organized if c.oldest_owed_email and c.oldest_owed_email < stuck_before]
    return {"failing_since": None, "coalitions": stuck} if stuck else None


def _dashboard_actions(user, coalitions) -> dict:
    """Open items for the dashboard in three queries: counts per coalition,
    the user's agency's soonest items, and the items of each last meeting."""
    standing = access.standing(user)
    today = timezone.localdate()
    visible = ActionItem.objects.visible_to(user)
    counts = {
        row["coalition_id"]: row
        for row in visible.open()
        .values("coalition_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            blocked=Count("pk", filter=Q(status=ActionItem.Status.BLOCKED)),
            stale=Count("pk", filter=Q(last_update_at__lt=timezone.now() - STALE_AFTER)),
        )
    }
    agency: dict = {}
    if standing.agency_id:
        mine = visible.open().filter(owner_agency_id=standing.agency_id).select_related("meeting__coalition")
        for item in mine.order_by("due_on")[:40]:
            if len(agency.setdefault(item.coalition_id, [])) < 5:
                agency[item.coalition_id].append(item)
    last: dict = {}
    meeting_ids = [c.last_meeting_id for c in coalitions if c.pk in standing.organizer_of and c.last_meeting_id]
    for item in visible.filter(meeting_id__in=meeting_ids).select_related("owner_agency", "meeting__coalition"):
        last.setdefault(item.coalition_id, []).append(item)
    return {"counts": counts, "agency": agency, "last_meeting": last}

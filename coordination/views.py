from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from meetings.models import Meeting
from members.models import Agency, Membership

from . import access, notifications, services
from .filters import NotificationFilter
from .forms import CommitteeForm, InvitationForm, LoginForm, PasswordResetForm
from .models import Coalition, CoalitionRole, Committee, Heartbeat, Notification
from .tables import NotificationTable

# Organizers are warned when the minute's sweep has not run for this long.
SWEEPER_SILENCE = timedelta(minutes=10)
# The dashboard names the next meeting if it falls within this window.
NEXT_MEETING_WINDOW = timedelta(days=60)

# --- Loading with access checked ----------------------------------------------


def get_coalition_for_user(request: HttpRequest, slug: str) -> Coalition:
    """The coalition, or 404 when the user has no standing in it."""
    coalition = get_object_or_404(Coalition.objects.visible_to(request.user), slug=slug)
    request.session["coalition_id"] = coalition.pk
    return coalition


def get_organized_coalition(request: HttpRequest, slug: str) -> Coalition:
    coalition = get_coalition_for_user(request, slug)
    if not request.user.has_perm("coordination.manage_coalition", coalition):
        raise PermissionDenied("Only the coalition's organizers can do this.")
    return coalition


def get_committee_for_user(request: HttpRequest, coalition_slug: str, slug: str) -> Committee:
    """The committee, or 404 when it is hidden from the user (a restricted
    committee does not reveal that it exists)."""
    return get_object_or_404(
        Committee.objects.visible_to(request.user).select_related("coalition"),
        coalition__slug=coalition_slug,
        slug=slug,
    )


# --- Accounts -----------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: set a password, and you are in."""

    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "coordination.backends.EmailBackend"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.accept_invitations(form.user)
        messages.success(self.request, "Welcome to Roundtable. Your password is set and you are logged in.")
        return response


# --- Pages --------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    standing = access.standing(user)
    last_held = Meeting.objects.filter(coalition=OuterRef("pk"), committee=None, status=Meeting.Status.HELD).order_by(
        "-starts_at"
    )
    coalitions = list(
        Coalition.objects.visible_to(user).annotate(
            active_members=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True),
            last_meeting_id=Subquery(last_held.values("pk")[:1]),
        )
    )
    roles = {}
    for role in CoalitionRole.objects.filter(user=user):
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
    if standing.organizer_of:
        beat = Heartbeat.objects.filter(name="sweep").values_list("last_run_at", flat=True).first()
        sweeper_silent = beat is None or beat < timezone.now() - SWEEPER_SILENCE
    return render(
        request, "coordination/dashboard.html", {"cards": cards, "agency": agency, "sweeper_silent": sweeper_silent}
    )


def _dashboard_actions(user, coalitions) -> dict:
    """Open items for the dashboard in three queries: counts per coalition,
    the user's agency's soonest items, and the items of each last meeting."""
    from tasks.models import ActionItem  # tasks builds on coordination: imported here, not at the top
    from tasks.services import STALE_AFTER

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


@login_required
def coalition_detail(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    is_organizer = request.user.has_perm("coordination.manage_coalition", coalition)
    context = {
        "coalition": coalition,
        "is_organizer": is_organizer,
        "roles": coalition.roles.select_related("user").order_by("-role", "user__full_name"),
        "committees": Committee.objects.visible_to(request.user)
        .filter(coalition=coalition)
        .select_related("coalition")
        .annotate(member_count=Count("memberships"))
        .order_by("-is_active", "name"),
        "member_counts": dict(
            coalition.memberships.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        ),
        "invitations": (coalition.invitations.select_related("user", "invited_by")[:20] if is_organizer else []),
    }
    return render(request, "coordination/coalition_detail.html", context)


@login_required
def committee_detail(request: HttpRequest, coalition_slug: str, slug: str) -> HttpResponse:
    committee = get_committee_for_user(request, coalition_slug, slug)
    request.session["coalition_id"] = committee.coalition_id
    members = committee.memberships.select_related("person__agency")
    return render(
        request,
        "coordination/committee_detail.html",
        {
            "committee": committee,
            "coalition": committee.coalition,
            "members": members,
            "can_change": request.user.has_perm("coordination.change_committee", committee),
        },
    )


@login_required
def committee_form(request: HttpRequest, coalition_slug: str, slug: str | None = None) -> HttpResponse:
    coalition = get_organized_coalition(request, coalition_slug)
    committee = get_committee_for_user(request, coalition_slug, slug) if slug else None
    data = request.POST if request.method == "POST" else None
    form = CommitteeForm(data, instance=committee, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        committee = form.save()
        messages.success(request, f"Committee “{committee.name}” saved.")
        return redirect(committee)
    return render(
        request, "coordination/committee_form.html", {"form": form, "coalition": coalition, "committee": committee}
    )


@login_required
def invite(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_organized_coalition(request, coalition_slug)
    data = request.POST if request.method == "POST" else None
    form = InvitationForm(data, coalition=coalition, invited_by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = form.save()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.user.email}. They will get an e-mail with a link to set a password.",
            )
            return redirect("coalition", coalition.slug)
    return render(request, "coordination/invite.html", {"form": form, "coalition": coalition})


@login_required
def switch_coalition(request: HttpRequest) -> HttpResponse:
    """The coalition picker: remember the choice and go to its page."""
    coalition = get_coalition_for_user(request, request.GET.get("coalition", ""))
    return redirect(coalition)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the container health check: is the database there?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- The notification log -------------------------------------------------------------


@login_required
def notification_log(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """What was sent, to whom, when, and how it went; failed ones can be resent."""
    coalition = get_organized_coalition(request, coalition_slug)
    rows = Notification.objects.filter(coalition=coalition)
    if request.method == "POST":
        failed = get_object_or_404(rows, pk=request.POST.get("resend"), status=Notification.Status.FAILED)
        notifications.resend(failed)
        messages.success(request, f"The {failed.get_kind_display().lower()} to {failed.email} is queued again.")
        return redirect("notification_log", coalition.slug)
    filterset = NotificationFilter(request.GET, queryset=rows)
    table = NotificationTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request, "coordination/notification_log.html", {"coalition": coalition, "table": table, "filter": filterset}
    )

from allauth.account.internal.flows import login as login_flows
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import Login
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST, require_safe
from django_tables2 import RequestConfig

from . import autocomplete as choices
from . import health, notifications, reauth, security_log, services, single_sign_on, stored_text, tasks
from .backends import client_ip, login_identifier
from .filters import NotificationFilter, SecurityEventFilter, StoredFindingFilter
from .forms import CoalitionSecurityForm, ConfirmIdentityForm, LoginForm, PasswordResetForm
from .models import ArchiveScan, Coalition, Committee, Notification, StoredFinding
from .pages import get_coalition_for_user, organizers_only, post_data
from .tables import PER_PAGE, NotificationTable, SecurityEventTable, StoredFindingTable, list_page
from .text import whole_number

FINDINGS_PER_PAGE = 25  # each finding shown reads its text again

# --- Accounts -----------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The password, under the lockout; then allauth's stages ask a person who
    has a second factor for it (coordination/second_factor.py)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_providers": single_sign_on.providers()}

    def render_to_response(self, context, **kwargs):
        return single_sign_on.reach_providers(super().render_to_response(context, **kwargs))

    def form_valid(self, form):
        user = form.get_user()
        login = Login(user=user, redirect_url=self.get_success_url(), email=user.email)
        return login_flows.perform_password_login(self.request, {"email": user.email}, login)


@login_required
def confirm_identity(request: HttpRequest) -> HttpResponse:
    """Asked before a sensitive action when the sign-in is old: the password
    again, then back to where the person was going (on this site only)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard")
    form = ConfirmIdentityForm(post_data(request), request=request)
    if request.method == "POST" and form.is_valid():
        # a sign-in again: the time is noted, and the lockout's count of failures starts over
        reauth.note(request)
        record_authentication(request, request.user, method="password", reauthenticated=True)
        axes_reset(ip=client_ip(request), username=login_identifier(request, {"username": request.user.email}))
        return redirect(target)
    return render(
        request,
        "registration/confirm_identity.html",
        {"form": form, "next": target, "minutes": settings.REAUTH_MINUTES},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        security_log.record(
            self.request, security_log.Kind.PASSWORD_CHANGED, form.user, detail="changed when signed in"
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        security_log.record(self.request, security_log.Kind.PASSWORD_CHANGED, form.user, detail="reset by e-mail link")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: set a password, and you are in."""

    template_name = "registration/invitation_accept.html"
    post_reset_login = False
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        super().form_valid(form)
        user = form.user
        security_log.record(
            self.request, security_log.Kind.PASSWORD_CHANGED, user, detail="set from an invitation", notify=False
        )
        services.accept_invitations(user)
        messages.success(self.request, "Welcome to Roundtable. Your password is set and you are logged in.")
        # signed in through allauth's stages, like the login page: a login that has a
        # second factor gives it (the link is no way around it)
        user.backend = "coordination.backends.EmailBackend"
        login = Login(user=user, redirect_url=str(self.success_url), email=user.email)
        return login_flows.perform_login(self.request, login)


# --- Pages --------------------------------------------------------------------


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
        "privacy_waiting": (
            StoredFinding.objects.filter(coalition=coalition, status=StoredFinding.Status.OPEN).count()
            if is_organizer
            else 0
        ),
    }
    return render(request, "coordination/coalition_detail.html", context)


@login_required
def switch_coalition(request: HttpRequest) -> HttpResponse:
    """The coalition picker: remember the choice and go to its page."""
    coalition = get_coalition_for_user(request, request.GET.get("coalition", ""))
    return redirect(coalition)


@login_required
@require_GET
def autocomplete(request: HttpRequest, coalition_slug: str, kind: str) -> HttpResponse:
    """Matches for a searchable select, as JSON: only what the form would accept."""
    coalition = get_coalition_for_user(request, coalition_slug)
    if kind not in choices.KINDS:
        raise Http404("No such list of choices.")
    return choices.respond(request, coalition, kind)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the container health check: is the database there?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """For monitors: can the deployment do its work now (database, Redis, a
    worker, beat, the e-mail backlog)? 200 when all pass, else 503; each
    check says why (coordination/health.py)."""
    report = health.readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


# --- The notification log -------------------------------------------------------------


@organizers_only
def notification_log(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """What was sent, to whom, when, and how it went; failed ones can be resent."""
    rows = Notification.objects.of_coalition(coalition)
    if request.method == "POST":
        failed = get_object_or_404(
            rows, pk=whole_number(request.POST.get("resend")) or 0, status=Notification.Status.FAILED
        )
        notifications.resend(failed)
        messages.success(request, f"The {failed.get_kind_display().lower()} to {failed.email} is queued again.")
        return redirect("notification_log", coalition.slug)
    filterset = NotificationFilter(request.GET, queryset=rows)
    table = NotificationTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {"coalition": coalition, "table": table, "filter": filterset, "health": services.email_health(rows)}
    return render(request, "coordination/notification_log.html", context)


@login_required
@require_POST
@organizers_only
def notification_resend_failed(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """Every failed e-mail of the coalition goes again (whatever the log's filters show)."""
    count = notifications.resend_failed(Notification.objects.of_coalition(coalition))
    if count:
        messages.success(request, f"{count} failed e-mail{pluralize(count)} {pluralize(count, 'is,are')} queued again.")
    else:
        messages.info(request, "No e-mail has failed: there is nothing to resend.")
    return redirect("notification_log", coalition.slug)


# --- Sign-in security ---------------------------------------------------------------


@organizers_only
@reauth.recent_sign_in
def coalition_security(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """The coalition's security settings: whether every member needs a second factor."""
    form = CoalitionSecurityForm(post_data(request), instance=coalition)
    if request.method == "POST" and form.is_valid():
        form.save()
        if coalition.require_second_factor:
            messages.success(
                request, "Everyone in the coalition now adds a second factor at their next sign-in, before its pages."
            )
        else:
            messages.success(request, "Only organizers and leads need a second factor now.")
        return redirect("coalition_security", coalition.slug)
    return render(request, "coordination/coalition_security.html", {"coalition": coalition, "form": form})


@organizers_only
def security_log_page(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """Who signed in, failed or was locked out, whose factors, password or
    standing changed, who exported contact details: about the coalition's
    people, newest first, filtered, downloadable."""
    rows = security_log.of_coalition(coalition).select_related("user", "actor")
    filterset = SecurityEventFilter(request.GET, queryset=rows)
    return list_page(
        request,
        SecurityEventTable(filterset.qs),
        export_name=f"{coalition.slug}-security-log",
        template="coordination/security_log.html",
        partial="coordination/_security_log_table.html",
        context={"coalition": coalition, "filter": filterset, "keep_days": settings.SECURITY_LOG_DAYS},
    )


# --- The archive, cleaned ---------------------------------------------------------


@organizers_only
def privacy_review(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """What the scan of the stored text found, for the organizers to remove
    or dismiss; a POST asks for a new scan."""
    if request.method == "POST":
        if stored_text.under_way(coalition):
            messages.info(request, "A scan is under way already: its findings show here when it is done.")
        else:
            tasks.start_scan(coalition, request.user)
            messages.success(request, "The scan has started. Its findings show here when it is done.")
        return redirect("privacy_review", coalition.slug)
    rows = StoredFinding.objects.filter(coalition=coalition).select_related("resolved_by")
    filterset = StoredFindingFilter(request.GET, queryset=rows)
    table = StoredFindingTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": FINDINGS_PER_PAGE}).configure(table)
    table.spots = {spot.finding.pk: spot for spot in stored_text.spots(row.record for row in table.page.object_list)}
    latest = ArchiveScan.objects.filter(coalition=coalition).select_related("requested_by").first()
    context = {
        "coalition": coalition,
        "table": table,
        "filter": filterset,
        "latest": latest,
        "under_way": stored_text.under_way(coalition),
        "waiting": rows.filter(status=StoredFinding.Status.OPEN).count(),
    }
    return render(request, "coordination/privacy_review.html", context)


@login_required
@require_POST
@organizers_only
def privacy_finding(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    """Remove a finding's words everywhere they are kept, or say they are not
    a victim's details."""
    finding = get_object_or_404(StoredFinding, coalition=coalition, pk=pk)
    back = redirect(f"{reverse('privacy_review', args=[coalition.slug])}?{request.GET.urlencode()}")
    action = request.POST.get("action")
    if action == "redact" and (stale := reauth.ask_if_stale(request)):
        return stale  # a removal cannot be undone: an old sign-in confirms the password first
    try:
        if action == "redact":
            done = stored_text.redact(finding, request.user)
            if done is None:
                messages.info(
                    request, "Those words are no longer there: the text was changed or deleted since the scan."
                )
            else:
                messages.success(request, f"{done} The log keeps who removed it and when, not the words.")
        elif action == "dismiss":
            stored_text.dismiss(finding, request.user, request.POST.get("reason", ""))
            messages.success(request, "Marked as not a victim's details. The reason is kept in the log.")
        else:
            messages.error(request, "Choose to remove the words or to mark them as not personal details.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back

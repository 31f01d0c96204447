from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from . import autocomplete as choices
from . import notifications, services
from .filters import NotificationFilter
from .forms import LoginForm, PasswordResetForm
from .models import Coalition, Committee, Notification
from .pages import get_coalition_for_user, organizers_only
from .tables import PER_PAGE, NotificationTable
from .text import whole_number

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

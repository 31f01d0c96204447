from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coordination.views import get_coalition_for_user

from . import services
from .forms import CancelForm, MeetingForm
from .models import Meeting

UPCOMING = 10


def get_meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    """The meeting, or 404 when the user may not see it (a restricted
    committee's meeting does not reveal that it exists)."""
    return get_object_or_404(Meeting.objects.visible_to(request.user).select_related("coalition", "committee"), pk=pk)


def get_meeting_to_change(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_meeting_for_user(request, pk)
    if not request.user.has_perm("meetings.change_meeting", meeting):
        raise PermissionDenied("Only the coalition's organizers can change meetings.")
    return meeting


@login_required
def meeting_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """Upcoming meetings, and the archive by year since the first meeting."""
    coalition = get_coalition_for_user(request, coalition_slug)
    zone = Meeting(coalition=coalition).zone
    meetings = Meeting.objects.visible_to(request.user).filter(coalition=coalition).select_related("committee")
    now = timezone.now()
    years = [d.year for d in meetings.filter(starts_at__lt=now).datetimes("starts_at", "year", tzinfo=zone)]
    try:
        year = int(request.GET.get("year") or (years[-1] if years else now.year))
    except ValueError:
        raise Http404("No such year.") from None
    start = datetime(year, 1, 1, tzinfo=zone)
    archive = meetings.filter(starts_at__gte=start, starts_at__lt=min(start.replace(year=year + 1), now))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "coalition": coalition,
            "upcoming": meetings.filter(ends_at__gte=now)[:UPCOMING],
            "archive": archive.order_by("-starts_at"),
            "years": years[::-1],
            "year": year,
            "can_schedule": request.user.has_perm("meetings.schedule_meeting", coalition),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    request.session["coalition_id"] = meeting.coalition_id
    changes = meeting.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "coalition": meeting.coalition,
            "can_change": request.user.has_perm("meetings.change_meeting", meeting),
            "changes": changes,
            "cancel_form": CancelForm(),
        },
    )


@login_required
def meeting_form(request: HttpRequest, coalition_slug: str | None = None, pk: int | None = None) -> HttpResponse:
    if pk:
        meeting = get_meeting_to_change(request, pk)
        coalition = meeting.coalition
    else:
        coalition = get_coalition_for_user(request, coalition_slug)
        if not request.user.has_perm("meetings.schedule_meeting", coalition):
            raise PermissionDenied("Only the coalition's organizers can schedule meetings.")
        meeting = Meeting(coalition=coalition, created_by=request.user)
    form = MeetingForm(request.POST if request.method == "POST" else None, instance=meeting, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        messages.success(request, f"“{meeting.title}” is {'updated' if pk else 'scheduled'}.")
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "coalition": coalition, "meeting": meeting})


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_to_change(request, pk)
    form = CancelForm(request.POST)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.info(request, "This meeting was already cancelled.")
    elif form.is_valid():
        services.cancel(meeting, form.cleaned_data["reason"])
        messages.success(request, f"“{meeting.title}” is cancelled.")
    else:
        messages.error(request, "Give a reason for cancelling: the invitees will see it.")
    return redirect(meeting)

"""Activities (trainings and community events) and the coalition's reports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coordination import access
from coordination.exports import FORMATS, export_rows
from coordination.models import Coalition
from coordination.pages import get_coalition_for_user
from coordination.tables import list_page

from .annual import annual_report
from .common import activity_totals, default_period, first_year
from .engagement import engagement as engagement_report
from .filters import ActivityFilter
from .forms import ActivityForm, ReportPeriodForm
from .models import Activity
from .tables import ActivityTable


def _reports_coalition(request: HttpRequest, slug: str) -> Coalition:
    coalition = get_coalition_for_user(request, slug)
    if not request.user.has_perm("reports.view_reports", coalition):
        raise PermissionDenied("Reports are for the coalition's organizers and leads.")
    return coalition


# --- Activities -------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    activities = (
        Activity.objects.visible_to(request.user)
        .filter(coalition=coalition)
        .select_related("presenting_agency", "coalition")
    )
    filterset = ActivityFilter(request.GET, queryset=activities, coalition=coalition)
    return list_page(
        request,
        ActivityTable(filterset.qs, request=request),
        export_name=f"{coalition.slug}-activities",
        template="reports/activity_list.html",
        partial="reports/_activity_table.html",
        context={
            "coalition": coalition,
            "filter": filterset,
            "totals": activity_totals(filterset.qs),
            "can_add": request.user.has_perm("reports.add_activity", coalition),
            "can_report": request.user.has_perm("reports.view_reports", coalition),
        },
    )


@login_required
def activity_form(request: HttpRequest, coalition_slug: str, pk: int | None = None) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    activity = get_object_or_404(coalition.activities, pk=pk) if pk else None
    if activity and not request.user.has_perm("reports.change_activity", activity):
        raise PermissionDenied("Only organizers, leads and the presenting agency's people change this activity.")
    if not activity and not request.user.has_perm("reports.add_activity", coalition):
        raise PermissionDenied("Only the coalition's organizers, leads and members record activities.")
    s = access.standing(request.user)
    own_agency_only = None if coalition.pk in s.staff_of else s.agency_id
    form = ActivityForm(
        request.POST if request.method == "POST" else None,
        instance=activity,
        coalition=coalition,
        own_agency_only=own_agency_only,
        initial={} if activity else {"presenting_agency": own_agency_only},
    )
    if request.method == "POST" and form.is_valid():
        if not activity:
            form.instance.created_by = request.user
        saved = form.save()
        messages.success(request, f"“{saved.title}” on {saved.held_on:%B %-d, %Y} is recorded.")
        return redirect("activity_list", coalition.slug)
    return render(
        request,
        "reports/activity_form.html",
        {
            "coalition": coalition,
            "form": form,
            "activity": activity,
        },
    )


@login_required
@require_POST
def activity_delete(request: HttpRequest, coalition_slug: str, pk: int) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    activity = get_object_or_404(coalition.activities, pk=pk)
    if not request.user.has_perm("reports.change_activity", activity):
        raise PermissionDenied("Only organizers, leads and the presenting agency's people delete this activity.")
    activity.delete()
    messages.success(request, f"“{activity.title}” is deleted.")
    return redirect("activity_list", coalition.slug)


# --- Reports ----------------------------------------------------------------------


@login_required
def report(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """The annual report, or any period's: charts, tables, a CSV and a printable page."""
    coalition = _reports_coalition(request, coalition_slug)
    today = timezone.localdate()
    years = list(range(today.year, first_year(coalition, today) - 1, -1))
    context = {"coalition": coalition, "years": years}
    year = request.GET.get("year", "")
    if "year" not in request.GET and ("start" in request.GET or "end" in request.GET):
        form = ReportPeriodForm(request.GET)
        if not form.is_valid():
            return render(request, "reports/report.html", {**context, "form": form})
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        # A year of the coalition's life, or (for none, or any other) last year.
        start, end = (
            (date(int(year), 1, 1), date(int(year), 12, 31))
            if year.isdigit() and int(year) in years
            else default_period(today)
        )
        form = ReportPeriodForm(initial={"start": start, "end": end})
    result = annual_report(coalition, start, end, today=today)
    if request.GET.get("_export") in FORMATS:
        name = f"{coalition.slug}-report-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}"
        return export_rows(result.as_rows(), request.GET["_export"], name)
    return render(request, "reports/report.html", {**context, "form": form, "report": result})


@login_required
def engagement(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _reports_coalition(request, coalition_slug)
    result = engagement_report(coalition)
    if request.GET.get("_export") in FORMATS:
        return export_rows(result.as_rows(), request.GET["_export"], f"{coalition.slug}-engagement")
    return render(request, "reports/engagement.html", {"coalition": coalition, "report": result})

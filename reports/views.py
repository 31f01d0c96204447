"""Activities (trainings and community events) and the coalition's reports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coordination import access
from coordination.exports import FORMATS, export_rows
from coordination.models import Coalition
from coordination.pages import get_coalition_for_user, permission_required, post_data, require
from coordination.tables import list_page
from coordination.text import whole_number

from .annual import annual_report
from .common import activity_totals, default_period, first_year
from .engagement import engagement as engagement_report
from .filters import ActivityFilter
from .forms import ActivityForm, ReportPeriodForm
from .models import Activity
from .tables import ActivityTable


def get_activity_for_user(request: HttpRequest, coalition_slug: str, pk: int) -> Activity:
    """The activity of a coalition the user has standing in, or 404."""
    coalition = get_coalition_for_user(request, coalition_slug)
    return get_object_or_404(coalition.activities.select_related("coalition"), pk=pk)


# The coalition's reports: view(request, coalition).
reads_reports = permission_required(
    "reports.view_reports",
    get_coalition_for_user,
    "coalition_slug",
    message="Reports are for the coalition's organizers and leads.",
)


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
    if activity:
        require(
            request,
            "reports.change_activity",
            activity,
            "Only organizers, leads and the presenting agency's people change this activity.",
        )
    else:
        require(
            request,
            "reports.add_activity",
            coalition,
            "Only the coalition's organizers, leads and members record activities.",
        )
    s = access.standing(request.user)
    own_agency_only = None if coalition.pk in s.staff_of else s.agency_id
    form = ActivityForm(
        post_data(request),
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
@permission_required(
    "reports.change_activity",
    get_activity_for_user,
    "coalition_slug",
    "pk",
    message="Only organizers, leads and the presenting agency's people delete this activity.",
)
def activity_delete(request: HttpRequest, activity: Activity) -> HttpResponse:
    activity.delete()
    messages.success(request, f"“{activity.title}” is deleted.")
    return redirect("activity_list", activity.coalition.slug)


# --- Reports ----------------------------------------------------------------------


@reads_reports
def report(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """The annual report, or any period's: charts, tables, a CSV and a printable page."""
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
            (date(int(year), 1, 1), date(int(year), 12, 31)) if whole_number(year) in years else default_period(today)
        )
        form = ReportPeriodForm(initial={"start": start, "end": end})
    result = annual_report(coalition, start, end, today=today)
    if request.GET.get("_export") in FORMATS:
        name = f"{coalition.slug}-report-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}"
        return export_rows(result.as_rows(), request.GET["_export"], name)
    return render(request, "reports/report.html", {**context, "form": form, "report": result.paginate(request)})


@reads_reports
def engagement(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    result = engagement_report(coalition)
    if request.GET.get("_export") in FORMATS:
        return export_rows(result.as_rows(), request.GET["_export"], f"{coalition.slug}-engagement")
    return render(request, "reports/engagement.html", {"coalition": coalition, "report": result.paginate(request)})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coordination import access
from coordination.models import Coalition
from coordination.pages import get_coalition_for_user, permission_required, post_data, require
from coordination.tables import list_page
from meetings import services as meeting_story
from meetings.models import Meeting, MeetingEvent
from meetings.pages import changes_meeting

from . import pages as meeting_pages
from . import services
from .filters import ActionItemFilter
from .forms import ActionItemForm, BulkForm, ManageForm, QuickItemForm, UpdateForm
from .models import ActionItem
from .pages import added_while_writing, get_item_for_user
from .tables import ActionItemTable

LIST_RELATED = ("owner_agency", "assignee", "meeting__coalition", "coalition")
# The two forms of an item's page, and the permission each needs.
ITEM_FORMS = {"manage": "tasks.manage_actionitem", "update": "tasks.update_actionitem"}


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def action_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """All visible items of a coalition; for an agency member, their agency's by default."""
    coalition = get_coalition_for_user(request, coalition_slug)
    s = access.standing(request.user)
    items = ActionItem.objects.visible_to(request.user).filter(coalition=coalition).select_related(*LIST_RELATED)
    mine = request.GET.get("scope", "agency" if coalition.pk not in s.staff_of and s.agency_id else "all") == "agency"
    if mine and s.agency_id:
        items = items.filter(owner_agency_id=s.agency_id)
    filterset = ActionItemFilter(request.GET, queryset=items, coalition=coalition, user=request.user)
    return list_page(
        request,
        # A search orders the rows (best matches first) unless a column is chosen: the table keeps it.
        ActionItemTable(filterset.qs, order_by=() if filterset.ordered_by_search else None),
        export_name=f"{coalition.slug}-actions",
        template="tasks/action_list.html",
        partial="tasks/_action_table.html",
        context={
            "coalition": coalition,
            "filter": filterset,
            "mine": mine and bool(s.agency_id),
            "has_agency": bool(s.agency_id),
            "can_add": request.user.has_perm("tasks.add_actionitem", coalition),
            "can_review": request.user.has_perm("tasks.review_actions", coalition),
        },
    )


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(request, pk)
    user = request.user
    can_update = user.has_perm("tasks.update_actionitem", item)
    can_manage = user.has_perm("tasks.manage_actionitem", item)
    update_form = UpdateForm(initial={"status": item.status, "reason": item.status_reason}) if can_update else None
    manage_form = (
        ManageForm(
            coalition=item.coalition,
            initial={"owner_agency": item.owner_agency, "assignee": item.assignee, "due_on": item.due_on},
        )
        if can_manage
        else None
    )
    if request.method == "POST":
        form_name = request.POST.get("form")
        # A POST that names neither form changes nothing: refused like one the user may not send.
        require(request, ITEM_FORMS.get(form_name), item, "You cannot change this item.")
        try:
            if form_name == "manage":
                manage_form = ManageForm(request.POST, coalition=item.coalition)
                if manage_form.is_valid():
                    data = manage_form.cleaned_data
                    services.manage(
                        item,
                        user,
                        owner_agency=data["owner_agency"],
                        assignee=data["assignee"],
                        due_on=data["due_on"],
                        comment=data["comment"],
                    )
                    messages.success(request, "The item is updated.")
                    return redirect(item)
            else:
                update_form = UpdateForm(request.POST)
                if update_form.is_valid():
                    data = update_form.cleaned_data
                    services.record_update(
                        item, user, status=data["status"], comment=data["comment"], reason=data["reason"]
                    )
                    messages.success(request, "Your update is recorded.")
                    return redirect(item)
        except ValidationError as exc:
            item.refresh_from_db()
            _form_errors(manage_form if form_name == "manage" else update_form, exc)
    return render(
        request,
        "tasks/action_detail.html",
        {
            "item": item,
            "coalition": item.coalition,
            "updates": item.updates.select_related("author"),
            "update_form": update_form,
            "manage_form": manage_form,
            "can_update": can_update,
            "can_manage": can_manage,
            "today": timezone.localdate(),
        },
    )


@login_required
def action_form(request: HttpRequest, coalition_slug: str | None = None, pk: int | None = None) -> HttpResponse:
    if pk:
        item = get_item_for_user(request, pk)
        coalition = item.coalition
        require(request, "tasks.manage_actionitem", item, "Only the coalition's organizers and leads can edit items.")
    else:
        coalition = get_coalition_for_user(request, coalition_slug)
        require(request, "tasks.add_actionitem", coalition, "Only the coalition's organizers and leads can add items.")
        item = ActionItem(coalition=coalition, created_by=request.user)
    form = ActionItemForm(post_data(request), instance=item, coalition=coalition, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if pk:
                # validating copied the new values onto `item`: compare them
                # with the row as it is, or nothing looks changed
                services.manage(ActionItem.objects.get(pk=item.pk), request.user, **data)
            else:
                item = services.create_item(coalition=coalition, created_by=request.user, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” is saved.")
            return redirect(item)
    return render(request, "tasks/action_form.html", {"form": form, "coalition": coalition, "item": item})


@permission_required(
    "tasks.review_actions",
    get_coalition_for_user,
    "coalition_slug",
    message="The review board is for the coalition's organizers and leads.",
)
def review_board(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """The lead's review: overdue by agency, due soon, blocked, silent; one bulk form."""
    open_items = (
        ActionItem.objects.visible_to(request.user).filter(coalition=coalition).open().select_related(*LIST_RELATED)
    )
    form = BulkForm(post_data(request), coalition=coalition, items=open_items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.bulk(
                open_items.filter(pk__in=[i.pk for i in data["items"]]),
                request.user,
                action=data["action"],
                owner_agency=data["owner_agency"],
                assignee=data["assignee"],
                due_on=data["due_on"],
                status=data["status"],
                reason=data["reason"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{count} item{'s' if count != 1 else ''} updated.")
            return redirect("review_board", coalition.slug)
    board = services.review(open_items, list_url=reverse("action_list", args=[coalition.slug]))
    return render(request, "tasks/review_board.html", {"coalition": coalition, "board": board, "form": form})


# --- On the agenda, and from the minutes -------------------------------------------


@login_required
@require_POST
@changes_meeting
def agenda_open_items(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """One click puts the open items of earlier meetings on the agenda, as one
    item; again, it brings its count up to date. The item does not name them:
    everyone who sees the meeting reads its agenda, and a member sees only
    their own agency's items, which the meeting's page lists for each reader."""
    rows = meeting_pages.first_open(request, meeting, 1)
    if not rows:
        messages.info(request, "No action items of earlier meetings are open.")
        return redirect("agenda", meeting.pk)
    count = rows[0].open_count
    notes = (
        f"{count} action {'item is' if count == 1 else 'items are'} still open from earlier meetings, most overdue "
        "first: see “Action items” on the meeting's page."
    )
    item, created = meeting_story.review_item(meeting, meeting_pages.REVIEW_TITLE, notes)
    meeting_story.note(
        meeting,
        MeetingEvent.Kind.AGENDA,
        f"{'Added' if created else 'Brought up to date'} “{item.title}” ({count} open).",
        request.user,
    )
    messages.success(request, f"“{item.title}” is on the agenda with the {count} open items.")
    return redirect("agenda", meeting.pk)


@changes_meeting
def meeting_actions(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """The items a meeting produced; organizers add them while writing the minutes (htmx)."""
    form = QuickItemForm(post_data(request), coalition=meeting.coalition, meeting=meeting, prefix="action")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.create_item(
                coalition=meeting.coalition,
                committee=meeting.committee,
                meeting=meeting,
                created_by=request.user,
                **data,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            meeting_story.note(
                meeting,
                MeetingEvent.Kind.ACTIONS,
                "An action item was added from the minutes.",  # its title is for those who may see it
                request.user,
            )
            form = QuickItemForm(coalition=meeting.coalition, meeting=meeting, prefix="action")
            if not request.htmx:
                messages.success(request, f"“{data['title']}” is added.")
                return redirect("minutes_edit", meeting.pk)
    context = {"meeting": meeting, "action_form": form, **added_while_writing(meeting)}
    return render(request, "tasks/_meeting_actions.html", context)

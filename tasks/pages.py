"""Loading an item with access checked, for this app's views and the apps
above it (the API); and what the action items add to the meetings app's
pages, registered from apps.py (meetings stands below tasks and never imports it)."""

from django.db.models import Case, Count, F, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from meetings.models import Meeting

from .filters import carried_to
from .forms import QuickItemForm
from .models import ActionItem


def get_item_for_user(request: HttpRequest, pk: int) -> ActionItem:
    """The item, or 404 when the user may not see it."""
    return get_object_or_404(
        ActionItem.objects.visible_to(request.user).select_related(
            "owner_agency",
            "assignee",
            "meeting__coalition",
            "coalition",
            "backup",
            "committee",
            "response_area",
            "agenda_item",
        ),
        pk=pk,
    )


# A meeting page lists this many items of each kind; the rest are a link away.
SHOWN = 10
PRODUCED, CARRIED = 0, 1


def meeting_detail(request: HttpRequest, meeting: Meeting) -> dict:
    """The items that came out of the meeting, and the open ones carried from
    earlier meetings (most overdue first): the first of each, their counts,
    and links to the action list showing all of them. One query, whatever
    their number: each group is ranked and counted by window functions."""
    visible = (
        ActionItem.objects.visible_to(request.user)
        .filter(coalition=meeting.coalition)
        .select_related("owner_agency", "meeting__coalition")
        # what the page shows of each: the window sorts thousands of carried items
        .only(
            "title",
            "status",
            "due_on",
            "coalition_id",
            "committee_id",
            "owner_agency__name",
            "meeting__starts_at",
            "meeting__coalition__time_zone",
        )
    )
    group = Case(When(meeting=meeting, then=Value(PRODUCED)), default=Value(CARRIED))
    order = [F("due_on").asc(nulls_last=True), F("pk").asc()]
    rows = list(
        (visible.filter(meeting=meeting) | carried_to(visible, meeting))
        .annotate(
            group=group,
            rank=Window(RowNumber(), partition_by=[group], order_by=order),
            group_count=Window(Count("pk"), partition_by=[group]),
        )
        .filter(rank__lte=SHOWN)
        .order_by("group", *order)
    )
    produced = [item for item in rows if item.group == PRODUCED]
    carried = [item for item in rows if item.group == CARRIED]
    return {
        "produced": produced,
        "produced_count": produced[0].group_count if produced else 0,
        "produced_url": _all_items(meeting, meeting=meeting.pk),
        "carried": carried,
        "carried_count": carried[0].group_count if carried else 0,
        "carried_url": _all_items(meeting, carried_to=meeting.pk),
    }


def _all_items(of: Meeting, /, **filters) -> str:
    """The action list of the meeting's coalition, every status, so filtered."""
    return f"{reverse('action_list', args=[of.coalition.slug])}?{urlencode({'scope': 'all', **filters})}"


def added_while_writing(meeting: Meeting) -> dict:
    """The items the meeting produced as its minutes' page lists them: the last
    SHOWN added (in the order added, so a new one appears at the end), how
    many there are, and a link to the action list showing all of them. One
    query, whatever their number (the count is a window over all of them)."""
    last = list(
        meeting.action_items.select_related("owner_agency", "assignee", "agenda_item")
        .annotate(meeting_count=Window(Count("pk")))
        .order_by("-pk")[:SHOWN]
    )
    return {
        "produced": last[::-1],
        "produced_count": last[0].meeting_count if last else 0,
        "produced_url": _all_items(meeting, meeting=meeting.pk),
    }


REVIEW_TITLE = "Review open action items"


def first_open(request: HttpRequest, meeting: Meeting, limit: int) -> list[ActionItem]:
    """The open items of the body's earlier meetings that the user may see,
    most overdue first, the first `limit` of them, each knowing how many
    there are (a window count: one query)."""
    visible = ActionItem.objects.visible_to(request.user).filter(coalition=meeting.coalition)
    return list(
        carried_to(visible, meeting)
        .select_related("owner_agency")
        .annotate(open_count=Window(Count("pk")))
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:limit]
    )


def agenda(request: HttpRequest, meeting: Meeting) -> dict:
    """The agenda offers the open items of earlier meetings as one item."""
    items = first_open(request, meeting, 5)
    return {
        "open_items": items,
        "open_count": items[0].open_count if items else 0,
        "open_items_url": reverse("agenda_open_items", args=[meeting.pk]),
        "open_items_listed": meeting.agenda_items.filter(title=REVIEW_TITLE).exists(),
    }


def minutes_form(request: HttpRequest, meeting: Meeting) -> dict:
    """Turn decisions into action items while writing the minutes."""
    return {
        "action_form": QuickItemForm(coalition=meeting.coalition, meeting=meeting, prefix="action"),
        **added_while_writing(meeting),
    }

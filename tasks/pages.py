"""What the action items add to the meetings app's pages, registered from
apps.py (meetings stands below tasks and never imports it)."""

from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse

from meetings.models import Meeting

from .filters import carried_to
from .forms import QuickItemForm
from .models import ActionItem

# A meeting page lists this many items of each kind; the rest are a link away.
SHOWN = 10


def _first(items) -> tuple[list, int]:
    """The first SHOWN items and how many there are (counted only when more)."""
    first = list(items[: SHOWN + 1])
    return first[:SHOWN], (items.count() if len(first) > SHOWN else len(first))


def meeting_detail(request: HttpRequest, meeting: Meeting) -> dict:
    """The items that came out of the meeting, and the open ones carried from
    earlier meetings (most overdue first): the first of each, their counts,
    and links to the action list showing all of them."""
    visible = (
        ActionItem.objects.visible_to(request.user)
        .filter(coalition=meeting.coalition)
        .select_related("owner_agency", "assignee", "meeting__coalition")
    )
    produced, produced_count = _first(visible.filter(meeting=meeting).order_by("due_on", "pk"))
    carried, carried_count = _first(carried_to(visible, meeting).order_by(F("due_on").asc(nulls_last=True), "pk"))
    actions = reverse("action_list", args=[meeting.coalition.slug])
    return {
        "produced": produced,
        "produced_count": produced_count,
        "produced_url": f"{actions}?scope=all&meeting={meeting.pk}",
        "carried": carried,
        "carried_count": carried_count,
        "carried_url": f"{actions}?scope=all&carried_to={meeting.pk}",
    }


def minutes_form(request: HttpRequest, meeting: Meeting) -> dict:
    """Turn decisions into action items while writing the minutes."""
    return {
        "action_form": QuickItemForm(coalition=meeting.coalition, meeting=meeting, prefix="action"),
        "produced": meeting.action_items.select_related("owner_agency", "assignee"),
    }

"""What the action items add to the meetings app's pages, registered from
apps.py (meetings stands below tasks and never imports it)."""

from django.http import HttpRequest

from meetings.models import Meeting

from .forms import QuickItemForm
from .models import ActionItem


def meeting_detail(request: HttpRequest, meeting: Meeting) -> dict:
    """The items that came out of the meeting, and the open ones carried from earlier meetings."""
    visible = (
        ActionItem.objects.visible_to(request.user)
        .filter(coalition=meeting.coalition)
        .select_related("owner_agency", "assignee", "meeting__coalition")
    )
    return {
        "produced": visible.filter(meeting=meeting),
        "carried": visible.open()
        .filter(meeting__starts_at__lt=meeting.starts_at, committee_id=meeting.committee_id)
        .exclude(meeting=None),
    }


def minutes_form(request: HttpRequest, meeting: Meeting) -> dict:
    """Turn decisions into action items while writing the minutes."""
    return {
        "action_form": QuickItemForm(coalition=meeting.coalition, meeting=meeting, prefix="action"),
        "produced": meeting.action_items.select_related("owner_agency", "assignee"),
    }

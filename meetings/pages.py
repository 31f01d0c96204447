"""Loading a meeting with access checked, for the meetings app's views and
for the apps above it that add pages about a meeting (tasks)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from coordination.pages import permission_required

from .models import Meeting

ONLY_ORGANIZERS_CHANGE = "Only the coalition's organizers can change meetings."


def get_meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    """The meeting, or 404 when the user may not see it (a restricted
    committee's meeting does not reveal that it exists)."""
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("coalition", "committee", "series"), pk=pk
    )


# The pages that change a meeting (here and in higher apps): view(request, meeting, ...).
changes_meeting = permission_required(
    "meetings.change_meeting", get_meeting_for_user, "pk", message=ONLY_ORGANIZERS_CHANGE
)

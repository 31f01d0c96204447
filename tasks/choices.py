"""The meetings an action list is filtered by: those that produced items the
user may see, registered as a searchable select from apps.py."""

from django.db.models import Exists, OuterRef

from coordination import autocomplete
from meetings.models import Meeting

from .models import ActionItem


def meetings_with_items(user, coalition):
    return (
        Meeting.objects.visible_to(user)
        .filter(coalition=coalition)
        .filter(Exists(ActionItem.objects.filter(meeting=OuterRef("pk"))))
        .select_related("coalition")
        .order_by("-starts_at", "-pk")
    )


def register() -> None:
    autocomplete.register("meeting-with-items", meetings_with_items, ("title",))

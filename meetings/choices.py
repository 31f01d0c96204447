"""The meetings a form of a coalition offers, registered as a searchable
select (coordination/autocomplete.py) from apps.py."""

from coordination import autocomplete

from .models import Meeting


def meetings(user, coalition):
    """Meetings the user may see, newest first, cancelled ones left out."""
    return (
        Meeting.objects.visible_to(user)
        .filter(coalition=coalition)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("coalition")
        .order_by("-starts_at", "-pk")
    )


def register() -> None:
    autocomplete.register("meeting", meetings, ("title",))

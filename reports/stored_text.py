"""Where activities store free text, for the archive scan (coordination/stored_text.py)."""

from django.urls import reverse
from django.utils.formats import date_format

from coordination.stored_text import Source, register

from .models import Activity


def register_sources() -> None:
    register(
        Source(
            key="reports.activity",
            model=Activity,
            fields=("title", "notes"),
            coalition="coalition",
            label="Activity",
            related=("coalition",),
            where=lambda activity: (
                f"The activity of {date_format(activity.held_on, 'M j, Y')}",
                reverse("activity_edit", args=[activity.coalition.slug, activity.pk]),
            ),
        )
    )

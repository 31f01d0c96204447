"""Where the public pages store free text, for the archive scan
(coordination/stored_text.py): the messages of the contact form."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from coordination.stored_text import Source, register

from .models import Inquiry


def register_sources() -> None:
    register(
        Source(
            key="public_site.inquiry",
            model=Inquiry,
            fields=("message",),
            coalition="coalition",
            label="Message from the public",
            related=("coalition",),
            where=lambda inquiry: (
                f"A message of {date_format(localtime(inquiry.created_at), 'M j, Y')}",
                reverse("inquiries", args=[inquiry.coalition.slug]),
            ),
        )
    )

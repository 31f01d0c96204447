"""Loading a meeting with access checked, for the meetings app's views and
for the apps above it that add pages about a meeting (tasks); and the pages
of what a meeting's page lists (its agenda, invitations, minutes), so that no
page grows with the meeting."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from math import ceil

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


# --- Lists and long text on a page that shows several things -----------------------


@dataclass(frozen=True)
class TextPage:
    text: str
    number: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def text_step(size: int) -> tuple[int, int]:
    """Pages of long text are cut near every `step` characters, within the
    `width` before: each page holds at most step + width = `size` characters."""
    width = size // 3
    return size - width, width


def text_page_count(length: int, size: int) -> int:
    step, _ = text_step(size)
    return max(1, ceil(length / step))


def text_page(read: Callable[[int, int], str], length: int, number: int, size: int) -> TextPage:
    """Page `number` (1 on) of a text of `length` characters, read through
    `read(start, end)` (the text's [start:end]: a slice of a string, or a
    substring read from the database, so a 50 MB text is never loaded to
    show 20,000 characters of it). Page n ends at a cut near n × step,
    within the width before it: after the last paragraph break there, else
    the last line break, else the last space, and never inside an HTML tag,
    so each page renders as Markdown on its own. The cuts depend only on the
    text near them, so any page is read alone and the pages, in order, are
    the whole text; there are ceil(length / step) of them."""
    step, width = text_step(size)
    count = text_page_count(length, size)
    number = min(max(number, 1), count)
    low = max(0, (number - 1) * step - width)
    high = min(length, number * step)
    chunk = read(low, high)
    start = 0 if number == 1 else _cut(chunk, (number - 1) * step - width - low, (number - 1) * step - low)
    end = len(chunk) if number == count else _cut(chunk, number * step - width - low, number * step - low)
    return TextPage(chunk[start:end], number, count)


TAG_START = re.compile(r"<[A-Za-z/!]")


def _cut(text: str, low: int, high: int) -> int:
    """Where in text[low:high] a page ends (an offset in `text`)."""
    window = text[low:high]
    for mark in ("\n\n", "\n", " "):
        at = window.rfind(mark)
        if at >= 0:
            return low + _outside_tag(window, at + len(mark))
    return low + _outside_tag(window, len(window))


def _outside_tag(window: str, at: int) -> int:
    """`at`, or the start of the HTML tag it would fall inside."""
    opened = window.rfind("<", 0, at)
    if opened >= 0 and window.rfind(">", 0, at) < opened and TAG_START.match(window, opened):
        return opened
    return at

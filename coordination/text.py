"""Text as people paste it: control characters (common in text copied from PDF
or Word) are invisible, break spreadsheets and are refused by PostgreSQL (NUL),
so they are removed wherever text comes in or goes out."""

import re

from django.http import QueryDict

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def whole_number(value, below: int = 2**63) -> int | None:
    """The whole number a text writes in ASCII digits, as an address, a form
    or a setting sends it, if it is below `below`; None for anything else.
    str.isdigit() alone takes "²" (which int() refuses: a server error) and
    "٣" or "３" (which int() reads): the one way the apps read a number."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(below)):
        return None
    number = int(text)
    return number if number < below else None


def without_controls(value: str) -> str:
    return CONTROL.sub("", value)


def query_without_controls(query: QueryDict) -> QueryDict:
    """A query string's or form post's values without control characters (the
    same object when it has none)."""
    if not any(CONTROL.search(value) for _, values in query.lists() for value in values):
        return query
    copy = query.copy()
    for key in copy:
        copy.setlist(key, [without_controls(value) for value in copy.getlist(key)])
    copy._mutable = False
    return copy

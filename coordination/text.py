"""Text as people paste it: control characters (common in text copied from PDF
or Word) are invisible, break spreadsheets and are refused by PostgreSQL (NUL),
so they are removed wherever text comes in or goes out."""

import re

from django.http import QueryDict

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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


def text_pages(text: str, size: int) -> list[str]:
    """Long text (minutes of sixty pages) in pages of at most `size`
    characters, each ending at a paragraph break where one falls in its second
    half, else at a line break, else at a space, else just at `size`: each page
    renders on its own (Markdown is cut between blocks, not inside a tag)."""
    pages = []
    while len(text) > size:
        window = text[:size]
        cut = next(
            (at + len(mark) for mark in ("\n\n", "\n", " ") if (at := window.rfind(mark)) >= size // 2),
            size,
        )
        pages.append(text[:cut])
        text = text[cut:]
    if text or not pages:
        pages.append(text)
    return pages

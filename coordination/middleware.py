"""Query strings without control characters (see text.py), for every view at
once: PostgreSQL refuses a NUL in any value a view looks up, and no view has
to remember that. Form posts are cleaned by pages.post_data."""

from django.http import HttpRequest, QueryDict

from .text import CONTROL, without_controls


def _cleaned(query: QueryDict) -> QueryDict:
    if not any(CONTROL.search(value) for _, values in query.lists() for value in values):
        return query
    copy = query.copy()
    for key in copy:
        copy.setlist(key, [without_controls(value) for value in copy.getlist(key)])
    copy._mutable = False
    return copy


class QueryWithoutControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.GET = _cleaned(request.GET)
        return self.get_response(request)

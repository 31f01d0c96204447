"""Query strings without control characters (see text.py), for every view at
once: PostgreSQL refuses a NUL in any value a view looks up, and no view has
to remember that. Form posts are cleaned by pages.post_data."""

from django.http import HttpRequest

from .text import query_without_controls


class QueryWithoutControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.GET = query_without_controls(request.GET)
        return self.get_response(request)

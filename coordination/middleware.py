"""Middleware of every request.

Query strings lose their control characters (see text.py), for every view at
once: PostgreSQL refuses a NUL in any value a view looks up, and no view has
to remember that. Form posts are cleaned by pages.post_data.

A session is kept alive while it is used, with one write a minute at most
rather than three queries on every page."""

import time

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .text import query_without_controls


class QueryWithoutControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.GET = query_without_controls(request.GET)
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing Roundtable answers is kept by a browser or a proxy (a shared
    computer's back button, a proxy's cache) unless its view says it is
    public: signed-in pages, downloads, attachments, feeds and the pages of
    signed links all go out with `Cache-Control: no-store`. Only the public
    pages, for a visitor, may be kept (public_site's cached_for_the_public)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionIdleRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without use. Saving the session on
    every request would keep that promise at the cost of a write per page;
    this saves it when it was last saved more than SESSION_REFRESH_SECONDS
    ago, so the idle timeout holds to within that margin."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            # a session saved anyway (it changed) notes the time at no cost
            if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response


class PublicLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, for the public pages only. Their language is
    in the address (/es/p/…); an address without one (/, /p/…) is sent to
    the language the browser asks for (Accept-Language), and never by a
    cookie or the session: a public page sets no cookie. Members' pages stay
    in English whatever the browser asks, so none is half translated."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        path = request.path_info
        prefixed = translation.get_language_from_path(path) is not None
        # The public addresses without a language, sent on to one; the events
        # feed, a calendar program's address, is the same whatever it asks.
        negotiated = path == "/" or (path.startswith("/p/") and not path.endswith(".ics"))
        if not prefixed and not negotiated:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE

"""Sensitive actions ask again: a person who signed in longer ago than
REAUTH_MINUTES confirms their password before they export contact details,
change who stands where (invitations, memberships, people, committees), or
change a security setting. A stolen session left open on a shared computer
then cannot do them.

The time of the last sign-in (or confirmation) is kept in the session; a
wrong password on the confirmation page counts towards the login lockout
like any other."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "_signed_in_at"


@receiver(user_logged_in)
def _note_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        note(request)


def note(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(time.time())


def recent(request: HttpRequest) -> bool:
    signed_in_at = request.session.get(SESSION_KEY, 0) if hasattr(request, "session") else 0
    return time.time() - signed_in_at < settings.REAUTH_MINUTES * 60


def ask_again(request: HttpRequest, back_to: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('confirm_identity')}?{urlencode({'next': back_to})}")


def ask_if_stale(request: HttpRequest) -> HttpResponseRedirect | None:
    """For a view whose permission is checked in its body: call it after the
    check (a person who may not is refused first, not asked for a password).
    The way to confirm, or None when the sign-in is recent."""
    if not request.user.is_authenticated or recent(request):
        return None
    if request.method == "GET":
        return ask_again(request, request.get_full_path())
    messages.info(request, "Confirm your password, then send the form again.")
    # back to the page the form was on (a POST-only address has none of its own)
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
    return ask_again(request, referer if safe and referer else reverse("dashboard"))


def recent_sign_in(view):
    """A view that changes who stands where, or a security setting: a person
    signed in long ago confirms their password first, then comes back to the
    page. Put it below the decorators that check the permission."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        return ask_if_stale(request) or view(request, *args, **kwargs)

    return checked

"""Log-in by e-mail address, and how lockouts name the person and the address."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """The model backend, with the e-mail address matched whatever its case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_identifier(request, credentials) -> str | None:
    """What lockouts count failures against: the e-mail as typed, in lower case,
    so `Sheriff@…` and `sheriff@…` are the same account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    if raw is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        raw = request.user.email  # signed in at the second step, whose form has no e-mail
    return raw.strip().lower() if raw else raw


def client_ip(request) -> str | None:
    """The client address. Behind TRUSTED_PROXY_COUNT proxies, the address the
    outermost trusted proxy saw; otherwise the socket's peer. Never trust a
    forwarded header that no proxy of ours wrote."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")

"""Making, checking and revoking personal API tokens.

A token is `rt_` and 43 URL-safe characters (32 random bytes). It is shown
once; the database keeps its SHA-256 and its first characters. It works while
it is neither revoked nor expired, while its login is active, and while its
person stands in a coalition: standing is read on every request, exactly as
for the pages, so a token never reads more than its person could today. A
person marked as left has their tokens revoked at once (apps.py)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coordination import access, second_factor, security_log
from coordination.models import Coalition, SecurityEvent

from .models import ApiToken, digest

PREFIX = "rt_"
# last_used_at is written at most this often per token: not a write per request
USE_NOTED_EVERY = timedelta(minutes=1)


class Refused(Exception):
    """Why a token cannot be used, in words its script's author can act on."""


@transaction.atomic
def issue(user, *, name: str, scope: str, days: int, request=None) -> tuple[ApiToken, str]:
    """A new token and its secret (the only time the secret exists)."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError(f"A token lasts 1 to {settings.API_TOKEN_MAX_DAYS} days.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=secret[: len(PREFIX) + 6],
        key_hash=digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    security_log.record(
        request, SecurityEvent.Kind.TOKEN_CREATED, user, detail=f"{token} ({token.get_scope_display()})"
    )
    return token, secret


def authenticate(secret: str) -> ApiToken:
    """The token behind a secret, with its user, or Refused."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        raise Refused("This is not a Roundtable API token.")
    token = ApiToken.objects.select_related("user").filter(key_hash=digest(secret)).first()
    now = timezone.now()
    if token is None:
        raise Refused("Unknown API token.")
    if token.revoked_at is not None:
        raise Refused("This API token was revoked.")
    if token.expires_at <= now:
        raise Refused("This API token has expired. Make a new one on your API tokens page.")
    if not token.user.is_active:
        raise Refused("This API token's login is switched off.")
    if not access.standing(token.user).coalitions:
        raise Refused("This API token's person no longer stands in any coalition.")
    if second_factor.must_have(token.user) and not second_factor.has_factor(token.user):
        raise Refused("Add a second factor on your Sign-in security page first: your coalition requires one.")
    if token.last_used_at is None or token.last_used_at < now - USE_NOTED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke(token: ApiToken, by, *, because: str = "", request=None, notify: bool | None = None) -> bool:
    """Revoke a token (once: a second revocation changes nothing). Whether it
    changed. Its person is e-mailed unless `notify` is False."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revoked_because=because[:200]
    )
    if changed:
        token.refresh_from_db()
        security_log.record(
            request,
            SecurityEvent.Kind.TOKEN_REVOKED,
            token.user,
            actor=by if by is not None and by.pk != token.user_id else None,
            detail=f"{token}" + (f": {because}" if because else ""),
            notify=notify,
        )
    return bool(changed)


def revoke_on_leaving(sender, person, by, **kwargs) -> int:
    """members.events.person_left: the person's tokens end with their standing
    (logged; not e-mailed, as a person who left receives nothing more)."""
    if person.user_id is None:
        return 0
    return revoke_all(person.user_id, by, f"{person.full_name} left {person.agency}")


def revoke_on_reset(sender, user, by, **kwargs) -> int:
    """coordination.second_factor.factors_reset: whoever holds the lost phone or
    key must not keep a token either (the reset's own e-mail tells the person)."""
    return revoke_all(user.pk, by, "second factor reset")


def revoke_all(user_id: int, by, because: str) -> int:
    tokens = ApiToken.objects.usable().filter(user_id=user_id).select_related("user")
    return sum(revoke(token, by, because=because, notify=False) for token in tokens)


def of_coalition(coalition: Coalition):
    """The tokens of the people who stand in the coalition (its organizers and
    leads, the people of its member agencies): what its organizers may revoke."""
    return ApiToken.objects.filter(user_id__in=security_log.logins_of(coalition))

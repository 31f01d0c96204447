"""Second factors: an authenticator app (TOTP), passkeys and security keys
(WebAuthn) and single-use recovery codes, from django-allauth's mfa.

- Our login view checks the password (under the django-axes lockout) and hands
  the sign-in to allauth, which asks for the second factor of a person who has
  one. A wrong code counts towards the same lockout as a wrong password, and a
  locked-out person's pending sign-in is dropped.
- Administrators, organizers and leads must have a factor, and so must everyone
  in a coalition that requires it: until they add one, every page but their
  account's sends them to the page that adds it. Whether they must is read at
  sign-in, and again on each page only while they must and have not.
- Every change to a person's factors is logged (SecurityEvent) and e-mailed to
  them through the ledger, so a factor added by someone else does not go unseen.
- An organizer can reset a member's factors (a lost phone): logged and
  e-mailed, and the member's open sessions end."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login, unstash_login
from allauth.core import context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import Signal, receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from . import access, reauth
from .models import Coalition, SecurityEvent, User
from .security_log import record

SESSION_KEY = "_second_factor"
NEEDED, SATISFIED = "needed", "ok"
# A person who must add a factor can still reach these: their account's pages,
# signing out, and the public pages.
OPEN_NAMES = {
    "login",
    "account_login",
    "logout",
    "account_logout",
    "confirm_identity",
    "account_reauthenticate",
    "password_change",
    "password_change_done",
    "home",
    "healthz",
    "readyz",
    "metrics",
}
OPEN_PREFIXES = ("mfa_", "public_", "password_reset", "invitation_")
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
NAMES = {
    Authenticator.Type.TOTP: "an authenticator app",
    Authenticator.Type.WEBAUTHN: "a passkey or security key",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def must_have(user: User) -> bool:
    """An administrator, an organizer or lead anywhere, or a member of a
    coalition that requires it."""
    if user.is_staff or user.is_superuser:
        return True  # the administration site reads and changes everything
    s = access.standing(user)
    if s.organizer_of or s.lead_of:
        return True
    return Coalition.objects.filter(pk__in=s.coalitions, require_second_factor=True).exists()


def has_factor(user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTORS).exists()


def note(request: HttpRequest, user: User) -> None:
    """Whether this session's person still owes a second factor."""
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = NEEDED if must_have(user) and not has_factor(user) else SATISFIED


class SecondFactorRequiredMiddleware:
    """Sends a person who must have a second factor, and has none, to the page
    that adds one, from every page but their account's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(SESSION_KEY) == SATISFIED:
            return None
        # (by the full name: the administration site's "login" or "password_change" are not ours)
        name = request.resolver_match.view_name or ""
        if name in OPEN_NAMES or name.startswith(OPEN_PREFIXES):
            return None
        # asked again until satisfied: the factor may have been added a moment ago
        note(request, user)
        if request.session[SESSION_KEY] == SATISFIED:
            return None
        messages.warning(
            request,
            "Add a second factor before you go on: what you can read here (restricted minutes, members' contact "
            "details) needs more than a password. It takes a minute with an authenticator app or a passkey.",
        )
        if getattr(request, "htmx", False):  # a whole page, not a part swapped into this one
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("mfa_index")
            return response
        return HttpResponseRedirect(reverse("mfa_index"))


# --- allauth's adapters ------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    # the messages allauth adds of its own; ours say what matters
    QUIET = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}

    def is_open_for_signup(self, request) -> bool:
        return False  # a login comes from an invitation only

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if message_template in self.QUIET:
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def get_login_redirect_url(self, request) -> str:
        return reverse("dashboard")

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Adding or removing a factor asks for the password on the same clock as
        our other sensitive actions (coordination/reauth.py): a sign-in within
        REAUTH_MINUTES is recent enough."""
        return not reauth.recent(context.request)


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self) -> str:
        return "Roundtable"

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A person who must have a second factor keeps their last one (they add
        another first)."""
        if authenticator.type not in FACTORS or not must_have(authenticator.user):
            return True
        return Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTORS).count() > 1


# --- The second step, under the lockout -----------------------------------------


def _credentials(user: User) -> dict:
    return {"username": user.email}


def authenticate(request: HttpRequest, *args, **kwargs):
    """allauth's second step, refused to a person locked out (by wrong
    passwords or wrong codes): their pending sign-in is dropped."""
    login = unstash_login(request, peek=True)
    if login is not None and login.user is not None:
        credentials = _credentials(login.user)
        if AxesProxyHandler.is_locked(request, credentials):
            clear_login(request)
            return get_lockout_response(request, credentials=credentials)
    return mfa_views.authenticate(request, *args, **kwargs)


@receiver(mfa_signals.authentication_failed)
def _count_wrong_code(sender, request, user, **kwargs) -> None:
    # the lockout counts it as it counts a wrong password (axes listens to this signal)
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)


@receiver(user_logged_in)
def _note_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        note(request, user)


# --- Changes to a person's factors: logged, e-mailed ------------------------------


@receiver(mfa_signals.authenticator_added)
def _added(sender, request, user, authenticator, **kwargs) -> None:
    # recovery codes come with the first factor: one e-mail tells of both
    codes = authenticator.type == Authenticator.Type.RECOVERY_CODES
    record(request, SecurityEvent.Kind.FACTOR_ADDED, user, detail=NAMES[authenticator.type], notify=not codes)


@receiver(mfa_signals.authenticator_removed)
def _removed(sender, request, user, authenticator, **kwargs) -> None:
    # (the session's note stands: whoever must have a factor cannot remove their last)
    record(request, SecurityEvent.Kind.FACTOR_REMOVED, user, detail=NAMES[authenticator.type])


@receiver(mfa_signals.authenticator_reset)
def _codes_renewed(sender, request, user, authenticator, **kwargs) -> None:
    record(request, SecurityEvent.Kind.RECOVERY_CODES, user, detail=NAMES[authenticator.type])


@receiver(mfa_signals.authenticator_used)
def _code_used(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # (the codes were marked used on a copy read for update: read them again)
        left = len(Authenticator.objects.get(pk=authenticator.pk).wrap().get_unused_codes())
        record(request, SecurityEvent.Kind.RECOVERY_CODE_USED, user, detail=f"{left} unused codes left")


# A person's factors were reset (sent with user, by): apps above end what else
# their lost phone or key might open (api: their tokens).
factors_reset = Signal()


def reset(request: HttpRequest, user: User) -> int:
    """An organizer's reset of a member's factors, for a lost phone or key: all
    of them go (recovery codes too), logged and e-mailed to the member, whose
    open sessions end (whoever holds the lost phone may hold a session too); they
    sign in again and add a new one. Returns how many went."""
    with transaction.atomic():
        gone, _ = Authenticator.objects.filter(user_id=user.pk).delete()
        if gone:
            record(request, SecurityEvent.Kind.FACTOR_RESET, user, actor=request.user, detail=f"{gone} removed")
            end_sessions(user)
            factors_reset.send(sender=User, user=user, by=request.user)
    return gone


def end_sessions(user: User) -> int:
    """Delete the user's open sessions (in the database, where they are kept):
    read a chunk at a time, as a reset is rare and sessions are many."""
    from django.contrib.sessions.models import Session

    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if session.get_decoded().get(auth.SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)

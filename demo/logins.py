"""The demo logins: one password for all of them, and who each one is. The
organizer and the lead need a second factor: theirs is an authenticator app
with a published secret (README), so anyone trying the demo can add it to
their own app, or print the current code with `manage.py demo_code`."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from coordination.models import User

DEMO_PASSWORD = "roundtable-demo"
# Public, like the password: these logins exist only in the demo.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPROUNDTABLEDEMO22"
WITH_SECOND_FACTOR = {"organizer@example.org", "lead@example.org"}
LOGINS = [
    ("organizer@example.org", "organizer of both demo coalitions"),
    ("lead@example.org", "lead (chair) of the Shasta coalition"),
    ("member@example.org", "representative of the Shasta County Sheriff's Office"),
]


def login(email: str, full_name: str) -> User:
    """The user with this e-mail; made with the demo password if there is none yet."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    give_second_factor(user)
    return user


def give_second_factor(user: User) -> None:
    """The demo's authenticator app, for a demo login that needs one."""
    if user.email in WITH_SECOND_FACTOR and not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)

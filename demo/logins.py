"""The demo logins: one password for all of them, and who each one is."""

from coordination.models import User

DEMO_PASSWORD = "roundtable-demo"
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
    return user

import time
from datetime import timedelta

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone
from factory.django import DjangoModelFactory

from coordination.models import Coalition, CoalitionRole, Committee, CommitteeMember, User
from members.models import Agency, Membership, Person, Sector
from reports.models import Activity

PASSWORD = "correct-horse-battery"
TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CoalitionFactory(DjangoModelFactory):
    class Meta:
        model = Coalition
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"County {n} Coalition")
    slug = factory.Sequence(lambda n: f"county-{n}")
    counties = "Example County"


class CoalitionRoleFactory(DjangoModelFactory):
    """An organizer or lead, with the second factor their standing requires (an
    authenticator app with TOTP_SECRET); `second_factor=False` for one who has
    yet to add it."""

    class Meta:
        model = CoalitionRole
        skip_postgeneration_save = True

    coalition = factory.SubFactory(CoalitionFactory)
    user = factory.SubFactory(UserFactory)
    role = CoalitionRole.Role.ORGANIZER

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            give_second_factor(self.user)


def give_second_factor(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)


def totp_code(secret: str | None = None) -> str:
    """The authenticator app's code now."""
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret or TOTP_SECRET, counter))


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    sector = Sector.VICTIM_SERVICES
    phone = factory.Sequence(lambda n: f"(530) 555-{n % 10000:04d}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    status = Membership.Status.ACTIVE


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    agency = factory.SubFactory(AgencyFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@agency.example.org")


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Sequence(lambda n: f"Committee {n}")
    slug = factory.Sequence(lambda n: f"committee-{n}")
    visibility = Committee.Visibility.OPEN


class CommitteeMemberFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    person = factory.SubFactory(PersonFactory)


class ResponseAreaFactory(DjangoModelFactory):
    class Meta:
        model = "members.ResponseArea"

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    position = factory.Sequence(lambda n: n)


class AgencyRoleFactory(DjangoModelFactory):
    class Meta:
        model = "members.AgencyRole"

    agency = factory.SubFactory(AgencyFactory)
    response_area = factory.SubFactory(ResponseAreaFactory)
    description = "Takes referrals."
    capacity = "active"
    confirmed_at = factory.LazyFunction(__import__("django.utils.timezone", fromlist=["now"]).now)


class ContactLineFactory(DjangoModelFactory):
    class Meta:
        model = "members.ContactLine"

    role = factory.SubFactory(AgencyRoleFactory)
    label = "Main line"
    number = factory.Sequence(lambda n: f"(530) 555-{n % 10000:04d}")


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    coalition = factory.SubFactory(CoalitionFactory)
    title = factory.Sequence(lambda n: f"Training {n}")
    kind = Activity.Kind.PROFESSIONAL_TRAINING
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    audience = Activity.Audience.LAW_ENFORCEMENT
    people_reached = 20


# What the role form posts beside the role when no contact line is added or changed.
NO_LINES = {"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}


def sign_in_as_demo(client, email: str):
    """A demo login signs in as the README says: the password, then (organizer
    and lead) the demo authenticator app's code. The last answer."""
    from django.urls import reverse

    from demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRET

    response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=True)
    if response.redirect_chain and response.redirect_chain[-1][0] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)}, follow=True)
    return response

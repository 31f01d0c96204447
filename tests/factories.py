from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from coordination.models import Coalition, CoalitionRole, Committee, CommitteeMember, User
from members.models import Agency, Membership, Person, Sector
from reports.models import Activity

PASSWORD = "correct-horse-battery"


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
    class Meta:
        model = CoalitionRole

    coalition = factory.SubFactory(CoalitionFactory)
    user = factory.SubFactory(UserFactory)
    role = CoalitionRole.Role.ORGANIZER


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

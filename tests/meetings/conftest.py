import pytest


@pytest.fixture
def invitees(world):
    """The member's person is the Sheriff's primary representative, with an e-mail address."""
    membership = world.member_agency.memberships.get()
    membership.primary_representative = world.member.person
    membership.save()
    world.member.person.email = "deputy@sheriff.example.org"
    world.member.person.save()
    return [world.member.person]

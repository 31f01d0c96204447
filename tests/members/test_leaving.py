"""A person leaves their agency: an organizer or the agency's primary
representative marks it, and at once their access through the agency and
their calendar feed end, their sessions end (when they stand nowhere else),
they receive no more e-mail, and their open items go to their backup or the
agency's primary representative, each with a line in its log."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Membership, Person
from tasks.models import ActionItem, ActionUpdate

from ..factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    leaver = Person.objects.get(user=world.member)
    primary = PersonFactory(agency=world.member_agency, full_name="Pat Primary", user=UserFactory())
    backup = PersonFactory(agency=world.member_agency, full_name="Bo Backup")
    Membership.objects.filter(agency=world.member_agency, coalition=world.home).update(primary_representative=primary)

    def item(title, **people):
        return ActionItem.objects.create(
            coalition=world.home,
            title=title,
            owner_agency=world.member_agency,
            due_on=timezone.localdate() + timedelta(days=5),
            **people,
        )

    return {
        "leaver": leaver,
        "primary": primary,
        "backup": backup,
        "with_backup": item("Has a backup", assignee=leaver, backup=backup),
        "without": item("Has none", assignee=leaver),
        "backing": item("Backed up by the leaver", assignee=backup, backup=leaver),
        "done": item("Done long ago", assignee=leaver, status=ActionItem.Status.DONE),
    }


def _mark_left(client, world, person):
    return client.post(reverse("person_left", args=[world.member_agency.pk, person.pk]), follow=True)


@pytest.mark.parametrize("by", ["organizer", "primary"])
def test_marking_a_person_as_left_ends_their_access_and_hands_on_their_items(world, team, by):
    theirs = Client()
    theirs.force_login(world.member)
    feed = reverse("calendar_feed", args=[world.member.reset_calendar_token()])
    assert theirs.get(reverse("action_list", args=[world.home.slug])).status_code == 200
    assert theirs.get(feed).status_code == 200

    marker = world.organizer if by == "organizer" else team["primary"].user
    page = _mark_left(world.client_for(marker), world, team["leaver"]).content.decode()
    assert "is marked as having left" in page

    leaver = Person.objects.get(pk=team["leaver"].pk)
    assert not leaver.is_active and not leaver.user.is_active
    # signed out at once: their next request is a visitor's
    assert theirs.get(reverse("action_list", args=[world.home.slug])).status_code == 302
    assert theirs.get(feed).status_code == 404
    items = {i.title: i for i in ActionItem.objects.all()}
    assert items["Has a backup"].assignee == team["backup"] and items["Has a backup"].backup is None
    assert items["Has none"].assignee == team["primary"]
    assert (
        items["Backed up by the leaver"].backup is None and items["Backed up by the leaver"].assignee == team["backup"]
    )
    assert items["Done long ago"].assignee == leaver  # closed items keep who did them
    took_over = ActionUpdate.objects.get(item=items["Has a backup"])
    assert took_over.changes == f"Assignee: {leaver.full_name} → Bo Backup; Backup: Bo Backup → —"
    # no more e-mail: the person is no one's recipient
    from coordination.notifications import Topic
    from members.email_settings import may_email

    assert not may_email(leaver, Topic.REMINDERS, timezone.localdate())
    log = ActionUpdate.objects.get(item=items["Has none"])
    assert log.comment == f"{leaver.full_name} left {world.member_agency.name}." and log.author == marker
    assert log.changes == f"Assignee: {leaver.full_name} → Pat Primary"


def test_only_organizers_and_the_primary_representative_may_mark_a_person_as_left(world, team):
    url = reverse("person_left", args=[world.member_agency.pk, team["backup"].pk])
    assert world.client_for(world.member).post(url).status_code == 403  # a colleague, not the primary
    assert world.client_for(world.lead).post(url).status_code == 403
    assert world.client_for(world.other_member).post(url).status_code == 404  # another coalition's
    assert Person.objects.get(pk=team["backup"].pk).is_active


def test_a_login_that_still_stands_elsewhere_stays_on(world, team):
    """An organizer who also represented an agency keeps their organizer's access."""
    from coordination.models import CoalitionRole

    CoalitionRole.objects.create(coalition=world.home, user=world.member, role=CoalitionRole.Role.LEAD)
    _mark_left(world.client_for(world.organizer), world, team["leaver"])
    world.member.refresh_from_db()
    assert world.member.is_active
    assert not Person.objects.get(pk=team["leaver"].pk).is_active


def test_when_the_primary_representative_leaves_the_alternate_takes_their_items(world, team):
    alternate = PersonFactory(agency=world.member_agency, full_name="Al Alternate")
    Membership.objects.filter(agency=world.member_agency, coalition=world.home).update(
        alternate_representative=alternate
    )
    theirs = ActionItem.objects.create(
        coalition=world.home, title="The primary's own", owner_agency=world.member_agency, assignee=team["primary"]
    )
    _mark_left(world.client_for(world.organizer), world, team["primary"])
    assert ActionItem.objects.get(pk=theirs.pk).assignee == alternate
    membership = Membership.objects.get(agency=world.member_agency, coalition=world.home)
    assert membership.primary_representative is None  # the agency names someone no longer there: the page shows none


def test_an_organizer_of_one_of_a_shared_agencys_coalitions_may_not(world, team):
    """Changing a shared agency's people is for organizers of all its coalitions (as for editing them)."""
    from ..factories import MembershipFactory

    MembershipFactory(agency=world.member_agency, coalition=world.other)
    response = world.client_for(world.organizer).post(
        reverse("person_left", args=[world.member_agency.pk, team["backup"].pk])
    )
    assert response.status_code == 403 and Person.objects.get(pk=team["backup"].pk).is_active


def test_leaving_is_in_the_agencys_history_with_who_marked_it(world, team):
    """The person's change and the memberships that no longer name them are
    recorded like any edit: the agency page's history shows who and when."""
    Membership.objects.filter(agency=world.member_agency, coalition=world.home).update(
        alternate_representative=team["leaver"]
    )
    _mark_left(world.client_for(world.organizer), world, team["leaver"])
    person_record = team["leaver"].history.first()
    assert person_record.is_active is False and person_record.history_user == world.organizer
    membership = Membership.objects.get(agency=world.member_agency, coalition=world.home)
    record = membership.history.first()
    assert record.alternate_representative_id is None and record.history_user == world.organizer


def test_an_ended_membership_hands_nothing_to_its_representative(world, team):
    """An item of a coalition the agency has left goes to no one rather than to
    a representative who has no standing there any more."""
    Membership.objects.filter(agency=world.member_agency, coalition=world.home).update(
        status=Membership.Status.INACTIVE
    )
    from members.services import mark_left

    mark_left(team["leaver"], world.organizer)
    assert ActionItem.objects.get(pk=team["without"].pk).assignee is None

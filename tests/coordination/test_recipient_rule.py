"""One rule for whom Roundtable may e-mail, applied by the ledger to every kind
of message (the rule: members/email_settings.py; where it is applied:
coordination/notifications.py deliver()). Each test walks every kind in
Notification.Kind, so a new kind without a setup here fails."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
import time_machine
from django.core import mail

from coordination import notifications
from coordination.models import Invitation, Notification, SecurityEvent, ServerError
from meetings.models import Attendance, Meeting, Minutes
from members import email_settings
from members.models import JoinRequest, Person
from public_site.models import Inquiry
from tasks.models import ActionItem
from webhooks.models import WebhookEndpoint

from ..factories import AgencyRoleFactory, PersonFactory, ResponseAreaFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
Topic = notifications.Topic
# Tuesday, January 12, 2027, 08:05 in the coalition's time zone (Los Angeles).
NOW = datetime(2027, 1, 12, 16, 5, tzinfo=UTC)
TODAY = date(2027, 1, 12)
ACCOUNT_KINDS = [Kind.INVITATION, Kind.PASSWORD_RESET, Kind.SECURITY_NOTICE, Kind.SERVER_ERRORS]
RECIPIENT_KINDS = [kind for kind in Kind if kind not in ACCOUNT_KINDS]

# Which of a person's choices each kind follows, beyond "active and not away".
FOLLOWS = {
    Kind.MEETING_INVITATION: "receives_reminders",
    Kind.MEETING_REMINDER: "receives_reminders",
    Kind.MEETING_CHANGED: "receives_reminders",
    Kind.MINUTES_APPROVED: "receives_reminders",
    Kind.ROLE_CONFIRMATION: "receives_reminders",
    Kind.MOU_REVIEW: "receives_reminders",
    Kind.ESCALATION_LEADS: "receives_reminders",
    Kind.LEAD_REVIEW: "receives_reminders",
    Kind.ACTION_DIGEST: "receives_digest",
    Kind.ESCALATION_AGENCY: None,
    Kind.INQUIRY: None,
    Kind.WEBHOOK_DISABLED: None,
    Kind.JOIN_REQUEST: None,
}


@pytest.fixture(autouse=True)
def _at_a_fixed_moment():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Message:
    """A ledger row that would be sent, and the person it is for."""

    notification: Notification
    person: Person


@pytest.fixture
def deputy(world) -> Person:
    """An agency's primary representative, e-mailed at their own address."""
    person = world.member.person
    person.email = "deputy@sheriff.example.org"
    person.save()
    membership = world.member_agency.memberships.get()
    membership.primary_representative = person
    membership.save()
    return person


def row(kind: str, object_id: int, email: str, **fields) -> Notification:
    return Notification.objects.create(kind=kind, object_id=object_id, email=email, **fields)


def to_deputy(world, deputy, kind: str, object_id: int, **fields) -> Message:
    return Message(row(kind, object_id, deputy.email, coalition=world.home, **fields), deputy)


def to_login(world, user, kind: str, object_id: int) -> Message:
    """A message to a lead's or organizer's login, found by the login: their
    person's work address differs from it."""
    person = PersonFactory(user=user, email=f"work.{user.email}", agency=None)
    return Message(row(kind, object_id, user.email, user=user, coalition=world.home), person)


def invitation_row(world, deputy) -> Attendance:
    start = NOW + timedelta(days=10)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly coalition meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    return Attendance.objects.create(meeting=meeting, person=deputy, agency=deputy.agency)


def overdue_item(world, deputy) -> ActionItem:
    return ActionItem.objects.create(
        coalition=world.home,
        title="Confirm the public number",
        owner_agency=world.member_agency,
        assignee=deputy,
        due_on=TODAY - timedelta(days=20),
        created_at=NOW - timedelta(days=60),
    )


def meeting_invitation(world, deputy) -> Message:
    return to_deputy(world, deputy, Kind.MEETING_INVITATION, invitation_row(world, deputy).pk)


def meeting_reminder(world, deputy) -> Message:
    attendance = invitation_row(world, deputy)
    period = f"1d@{attendance.meeting.starts_at:%Y%m%dT%H%M}"
    return to_deputy(world, deputy, Kind.MEETING_REMINDER, attendance.pk, period=period)


def meeting_changed(world, deputy) -> Message:
    return to_deputy(world, deputy, Kind.MEETING_CHANGED, invitation_row(world, deputy).pk, period="v1")


def minutes_approved(world, deputy) -> Message:
    attendance = invitation_row(world, deputy)
    Minutes.objects.create(meeting=attendance.meeting, body="We agreed on hotel outreach.", status="approved")
    return to_deputy(world, deputy, Kind.MINUTES_APPROVED, attendance.pk, period="v1")


def action_digest(world, deputy) -> Message:
    overdue_item(world, deputy)
    return Message(row(Kind.ACTION_DIGEST, deputy.pk, deputy.email, period=TODAY.isoformat()), deputy)


def escalation_agency(world, deputy) -> Message:
    item = overdue_item(world, deputy)
    return to_deputy(world, deputy, Kind.ESCALATION_AGENCY, item.pk, period=f"{item.due_on}")


def escalation_leads(world, deputy) -> Message:
    return to_login(world, world.lead, Kind.ESCALATION_LEADS, overdue_item(world, deputy).pk)


def lead_review(world, deputy) -> Message:
    overdue_item(world, deputy)
    return to_login(world, world.lead, Kind.LEAD_REVIEW, world.home.pk)


def role_confirmation(world, deputy) -> Message:
    area = ResponseAreaFactory(coalition=world.home)
    AgencyRoleFactory(agency=world.member_agency, response_area=area, confirmed_at=NOW - timedelta(days=400))
    membership = world.member_agency.memberships.get()
    return to_deputy(world, deputy, Kind.ROLE_CONFIRMATION, membership.pk, period="since-20251208")


def mou_review(world, deputy) -> Message:
    membership = world.member_agency.memberships.get()
    membership.mou_review_on = TODAY + timedelta(days=20)
    membership.save()
    return to_login(world, world.organizer, Kind.MOU_REVIEW, membership.pk)


def inquiry(world, deputy) -> Message:
    message = Inquiry.objects.create(
        coalition=world.home, name="A neighbour", email="neighbour@example.com", message="Who do I call?", source="x"
    )
    return to_login(world, world.organizer, Kind.INQUIRY, message.pk)


def webhook_disabled(world, deputy) -> Message:
    endpoint = WebhookEndpoint.objects.create(
        coalition=world.home, url="https://hooks.example.org/", events=[], is_active=False, disabled_at=NOW
    )
    return to_login(world, world.organizer, Kind.WEBHOOK_DISABLED, endpoint.pk)


# How to build a message of each kind that would go out; a new kind needs one.
def join_request(world, deputy) -> Message:
    asked = JoinRequest.objects.create(agency=deputy.agency, coalition=world.other, requested_by=world.organizer)
    return Message(row(Kind.JOIN_REQUEST, asked.pk, deputy.email, coalition=world.other), deputy)


SETUPS: dict[str, Callable[..., Message]] = {
    Kind.MEETING_INVITATION: meeting_invitation,
    Kind.MEETING_REMINDER: meeting_reminder,
    Kind.MEETING_CHANGED: meeting_changed,
    Kind.MINUTES_APPROVED: minutes_approved,
    Kind.ACTION_DIGEST: action_digest,
    Kind.ESCALATION_AGENCY: escalation_agency,
    Kind.ESCALATION_LEADS: escalation_leads,
    Kind.LEAD_REVIEW: lead_review,
    Kind.ROLE_CONFIRMATION: role_confirmation,
    Kind.MOU_REVIEW: mou_review,
    Kind.INQUIRY: inquiry,
    Kind.JOIN_REQUEST: join_request,
    Kind.WEBHOOK_DISABLED: webhook_disabled,
}


def message_of(kind: str, world, deputy, **person_fields) -> Message:
    assert kind in SETUPS, f"Add a setup for {kind!r} to SETUPS: every kind of e-mail must follow the rule."
    message = SETUPS[kind](world, deputy)
    Person.objects.filter(pk=message.person.pk).update(**person_fields)
    return message


def delivered(message: Message) -> tuple[notifications.Outcome, str, list]:
    """Deliver the row; what the ledger said, the row's status, and who got mail."""
    outcome = notifications.deliver(message.notification.pk)
    message.notification.refresh_from_db()
    return outcome, message.notification.status, [m.to for m in mail.outbox]


@pytest.mark.parametrize("kind", RECIPIENT_KINDS)
@pytest.mark.parametrize("days", [0, 1], ids=["away-until-today", "away-until-tomorrow"])
def test_someone_away_gets_no_email_of_any_kind(world, deputy, kind, days):
    message = message_of(kind, world, deputy, away_until=TODAY + timedelta(days=days))
    outcome, status, recipients = delivered(message)
    assert (outcome, status, recipients) == (notifications.Outcome.SKIPPED, Notification.Status.SKIPPED, [])
    assert notifications.deliver(message.notification.pk) == notifications.Outcome.NOT_CLAIMED  # not retried


@pytest.mark.parametrize("kind", RECIPIENT_KINDS)
@pytest.mark.parametrize("away_until", [None, TODAY - timedelta(days=1)], ids=["never-away", "back-since-today"])
def test_someone_not_away_gets_every_kind(world, deputy, kind, away_until):
    message = message_of(kind, world, deputy, away_until=away_until)
    outcome, status, recipients = delivered(message)
    assert (outcome, status, recipients) == (
        notifications.Outcome.SENT,
        Notification.Status.SENT,
        [[message.notification.email]],
    )


@pytest.mark.parametrize("kind", RECIPIENT_KINDS)
@pytest.mark.parametrize("choice", ["is_active", "receives_reminders", "receives_digest"])
def test_each_kind_follows_its_own_choice(world, deputy, kind, choice):
    """Turning off one choice stops exactly the kinds that follow it; an
    inactive person gets nothing."""
    assert kind in FOLLOWS, f"Say in FOLLOWS which of a person's choices {kind!r} follows."
    message = message_of(kind, world, deputy, **{choice: False})
    stopped = choice == "is_active" or FOLLOWS[kind] == choice
    outcome, _, recipients = delivered(message)
    assert outcome == (notifications.Outcome.SKIPPED if stopped else notifications.Outcome.SENT)
    assert bool(recipients) is not stopped


def test_an_opted_out_person_gets_no_meeting_reminder(world, deputy):
    message = message_of(Kind.MEETING_REMINDER, world, deputy, receives_reminders=False)
    assert delivered(message) == (notifications.Outcome.SKIPPED, Notification.Status.SKIPPED, [])


def test_each_kind_is_registered_with_the_topic_of_its_choice():
    topics = {None: Topic.NOTICE, "receives_reminders": Topic.REMINDERS, "receives_digest": Topic.DIGEST}
    expected = {kind: topics[FOLLOWS[kind]] for kind in RECIPIENT_KINDS} | dict.fromkeys(ACCOUNT_KINDS, Topic.ACCOUNT)
    # The digest is sent to anyone active and not away; its sections follow
    # their own choices (your items: receives_digest, proven above by
    # test_each_kind_follows_its_own_choice; escalations and reviews: theirs).
    expected[Kind.ACTION_DIGEST] = Topic.NOTICE
    assert dict(notifications.TOPICS) == expected
    assert set(notifications.COMPOSERS) == set(Kind)


@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_account_messages_reach_someone_away_or_inactive(world, kind):
    user = world.member
    Person.objects.filter(user=user).update(
        email=user.email, away_until=TODAY + timedelta(days=30), is_active=False, receives_reminders=False
    )
    if kind == Kind.INVITATION:
        object_id = Invitation.objects.create(coalition=world.home, user=user, role=Invitation.Role.MEMBER).pk
    elif kind == Kind.SECURITY_NOTICE:  # a change to their sign-in reaches them whatever they chose
        object_id = SecurityEvent.objects.create(kind=SecurityEvent.Kind.FACTOR_RESET, user=user).pk
    elif kind == Kind.SERVER_ERRORS:  # the deployment's errors reach its administrator whatever they chose
        now = NOW
        ServerError.objects.create(
            fingerprint="f" * 64, logger="django.request", message="boom", first_seen=now, last_seen=now
        )
        object_id = int((now - timedelta(days=1)).timestamp())
    else:
        object_id = user.pk
    message = Message(row(kind, object_id, user.email, user=user), user.person)
    assert delivered(message) == (notifications.Outcome.SENT, Notification.Status.SENT, [[user.email]])


def test_the_person_is_found_by_their_address_whatever_its_case(world, deputy):
    message = message_of(Kind.ESCALATION_AGENCY, world, deputy, away_until=TODAY, email="Deputy@Sheriff.Example.org")
    assert delivered(message)[0] == notifications.Outcome.SKIPPED


def test_an_address_that_is_no_ones_person_still_gets_mail(world, deputy):
    message = inquiry(world, deputy)
    message.person.delete()  # the organizer has a login but no person
    assert delivered(message)[0] == notifications.Outcome.SENT


def test_an_old_inactive_record_at_the_same_address_does_not_stop_the_current_one(world, deputy):
    message = message_of(Kind.ESCALATION_AGENCY, world, deputy, is_active=False)  # left, then came back:
    PersonFactory(email=deputy.email.upper(), agency=world.member_agency)  # a new record, at the same address
    assert delivered(message)[0] == notifications.Outcome.SENT


def test_away_is_read_on_the_coalitions_calendar_not_the_servers(world, deputy):
    """At 08:05 in Los Angeles it is already the 13th in Auckland."""
    world.home.time_zone = "Pacific/Auckland"
    world.home.save()
    message = message_of(Kind.ESCALATION_AGENCY, world, deputy, away_until=TODAY)
    assert delivered(message)[0] == notifications.Outcome.SENT


@pytest.mark.parametrize("topic", list(Topic))
def test_the_rule_for_one_person_and_the_rule_as_a_filter_agree(db, topic):
    """The sweepers filter with may_email_filter, the ledger checks with
    may_email: both must say the same for every kind of person."""
    people = []
    for is_active, reminders, digest, away in product(
        [True, False], [True, False], [True, False], [None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(1)]
    ):
        people.append(
            PersonFactory(is_active=is_active, receives_reminders=reminders, receives_digest=digest, away_until=away)
        )
    one_by_one = {person.pk for person in people if email_settings.may_email(person, topic, TODAY)}
    as_filter = set(
        Person.objects.filter(email_settings.may_email_filter(topic, TODAY), pk__in=[p.pk for p in people]).values_list(
            "pk", flat=True
        )
    )
    assert one_by_one == as_filter
    assert 0 < len(one_by_one) <= len(people)

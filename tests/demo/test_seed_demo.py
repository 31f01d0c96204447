"""`manage.py seed_demo` builds the demo coalitions, and running it again changes nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from coordination.models import Coalition, CoalitionRole, Committee, User
from members.models import Agency, Membership, Person
from tests.factories import sign_in_as_demo

pytestmark = pytest.mark.django_db

MODELS = [Coalition, CoalitionRole, Committee, User, Agency, Membership, Person]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_is_idempotent_and_keeps_changes(capsys):
    call_command("seed_demo")
    first = counts()
    sheriff = Agency.objects.get(name="Shasta County Sheriff's Office")
    sheriff.phone = "(530) 555-0199"
    sheriff.save()

    call_command("seed_demo")
    assert counts() == first
    sheriff.refresh_from_db()
    assert sheriff.phone == "(530) 555-0199"
    assert "organizer@example.org" in capsys.readouterr().out


def test_if_empty_leaves_an_existing_deployment_alone(capsys):
    Coalition.objects.create(name="Real Coalition", slug="real", counties="Real County")
    call_command("seed_demo", if_empty=True)
    assert list(Coalition.objects.values_list("slug", flat=True)) == ["real"]
    assert "left alone" in capsys.readouterr().out


def test_demo_has_two_coalitions_modelled_on_shasta_and_siskiyou():
    call_command("seed_demo")
    shasta = Coalition.objects.get(slug="shasta")
    assert shasta.founded_on.isoformat() == "2013-11-14"
    siskiyou = Coalition.objects.get(slug="siskiyou")
    names = set(Agency.objects.filter(memberships__coalition=siskiyou).values_list("name", flat=True))
    assert {
        "Siskiyou County Child Protective Services",
        "Siskiyou County Sheriff's Office",
        "Siskiyou Crisis and Domestic Violence Center",
        "Siskiyou Hospital Human Trafficking Response Program",
    } <= names
    assert Committee.objects.filter(visibility=Committee.Visibility.RESTRICTED).count() == 2


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("organizer@example.org", ["Shasta County Coalition", "Siskiyou County", "Invite a person"]),
        ("lead@example.org", ["Shasta County Coalition", "Lead · Chair"]),
        ("member@example.org", ["Shasta County Coalition", "Your agency: Shasta County Sheriff"]),
    ],
)
def test_each_demo_login_reaches_its_dashboard(email, expected, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    call_command("seed_demo")
    client = Client()
    response = sign_in_as_demo(client, email)
    page = response.content.decode().replace("&#x27;", "'")
    for text in expected:
        assert text in page


def test_the_demos_first_sweeps_send_each_person_at_most_one_email_about_action_items(settings):
    """Once the demo's first sweep sent one lead nine e-mails in a minute (a
    digest, five escalations, the weekly review of the same items). Swept on
    a Monday morning, every action-item message folds into one digest each."""
    from collections import Counter
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine
    from django.core import mail

    from coordination import notifications
    from coordination.models import Notification

    call_command("seed_demo")
    today = datetime.now(ZoneInfo("America/Los_Angeles"))
    monday = (today + timedelta(days=7 - today.weekday())).replace(hour=9, minute=5)
    for minutes in (0, 1, 60):
        with time_machine.travel(monday + timedelta(minutes=minutes), tick=False):
            notifications.sweep()
    digests = [m for m in mail.outbox if m.subject.startswith(("Your action items", "The weekly review"))]
    assert digests, "the demo has items due: someone gets a digest"
    assert max(Counter(tuple(m.to) for m in digests).values()) == 1
    folded = Notification.objects.filter(kind__in=["escalation_agency", "escalation_leads", "lead_review"])
    assert folded.exists() and set(folded.values_list("status", flat=True)) == {Notification.Status.IN_DIGEST}
    assert not [m for m in mail.outbox if m.subject.startswith(("Overdue", "Weekly review"))]
    lead = [m for m in digests if m.to == ["lead@example.org"]]
    assert len(lead) == 1 and "FOR REVIEW" in lead[0].body


def test_the_demos_last_meeting_approved_tells_its_story():
    from meetings.models import Meeting

    call_command("seed_demo")
    meeting = (
        Meeting.objects.filter(coalition__slug="shasta", minutes__status="approved", minutes__approved_by__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    client = Client()
    client.force_login(User.objects.get(email="member@example.org"))
    page = client.get(meeting.get_absolute_url()).content.decode()
    history = page.split('id="changes-heading"')[1]
    for step in ("Scheduled", "Invitations sent", "Agenda", "Attendance", "Minutes", "Minutes approved"):
        assert f"<strong>{step}</strong>" in history
    assert User.objects.get(email="lead@example.org").full_name in history

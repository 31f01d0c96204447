"""The public pages show only what is public; the contact form never loses a
valid message and refuses bad input and floods with a clear message."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination.models import Notification
from public_site import services as public
from public_site.models import Inquiry
from tests.factories import sign_in_as_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo")


def test_the_guide_shows_each_steps_public_numbers_and_the_national_hotline(demo):
    html = Client().get(reverse("public_guide", args=["siskiyou"])).content.decode()
    assert "If the person is or looks under 18" in html
    assert "Siskiyou County Child Protective Services" in html and "(530) 841-4200" in html and "(530) 842-7009" in html
    assert "1-888-373-7888" in html
    assert "In an emergency, call 911." in html


def test_public_pages_show_nothing_that_is_not_public(demo):
    from members.models import Agency, AgencyRole

    hidden = AgencyRole.objects.filter(agency__name="Shasta County Sheriff's Office", is_public=True).first()
    hidden.is_public = False
    hidden.save()
    directory = Client().get(reverse("public_directory", args=["shasta"])).content.decode()
    assert hidden.description not in directory
    assert "Shasta Hospitality Association" not in directory  # not listed publicly
    Agency.objects.filter(name="Shasta County District Attorney").update(listed_publicly=False)
    directory = Client().get(reverse("public_directory", args=["shasta"])).content.decode()
    assert "Shasta County District Attorney" not in directory
    from coordination.models import Coalition
    from reports.models import Activity

    shasta = Coalition.objects.get(slug="shasta")
    Inquiry.objects.create(
        coalition=shasta, name="A neighbour", email="n@example.net", message="Private words", source="x"
    )
    soon = timezone.localdate() + timedelta(days=3)
    Activity.objects.create(
        coalition=shasta, title="Closed patrol briefing", kind="training", held_on=soon, audience="law_enforcement"
    )
    Activity.objects.create(
        coalition=shasta,
        title="Open forum",
        kind="awareness",
        held_on=soon,
        audience="public",
        is_public=True,
        notes="Members only: the speaker's fee",
    )
    for page in ("public_coalition", "public_guide", "public_directory", "public_contact"):
        html = Client().get(reverse(page, args=["shasta"])).content.decode()
        assert "Law Enforcement Working Group" not in html and "Case Review" not in html
        for private in (
            "Private words",
            "A neighbour",
            "Closed patrol briefing",
            "speaker's fee",
            "speaker&#x27;s fee",
        ):
            assert private not in html
    assert "Open forum" in Client().get(reverse("public_coalition", args=["shasta"])).content.decode()


def test_public_pages_run_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    for page in ("public_coalition", "public_guide", "public_directory", "public_contact"):
        with django_assert_max_num_queries(6):
            assert Client().get(reverse(page, args=["shasta"])).status_code == 200


def test_a_valid_message_is_stored_and_the_organizers_are_told(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("public_contact", args=["shasta"]),
            {"name": "Ann Visitor", "email": "ann@example.net", "message": "How can our church help?"},
            follow=True,
        )
    assert "your message reached the coalition" in response.content.decode()
    inquiry = Inquiry.objects.get()
    assert inquiry.coalition.slug == "shasta" and inquiry.status == "new"
    assert [m.to for m in mail.outbox] == [["organizer@example.org"]]
    assert "How can our church help?" not in mail.outbox[0].body  # read on the site only


def test_a_message_is_kept_even_when_the_notification_email_fails(demo, settings):
    from ..conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "coordination.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False, "timeout": 2},
        }
    }
    response = Client().post(
        reverse("public_contact", args=["shasta"]), {"name": "Bo", "email": "bo@example.net", "message": "Hello"}
    )
    assert response.status_code == 302
    assert Inquiry.objects.filter(name="Bo").exists()
    assert Notification.objects.filter(kind=Notification.Kind.INQUIRY).exists()


def test_bad_input_honeypot_and_floods_are_refused_with_a_message(demo):
    url = reverse("public_contact", args=["shasta"])
    empty = Client().post(url, {"name": "", "email": "not-an-email", "message": ""}).content.decode()
    assert "This field is required." in empty and "Enter a valid email address." in empty
    bot = Client().post(url, {"name": "B", "email": "b@example.net", "message": "Buy", "website": "http://spam"})
    assert "looks automated" in bot.content.decode()
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(public.RATE_LIMIT):
        client.post(url, {"name": "C", "email": "c@example.net", "message": f"Message {i}"})
    refused = client.post(url, {"name": "C", "email": "c@example.net", "message": "One more"})
    assert "several messages in the last hour" in refused.content.decode()
    assert Inquiry.objects.count() == public.RATE_LIMIT


def test_organizers_triage_messages_and_old_ones_are_deleted(demo):
    from coordination.models import Coalition

    shasta = Coalition.objects.get(slug="shasta")
    fresh = Inquiry.objects.create(coalition=shasta, name="New", email="n@example.net", message="Hi", source="x")
    Inquiry.objects.create(
        coalition=shasta,
        name="Old",
        email="o@example.net",
        message="Hi",
        source="x",
        created_at=timezone.now() - timedelta(days=181),
    )
    organizer = Client()
    sign_in_as_demo(organizer, "organizer@example.org")
    assert "New" in organizer.get(reverse("inquiries", args=["shasta"])).content.decode()
    organizer.post(reverse("inquiries", args=["shasta"]), {"inquiry": fresh.pk, "status": "answered"})
    fresh.refresh_from_db()
    assert fresh.status == "answered"
    assert public.delete_expired() == 1
    assert list(Inquiry.objects.values_list("name", flat=True)) == ["New"]
    member = Client()
    sign_in_as_demo(member, "member@example.org")
    assert member.get(reverse("inquiries", args=["shasta"])).status_code == 403


def test_marking_a_message_on_a_later_page_returns_to_that_page_and_status(demo):
    from coordination.models import Coalition

    shasta = Coalition.objects.get(slug="shasta")
    now = timezone.now()
    Inquiry.objects.bulk_create(
        Inquiry(
            coalition=shasta,
            name=f"Sender {n:02}",
            email="s@example.net",
            message="Hi",
            source="x",
            created_at=now - timedelta(minutes=n),
        )
        for n in range(60)
    )
    organizer = Client()
    sign_in_as_demo(organizer, "organizer@example.org")
    url = reverse("inquiries", args=["shasta"]) + "?status=new&page=2"
    page = organizer.get(url).content.decode()
    assert "Sender 59" in page and "Sender 00" not in page
    latest = Inquiry.objects.get(name="Sender 59")
    response = organizer.post(url, {"inquiry": latest.pk, "status": "answered"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Sender 58" in response.content.decode() and "marked answered" in response.content.decode()
    latest.refresh_from_db()
    assert latest.status == "answered"


def test_organizers_word_the_guide_and_others_cannot(demo):
    from public_site.models import GuideStep

    step = GuideStep.objects.filter(coalition__slug="shasta").first()
    organizer = Client()
    sign_in_as_demo(organizer, "organizer@example.org")
    areas = list(step.response_areas.values_list("pk", flat=True))
    organizer.post(
        reverse("guide_step_edit", args=["shasta", step.pk]),
        {
            "title": "The person is or seems to be a minor",
            "age": "minors",
            "situation": "",
            "body": "Call CPS now.",
            "position": 10,
            "response_areas": areas,
        },
    )
    html = Client().get(reverse("public_guide", args=["shasta"])).content.decode()
    assert "If the person is or seems to be a minor" in html and "Call CPS now." in html
    lead = Client()
    sign_in_as_demo(lead, "lead@example.org")
    assert (
        lead.post(reverse("guide_step_edit", args=["shasta", step.pk]), {"title": "x", "body": "y"}).status_code == 403
    )

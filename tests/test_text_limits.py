"""No form of Roundtable can lose what a person typed to the request size
limit: every text field has a length its form enforces (with a message, the
text shown again), and the request limit is above what any form within those
lengths can send."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from tasks.models import ActionItem

OURS = {"coordination", "members", "meetings", "tasks", "reports", "public_site", "dashboard", "demo"}
# written by the system, never typed into a form
NOT_TYPED = {("coordination", "Notification", "last_error")}
WORST_BYTES_PER_CHARACTER = 12  # a 4-byte UTF-8 character, percent-encoded


def text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField | models.CharField) and not field.auto_created
    ]


def test_every_text_field_has_a_length_and_no_model_can_outgrow_a_request():
    for model in apps.get_models():
        if model._meta.app_label not in OURS or model.__name__.startswith("Historical"):
            continue
        fields = [f for f in text_fields(model) if (model._meta.app_label, model.__name__, f.name) not in NOT_TYPED]
        unbounded = [f.name for f in fields if not f.max_length]
        assert unbounded == [], f"{model.__name__}: give these a max_length"
        worst = sum(f.max_length for f in fields) * WORST_BYTES_PER_CHARACTER
        assert worst < settings.DATA_UPLOAD_MAX_MEMORY_SIZE, model.__name__


def test_a_description_longer_than_the_old_request_limit_is_refused_with_the_text_kept(world):
    marker = "Remember the new intake hours of the shelter. "
    text = marker + "x" * (2_700_000 - len(marker))  # more than the 2.5 MB Django allows by default
    response = world.client_for(world.organizer).post(
        reverse("action_create", args=[world.home.slug]),
        {"title": "A very long note", "owner_agency": world.member_agency.pk, "priority": 2, "description": text},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"at most {settings.TEXT_MAX:,} characters".replace(",", "") in page.replace(",", "")
    assert marker in page  # what was typed is shown again
    assert not ActionItem.objects.filter(title="A very long note").exists()


@pytest.mark.parametrize("limit", [settings.LONG_TEXT_MAX])
def test_minutes_of_sixty_pages_fit_and_longer_are_refused_with_a_message(world, limit):
    from meetings.models import Meeting, Minutes

    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at="2026-01-08T20:00Z", ends_at="2026-01-08T21:00Z"
    )
    client = world.client_for(world.organizer)
    url = reverse("minutes_edit", args=[meeting.pk])
    client.post(url, {"body": "é" * limit, "decisions": "", "restricted_body": ""})
    assert len(Minutes.objects.get(meeting=meeting).body) == limit
    response = client.post(url, {"body": "é" * (limit + 1), "decisions": "", "restricted_body": ""})
    assert response.status_code == 200
    assert "characters" in response.content.decode()
    assert len(Minutes.objects.get(meeting=meeting).body) == limit


@pytest.mark.parametrize(
    ("unit", "times"),
    [
        ("a@b.", 20_000),
        ("555-123-4567 ", 2_000),
        ("Jane, 15, ", 3_000),
        ("12 Oak St ", 2_000),
        ("a.", 5_000),  # one long run an e-mail pattern could try from every dot
        ("plate AB12 ", 2_000),  # each match looking ahead to the end of the text
        ("case 1234-5678-", 2_000),
        ("IG: a_", 3_000),
        ("abc at def dot ", 2_000),
    ],
    ids=["at-signs", "phones", "names", "streets", "dots", "plates", "ids", "handles", "spelled-e-mails"],
)
def test_the_privacy_check_of_many_findings_stays_linear(unit, times):
    """Counted in Python calls, not seconds: twice the findings cost about
    twice the calls (checking each finding against every earlier one once took
    minutes on the longest minutes)."""
    import sys

    from coordination.privacy import scan

    def calls_for(text: str) -> int:
        calls = 0

        def count(frame, event, arg):
            nonlocal calls
            calls += 1

        sys.setprofile(count)
        try:
            scan(text, frozenset())  # (what the coalitions publish is read from the database: not here)
        finally:
            sys.setprofile(None)
        return calls

    once, twice = calls_for(unit * times), calls_for(unit * times * 2)
    assert twice < 2.3 * once, (once, twice)


def test_a_request_over_the_limit_gets_a_page_that_says_the_text_is_not_lost(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = world.client_for(world.organizer).post(
        reverse("action_create", args=[world.home.slug]), {"title": "x", "description": "y" * 5_000}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your text is not lost" in page and "Back button" in page

"""The privacy guard's detector, measured on the labelled corpus
(tests/privacy/corpus.json) against the targets, and what the coalition
publishes never flagged."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coordination import privacy
from meetings.models import Meeting, Minutes
from tests.factories import AgencyFactory, MembershipFactory

CORPUS = Path(__file__).resolve().parents[1] / "privacy" / "corpus.json"


@pytest.fixture(scope="module")
def corpus():
    return json.loads(CORPUS.read_text())


def test_the_corpus_is_big_and_half_clean_with_every_kind(corpus):
    snippets = corpus["snippets"]
    assert len(snippets) >= 400
    dirty = [s for s in snippets if s["details"]]
    assert 0.4 <= len(dirty) / len(snippets) <= 0.6
    assert {d["kind"] for s in dirty for d in s["details"]} == set(privacy.KINDS)
    for snippet in dirty:  # each label is in its snippet, as written
        assert all(detail["text"] in snippet["text"] for detail in snippet["details"]), snippet


def test_the_detector_meets_its_targets_on_the_corpus(corpus):
    result = privacy.measure(corpus["snippets"], corpus["public"])
    assert result.recall() >= 0.90, result.missed
    for kind in privacy.KINDS:
        assert result.recall(kind) >= 0.80, (kind, [t for k, t in result.missed if k == kind])
    assert result.false_alarm_rate <= 0.05, result.alarms


def test_the_command_prints_the_table(capsys):
    call_command("privacy_corpus")
    out = capsys.readouterr().out
    assert "| a phone number |" in out and "| **all** |" in out and "False alarms:" in out and "ms per KB" in out


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Jane, 15, ran from the group home.", ["name"]),
        ("Her IG is @jane_2010 and plate 7ABC123.", ["handle", "plate"]),
        ("Write to jane15 at example dot org", ["email"]),
        ("Call the hotline, 1-888-373-7888, or 911.", []),
        ("SB 1193 passed 38-0 on 9/12/2024 at 10:30.", []),
    ],
)
def test_what_the_issue_found_missed_or_flagged(text, kinds):
    assert [f.kind for f in privacy.scan(text, frozenset())] == kinds


@pytest.mark.django_db
def test_an_agencys_published_line_is_never_flagged_but_another_number_is(world):
    privacy.public_contacts()  # read (and kept) before the agency publishes its line
    agency = AgencyFactory(phone="(530) 555-0188", email="desk@shelter.example.org", address="1100 Court Street")
    MembershipFactory(agency=agency, coalition=world.home)
    assert privacy.normalized("530.555.0188") in privacy.public_contacts()  # at once, not in five minutes
    start = timezone.now() - timedelta(days=1)
    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    client = world.client_for(world.organizer)
    url = reverse("minutes_edit", args=[meeting.pk])
    client.post(url, {"body": "Shelter intake is 530-555-0188 or desk@shelter.example.org, 1100 Court Street."})
    assert Minutes.objects.get().body.startswith("Shelter intake")  # saved: nothing to warn about
    response = client.post(url, {"body": "Her number is 530-555-0142."})
    assert "looks like a phone number" in response.content.decode()
    assert Minutes.objects.get().body.startswith("Shelter intake")  # not saved until checked
    # the agency changes its line: the old number is no longer the public's
    agency.phone = "(530) 555-0199"
    agency.save()
    assert [f.kind for f in privacy.scan("Intake: 530-555-0188.")] == ["phone"]

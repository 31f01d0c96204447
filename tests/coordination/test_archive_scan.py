"""The archive, cleaned: the privacy guard reads everything already stored,
the organizers review what it found, and a removal leaves no trace of the
words in the row, its history, the app's copies of it, or the search."""

import io
import os
import re
from datetime import timedelta

import docx
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination import stored_text
from coordination.models import ArchiveScan, StoredFinding
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attachment, Attendance, Meeting, MeetingEvent, Minutes
from public_site.models import Inquiry
from reports.models import Activity
from tasks import services as task_services
from tasks.models import ActionItem, ActionUpdate

from ..factories import ActivityFactory

pytestmark = pytest.mark.django_db

PHONE = "707-555-0142"
MARK = '<mark><span class="visually-hidden">found: </span>'


def _meeting(coalition, days_ago=400, **fields) -> Meeting:
    start = timezone.now() - timedelta(days=days_ago)
    return Meeting.objects.create(
        coalition=coalition, title="Monthly meeting", starts_at=start, ends_at=start + timedelta(hours=1), **fields
    )


def _item(world, **fields) -> ActionItem:
    values = {"title": "Follow up with the shelter", "owner_agency": world.member_agency}
    values.update(fields)
    return ActionItem.objects.create(coalition=world.home, due_on=timezone.localdate(), **values)


def _attach(minutes: Minutes, name: str, data: bytes) -> Attachment:
    attachment = Attachment(minutes=minutes, name=name, size=len(data), content_type="text/plain", sha256=name)
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _found(coalition) -> set[tuple[str, str, str]]:
    return set(
        StoredFinding.objects.filter(coalition=coalition, status=StoredFinding.Status.OPEN).values_list(
            "source", "field", "kind"
        )
    )


def test_the_scan_finds_details_in_every_kind_of_stored_text_of_the_coalition_only(world):
    meeting = _meeting(world.home)
    minutes = Minutes.objects.create(
        meeting=meeting,
        body=f"Round table. Her cell is {PHONE}.",
        decisions="Refer Jasmine, 16, to the drop-in centre.",
        restricted_body="Her SSN is 123-45-6789.",
    )
    AgendaItem.objects.create(meeting=meeting, position=10, title="Case review", notes="Kayla, 14, from Central High.")
    _meeting(world.home, days_ago=30, status=Meeting.Status.CANCELLED, cancel_reason="Write to jane15@example.org")
    Attendance.objects.create(meeting=meeting, guest_name="Guest at 707-555-0177")
    item = _item(world, description="Her IG is @jane_2010.", status_reason="")
    ActionUpdate.objects.create(item=item, comment="She lives at 1234 Oak Street, Redding.")
    Inquiry.objects.create(coalition=world.home, name="N", email="n@example.net", message="Plate 7ABC123.", source="x")
    ActivityFactory(coalition=world.home, notes="DL number: D1234567 was shown.")
    _attach(minutes, "notes.txt", f"Call {PHONE} after school.".encode())
    _attach(minutes, "old.docx", _docx("Her date of birth is 04/12/2009."))
    # another coalition's text is not this coalition's review
    Minutes.objects.create(meeting=_meeting(world.other), body="Call 707-555-0199.")

    record = stored_text.scan(world.home, world.organizer)

    assert _found(world.home) == {
        ("meetings.minutes", "body", "phone"),
        ("meetings.minutes", "decisions", "name"),
        ("meetings.minutes", "restricted_body", "ssn"),
        ("meetings.agendaitem", "notes", "name"),
        ("meetings.meeting", "cancel_reason", "email"),
        ("meetings.attendance", "guest_name", "phone"),
        ("tasks.actionitem", "description", "handle"),
        ("tasks.actionupdate", "comment", "address"),
        ("public_site.inquiry", "message", "plate"),
        ("reports.activity", "notes", "id"),
        ("meetings.attachment", "file", "phone"),
        ("meetings.attachment", "file", "dob"),
    }
    assert record.finished_at and record.found == 12 and record.texts >= 12
    assert not StoredFinding.objects.filter(coalition=world.other).exists()
    # the words themselves are kept nowhere in the findings: a digest, 64 hexadecimal digits
    assert all(re.fullmatch("[0-9a-f]{64}", d) for d in StoredFinding.objects.values_list("digest", flat=True))
    assert [f for f in _holding(PHONE) if f.startswith("coordination.")] == []


def test_a_second_scan_adds_nothing_keeps_dismissals_and_marks_what_changed_since(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}. Kayla, 14, came.")
    stored_text.scan(world.home)
    phone = StoredFinding.objects.get(kind="phone")
    stored_text.dismiss(phone, world.organizer, "the agency's old main line")

    again = stored_text.scan(world.home)
    assert again.found == 0 and StoredFinding.objects.count() == 2
    assert StoredFinding.objects.get(kind="phone").status == StoredFinding.Status.DISMISSED

    minutes.body = f"Call {PHONE}."
    minutes.save()
    stored_text.scan(world.home)  # edited out, and still in the history: still to review
    assert StoredFinding.objects.get(kind="name").status == StoredFinding.Status.OPEN
    minutes.history.exclude(body=minutes.body).delete()
    stored_text.scan(world.home)
    assert StoredFinding.objects.get(kind="name").status == StoredFinding.Status.GONE


def test_a_dismissal_needs_a_reason_without_personal_details(world):
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    stored_text.scan(world.home)
    finding = StoredFinding.objects.get()
    client = world.client_for(world.organizer)
    url = reverse("privacy_finding", args=[world.home.slug, finding.pk])
    for reason, message in [("  ", "Say why"), ("it is 707-555-0100", "without personal details")]:
        page = client.post(url, {"action": "dismiss", "reason": reason}, follow=True).content.decode()
        assert message in page
        finding.refresh_from_db()
        assert finding.status == StoredFinding.Status.OPEN
    client.post(url, {"action": "dismiss", "reason": "the shelter's published line"})
    finding.refresh_from_db()
    assert (finding.status, finding.reason, finding.resolved_by) == (
        StoredFinding.Status.DISMISSED,
        "the shelter's published line",
        world.organizer,
    )


def _holding(words: str) -> list[str]:
    """Every text column of every table (history included) that holds the words."""
    holding = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and model._meta.db_table != "django_session"
        ]
        for name in names:
            if model._default_manager.filter(**{f"{name}__contains": words}).exists():
                holding.append(f"{model._meta.label}.{name}")
    return holding


def test_removing_leaves_no_trace_in_the_row_its_history_its_copies_or_the_search(world):
    client = world.client_for(world.organizer)
    item = _item(world, title="Call Kayla, 14, at the shelter")
    task_services.manage(item, world.organizer, due_on=timezone.localdate() + timedelta(days=9))
    item.description = "Kayla asked for a ride."
    item.save()  # a second version in the history
    meeting = _meeting(world.home, days_ago=3)
    agenda = AgendaItem.objects.create(meeting=meeting, position=10, title="Kayla, 14, placement")
    meeting_services.note(meeting, MeetingEvent.Kind.AGENDA, f"Added “{agenda.title}”.", world.organizer)
    minutes = Minutes.objects.create(meeting=meeting, body=f"Reached her at {PHONE} on Monday.")
    minutes.body += "\nAdjourned."
    minutes.save()
    stored_text.scan(world.home)
    assert _holding("Kayla, 14") and _holding(PHONE)
    search = reverse("meeting_search", args=[world.home.slug])
    assert f"/meetings/{meeting.pk}/" in client.get(search, {"q": PHONE}).content.decode()
    actions = client.get(reverse("action_list", args=[world.home.slug]), {"q": "Kayla"}).content.decode()
    assert f"/actions/{item.pk}/" in actions

    for finding in StoredFinding.objects.filter(coalition=world.home, status=StoredFinding.Status.OPEN):
        if StoredFinding.objects.get(pk=finding.pk).status == StoredFinding.Status.OPEN:
            page = client.post(reverse("privacy_finding", args=[world.home.slug, finding.pk]), {"action": "redact"})
            assert page.status_code == 302

    assert _holding("Kayla, 14") == [] and _holding(PHONE) == []
    item.refresh_from_db()
    assert item.title.startswith("Call [removed]") and "Kayla" not in item.title
    assert item.history.count() >= 3 and all("Kayla, 14" not in h.title for h in item.history.all())
    assert "[removed]" in Minutes.objects.get(pk=minutes.pk).body
    assert not StoredFinding.objects.filter(status=StoredFinding.Status.OPEN).exists()
    # the search finds the meeting by its other words, and never by the removed ones
    assert f"/meetings/{meeting.pk}/" in client.get(search, {"q": "Monday"}).content.decode()
    assert f"/meetings/{meeting.pk}/" not in client.get(search, {"q": PHONE}).content.decode()
    actions = client.get(reverse("action_list", args=[world.home.slug]), {"q": "Kayla"}).content.decode()
    assert f"/actions/{item.pk}/" not in actions
    # the log says who and when, not the words
    removed = StoredFinding.objects.filter(status=StoredFinding.Status.REDACTED)
    assert removed.count() == 3 and {f.resolved_by for f in removed} == {world.organizer}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search documents are PostgreSQL's")
def test_the_search_documents_forget_the_words_in_the_same_update(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body=f"Her cell is {PHONE}.")
    stored_text.scan(world.home)
    stored_text.redact(StoredFinding.objects.get(), world.organizer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_document::text FROM meetings_minutes WHERE id = %s", [minutes.pk])
        (document,) = cursor.fetchone()
    assert "555" not in document and "0142" not in document and "cell" in document


def test_a_text_file_is_rewritten_and_a_word_file_deleted(world, django_capture_on_commit_callbacks):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body="Adjourned.")
    text = _attach(minutes, "notes.txt", f"Call {PHONE} after school.".encode())
    word = _attach(minutes, "old.docx", _docx(f"Call {PHONE} after school."))
    word_path = word.file.path
    stored_text.scan(world.home)
    client = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        for finding in StoredFinding.objects.order_by("object_id"):
            client.post(reverse("privacy_finding", args=[world.home.slug, finding.pk]), {"action": "redact"})
    text.refresh_from_db()
    assert text.file.read() == b"Call [removed] after school."
    assert text.size == len(b"Call [removed] after school.")
    assert not Attachment.objects.filter(pk=word.pk).exists()
    assert not os.path.exists(word_path)
    assert client.get(reverse("attachment", args=[text.pk])).getvalue() == b"Call [removed] after school."


def test_a_deleted_files_other_findings_go_with_it(world, django_capture_on_commit_callbacks):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body="Adjourned.")
    _attach(minutes, "old.docx", _docx(f"Call {PHONE} after school, or write to jane.doe@gmail.com."))
    stored_text.scan(world.home)
    assert StoredFinding.objects.filter(status=StoredFinding.Status.OPEN).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        stored_text.redact(StoredFinding.objects.first(), world.organizer)
    assert not StoredFinding.objects.filter(status=StoredFinding.Status.OPEN).exists()
    assert set(StoredFinding.objects.values_list("resolved_by", flat=True)) == {world.organizer.pk}


def test_removing_deletes_the_coalitions_downloads_written_before(world, django_capture_on_commit_callbacks):
    from tests.demo_urls import written_export

    export = written_export(world.home, world.member)
    path = export.file.path
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    stored_text.scan(world.home)
    with django_capture_on_commit_callbacks(execute=True):
        stored_text.redact(StoredFinding.objects.get(), world.organizer)
    assert not os.path.exists(path)
    assert not type(export).objects.filter(pk=export.pk).exists()


def test_words_changed_since_the_scan_are_not_removed_and_the_finding_is_closed(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    stored_text.scan(world.home)
    Minutes.objects.filter(pk=minutes.pk).update(body="Call the shelter.")
    minutes.history.all().delete()
    page = world.client_for(world.organizer).post(
        reverse("privacy_finding", args=[world.home.slug, StoredFinding.objects.get().pk]),
        {"action": "redact"},
        follow=True,
    )
    assert "no longer there" in page.content.decode()
    assert StoredFinding.objects.get().status == StoredFinding.Status.GONE
    assert Minutes.objects.get(pk=minutes.pk).body == "Call the shelter."


def test_a_finding_is_dealt_with_once(world):
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    stored_text.scan(world.home)
    finding = StoredFinding.objects.get()
    url = reverse("privacy_finding", args=[world.home.slug, finding.pk])
    client = world.client_for(world.organizer)
    client.post(url, {"action": "dismiss", "reason": "a training scenario"})
    page = client.post(url, {"action": "redact"}, follow=True).content.decode()
    assert "already dealt with" in page
    assert PHONE in Minutes.objects.get().body


def test_the_review_page_shows_the_words_in_context_for_organizers_only(world):
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Round table. Her cell is {PHONE}, call after six.")
    Minutes.objects.create(meeting=_meeting(world.other), body="Call 707-555-0199.")
    stored_text.scan(world.home)
    stored_text.scan(world.other)
    url = reverse("privacy_review", args=[world.home.slug])
    page = world.client_for(world.organizer).get(url).content.decode()
    assert f"Her cell is {MARK}{PHONE}</mark>, call after six." in page
    assert "Minutes of Monthly meeting" in page and "1 to review" in page
    assert "555-0199" not in page
    for user in (world.lead, world.member):
        assert world.client_for(user).get(url).status_code == 403
    other = StoredFinding.objects.get(coalition=world.other)
    response = world.client_for(world.organizer).post(
        reverse("privacy_finding", args=[world.home.slug, other.pk]), {"action": "redact"}
    )
    assert response.status_code == 404
    assert "555-0199" in Minutes.objects.get(meeting__coalition=world.other).body
    # the coalition's page points to it, with the count
    assert "Privacy review" in world.client_for(world.organizer).get(world.home.get_absolute_url()).content.decode()


def test_scan_now_runs_the_scan_and_says_so(world, django_capture_on_commit_callbacks):
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    client = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy_review", args=[world.home.slug]))
    page = client.get(response.url).content.decode()
    assert "The scan has started" in page
    assert "1 new finding" in page and f"{MARK}{PHONE}</mark>" in page
    assert ArchiveScan.objects.get().requested_by == world.organizer


def test_a_second_scan_is_not_started_while_one_is_under_way(world):
    ArchiveScan.objects.create(coalition=world.home)  # asked for, not finished
    page = world.client_for(world.organizer).post(reverse("privacy_review", args=[world.home.slug]), follow=True)
    assert "under way already" in page.content.decode()
    assert ArchiveScan.objects.count() == 1


def test_the_review_page_runs_the_same_queries_for_a_few_findings_or_a_page_of_them(world):
    """Of each place text is kept, on its own (?source=): a page of its findings
    costs what one does."""
    client = world.client_for(world.organizer)
    url = reverse("privacy_review", args=[world.home.slug])

    def queries() -> dict[str, int]:
        client.get(url)  # (the first visit remembers the coalition in the session)
        counts = {}
        for key in stored_text.SOURCES:
            with CaptureQueriesContext(connection) as captured:
                page = client.get(url, {"source": key})
            assert page.status_code == 200 and "found: </span>" in page.content.decode(), key
            counts[key] = len(captured.captured_queries)
        return counts

    meeting = _meeting(world.home)
    minutes = Minutes.objects.create(meeting=meeting, body=f"Call {PHONE}.")

    def one_of_each(n: int) -> None:
        item = _item(world, description=f"Her IG is @kay_20{n:02}")
        ActionUpdate.objects.create(item=item, comment=f"Texted 707-555-01{n:02}.")
        AgendaItem.objects.create(meeting=meeting, position=n, title="Review", notes=f"Call 707-555-01{n:02}.")
        ActivityFactory(coalition=world.home, notes=f"DL number: D12345{n:02}")
        _meeting(world.home, days_ago=n, status=Meeting.Status.CANCELLED, cancel_reason=f"SSN 123-45-67{n:02}")
        Attendance.objects.create(meeting=meeting, guest_name=f"Guest at 707-555-01{n:02}")
        Inquiry.objects.create(
            coalition=world.home, name="N", email="n@example.org", message=f"Plate 7ABC1{n:02}", source="x"
        )
        _attach(minutes, f"list{n}.txt", f"Call 707-555-01{n:02}.".encode())

    one_of_each(99)
    stored_text.scan(world.home)
    few = queries()
    for n in range(30):
        one_of_each(n)
    stored_text.scan(world.home)
    assert StoredFinding.objects.filter(status=StoredFinding.Status.OPEN).count() > 240
    assert queries() == few


def test_the_command_scans_and_says_what_it_found(world, capsys):
    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    call_command("privacy_scan", "--coalition", world.home.slug)
    out = capsys.readouterr().out
    assert f"{world.home.slug}: " in out and "1 new finding(s), 1 to review" in out


def test_the_weekly_sweep_scans_every_coalition(world, django_capture_on_commit_callbacks):
    from coordination.tasks import scan_all_stored_text

    Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    Activity.objects.filter(coalition=world.other).delete()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert scan_all_stored_text() == 2
    assert len(queued) == 2  # one after another, never all at once in the queue
    assert ArchiveScan.objects.filter(finished_at__isnull=False).count() == 2
    assert StoredFinding.objects.filter(coalition=world.home).count() == 1


def _remove_all(world) -> None:
    client = world.client_for(world.organizer)
    while finding := StoredFinding.objects.filter(coalition=world.home, status=StoredFinding.Status.OPEN).first():
        client.post(reverse("privacy_finding", args=[world.home.slug, finding.pk]), {"action": "redact"})


def test_only_the_finding_is_removed_not_the_same_characters_elsewhere(world):
    minutes = Minutes.objects.create(
        meeting=_meeting(world.home),
        body="16 agencies came on June 16, 2016. Maria, 16, was placed. Grant: $16,500.",
    )
    minutes.save()  # a version in the history too
    stored_text.scan(world.home)
    _remove_all(world)
    minutes.refresh_from_db()
    assert minutes.body.startswith("16 agencies came on June 16, 2016. [removed]")
    assert "Grant: $16,500." in minutes.body and "Maria" not in minutes.body
    assert all(version.body == minutes.body for version in minutes.history.all())


def test_words_edited_out_stay_in_the_review_while_the_history_keeps_them(world):
    item = _item(world, description=f"Her cell is {PHONE}.")
    item.description = "Call the shelter."
    item.save()
    stored_text.scan(world.home)
    finding = StoredFinding.objects.get(status=StoredFinding.Status.OPEN)
    page = world.client_for(world.organizer).get(reverse("privacy_review", args=[world.home.slug])).content.decode()
    assert f"{PHONE}</mark>" in page and "in an earlier version" in page
    _remove_all(world)
    finding.refresh_from_db()
    assert finding.status == StoredFinding.Status.REDACTED
    assert _holding(PHONE) == []
    assert ActionItem.objects.get(pk=item.pk).description == "Call the shelter."


def test_a_deleted_agenda_items_words_are_found_in_its_history_and_the_meetings_story(world):
    meeting = _meeting(world.home, days_ago=3)
    agenda = AgendaItem.objects.create(meeting=meeting, position=10, title="Kayla, 14, placement")
    meeting_services.note(meeting, MeetingEvent.Kind.AGENDA, f"Removed “{agenda.title}”.", world.organizer)
    pk = agenda.pk
    agenda.delete()
    stored_text.scan(world.home)
    assert _found(world.home) == {("meetings.agendaitem", "title", "name")}
    page = world.client_for(world.organizer).get(reverse("privacy_review", args=[world.home.slug])).content.decode()
    assert f"Agenda item #{pk}, deleted" in page and "Kayla</mark>" in page
    _remove_all(world)
    assert _holding("Kayla") == []
    assert MeetingEvent.objects.get(meeting=meeting).summary == "Removed “[removed], 14, placement”."


def test_words_that_come_back_are_found_again_but_a_dismissal_stays(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}. Kayla, 14, came.")
    stored_text.scan(world.home)
    stored_text.dismiss(StoredFinding.objects.get(kind="name"), world.organizer, "a training scenario")
    _remove_all(world)
    Minutes.objects.filter(pk=minutes.pk).update(body=f"Call {PHONE}. Kayla, 14, came.")  # a stale form saved
    again = stored_text.scan(world.home)
    assert again.found == 1
    assert StoredFinding.objects.get(kind="phone").status == StoredFinding.Status.OPEN
    assert StoredFinding.objects.get(kind="name").status == StoredFinding.Status.DISMISSED


def test_removing_from_an_update_cleans_the_item_and_its_history_too(world):
    item = _item(world, description=f"Her cell is {PHONE}.")
    task_services.manage(item, world.organizer, comment=f"Texted {PHONE} today.")
    ActionUpdate.objects.filter(item=item).update(changes=f"Description: Her cell is {PHONE}. → —")
    stored_text.scan(world.home)
    update_finding = StoredFinding.objects.filter(source="tasks.actionupdate").first()
    world.client_for(world.organizer).post(
        reverse("privacy_finding", args=[world.home.slug, update_finding.pk]), {"action": "redact"}
    )
    assert _holding(PHONE) == []
    assert not StoredFinding.objects.filter(status=StoredFinding.Status.OPEN).exists()


def test_a_removal_never_makes_a_text_longer_than_its_column(world):
    item = _item(world)
    ActionUpdate.objects.create(item=item, changes=("x" * 480 + " Ana, 15, ok")[:500])
    stored_text.scan(world.home)
    _remove_all(world)
    changes = ActionUpdate.objects.get(item=item).changes
    assert "Ana" not in changes and len(changes) <= 500


def test_a_text_files_name_stays_the_same_however_many_removals(world, django_capture_on_commit_callbacks):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body="Adjourned.")
    numbers = [f"707-555-01{n:02}" for n in range(10, 16)]
    text = _attach(minutes, "contact list.txt", "\n".join(f"Call {n}." for n in numbers).encode())
    stored_text.scan(world.home)
    with django_capture_on_commit_callbacks(execute=True):
        _remove_all(world)
    text.refresh_from_db()
    assert text.file.read().decode() == "\n".join("Call [removed]." for _ in numbers)
    assert text.name == "contact list.txt" and text.file.name.endswith("-contact_list.txt")
    assert len(os.listdir(os.path.dirname(text.file.path))) == 1  # the old copies are gone


def test_a_file_that_cannot_be_read_stops_nothing(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body="Adjourned.")
    _attach(minutes, "scan.pdf", b"%PDF-1.7 not really")
    _attach(minutes, "broken.docx", b"PK\x03\x04 not a zip")
    _item(world, description=f"Her cell is {PHONE}.")
    record = stored_text.scan(world.home)
    assert record.finished_at and _found(world.home) == {("tasks.actionitem", "description", "phone")}


def test_words_far_back_in_a_long_history_are_shown_and_removed(world):
    item = _item(world, description=f"Her cell is {PHONE}.")
    for n in range(25):
        item.description = f"Call the shelter, week {n}."
        item.save()
    stored_text.scan(world.home)
    page = world.client_for(world.organizer).get(reverse("privacy_review", args=[world.home.slug])).content.decode()
    assert f"{MARK}{PHONE}</mark>" in page and "in an earlier version" in page and ">Remove<" in page
    _remove_all(world)
    assert _holding(PHONE) == [] and item.history.count() == 26


def test_a_date_or_an_age_is_removed_only_where_it_is_a_detail(world):
    minutes = Minutes.objects.create(
        meeting=_meeting(world.home),
        body="The task force began in 2016. Youth aged 15 to 24 may attend. A girl born in 2016 was placed.",
    )
    stored_text.scan(world.home)
    assert _found(world.home) == {("meetings.minutes", "body", "dob")}
    _remove_all(world)
    minutes.refresh_from_db()
    assert minutes.body == (
        "The task force began in 2016. Youth aged 15 to 24 may attend. A girl born [removed] was placed."
    )


def test_a_text_file_loses_the_finding_only(world, django_capture_on_commit_callbacks):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body="Adjourned.")
    text = _attach(minutes, "notes.txt", f"Met June 16, 2016 with 16 agencies. Call {PHONE} after six.".encode())
    stored_text.scan(world.home)
    with django_capture_on_commit_callbacks(execute=True):
        _remove_all(world)
    text.refresh_from_db()
    assert text.file.read() == b"Met June 16, 2016 with 16 agencies. Call [removed] after six."


def test_a_deleted_meetings_minutes_are_still_read_in_their_history(world):
    meeting = _meeting(world.home)
    minutes = Minutes.objects.create(meeting=meeting, body=f"Her cell is {PHONE}.")
    minutes.save()
    meeting.delete()
    stored_text.scan(world.home)
    assert _found(world.home) == {("meetings.minutes", "body", "phone")}
    _remove_all(world)
    assert _holding(PHONE) == []


def test_a_removal_cut_to_its_column_leaves_no_half_of_another_detail(world):
    item = _item(world)
    ActionUpdate.objects.create(item=item, changes=("x" * 475 + f" Ana, 15, ok {PHONE}")[:500])
    stored_text.scan(world.home)
    name = StoredFinding.objects.get(kind="name")
    stored_text.redact(name, world.organizer)
    changes = ActionUpdate.objects.get(item=item).changes
    assert len(changes) <= 500 and "Ana" not in changes
    assert PHONE in changes or "707-555" not in changes


def test_a_removal_while_a_scan_reads_is_not_reopened_by_it(world):
    minutes = Minutes.objects.create(meeting=_meeting(world.home), body=f"Call {PHONE}.")
    stored_text.scan(world.home)
    finding = StoredFinding.objects.get()
    stored_text.redact(finding, world.organizer)
    # the scan read the words just before they were removed: its start is before the removal
    Minutes.objects.filter(pk=minutes.pk).update(body=f"Call {PHONE}.")
    StoredFinding.objects.filter(pk=finding.pk).update(resolved_at=timezone.now() + timedelta(minutes=1))
    stored_text.scan(world.home)
    assert StoredFinding.objects.get(pk=finding.pk).status == StoredFinding.Status.REDACTED


def test_a_scan_handed_to_a_worker_again_while_it_runs_is_left_to_the_first(world, django_capture_on_commit_callbacks):
    from coordination.tasks import scan_stored_text

    running = ArchiveScan.objects.create(coalition=world.home, started_at=timezone.now(), then=[world.other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_stored_text(scan_id=running.pk) == {"skipped": 1}
    running.refresh_from_db()
    assert running.finished_at is None  # the first delivery finishes it
    assert not ArchiveScan.objects.filter(coalition=world.other).exists()  # and goes on with the chain


def test_a_scan_whose_worker_died_is_closed_and_its_chain_goes_on(world, django_capture_on_commit_callbacks):
    """A worker killed mid-scan: the redelivered task leaves it (the lease may
    still be the dead worker's); once the lease lapses, the hourly check closes
    it and the weekly chain scans the next coalition."""
    from coordination.tasks import resume_lost_scans, scan_stored_text

    started = timezone.now() - timedelta(minutes=5)
    lost = ArchiveScan.objects.create(coalition=world.home, started_at=started, then=[world.other.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_stored_text(scan_id=lost.pk) == {"skipped": 1}
        assert resume_lost_scans() == 0  # within its lease: perhaps still running
    assert not ArchiveScan.objects.filter(coalition=world.other).exists()

    ArchiveScan.objects.filter(pk=lost.pk).update(started_at=started - stored_text.LEASE)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_lost_scans() == 1
    lost.refresh_from_db()
    assert lost.finished_at is not None
    assert ArchiveScan.objects.get(coalition=world.other).finished_at is not None  # the chain went on


def test_a_scan_that_cannot_run_is_closed_and_the_chain_goes_on(world, django_capture_on_commit_callbacks):
    from coordination.models import Lease
    from coordination.tasks import scan_stored_text

    waiting = ArchiveScan.objects.create(coalition=world.home, then=[world.other.pk])
    # the command scans the coalition meanwhile
    with (
        Lease.held(f"archive-scan-{world.home.pk}", timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        scan_stored_text(scan_id=waiting.pk, then=[world.other.pk])
    waiting.refresh_from_db()
    assert waiting.finished_at is not None and stored_text.under_way(world.home) is None
    assert ArchiveScan.objects.get(coalition=world.other).finished_at is not None


def test_a_failed_scan_stops_no_other_coalitions(world, django_capture_on_commit_callbacks):
    from coordination.models import Coalition
    from coordination.tasks import scan_all_stored_text

    def fails(coalition):
        raise OSError("the disk went away")

    home = world.home.pk
    stored_text.register(
        stored_text.Source(
            key="test.failing",
            model=Coalition,
            fields=("name",),
            coalition="pk",
            label="Failing",
            where=lambda row: ("", ""),
            read=lambda row: fails(row) if row.pk == home else "",
        )
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            scan_all_stored_text()  # (the failure is logged, and the task fails)
    finally:
        del stored_text.SOURCES["test.failing"]
    assert ArchiveScan.objects.get(coalition=world.home).finished_at is not None  # closed, blocking nothing
    assert ArchiveScan.objects.get(coalition=world.other).finished_at is not None

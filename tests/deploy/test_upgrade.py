"""An existing database upgrades in place to the layered layout: models that
moved from the base app to a top-layer app keep every row, their history and
their content types, and Django sees no difference between the upgraded
schema and the models."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState
from django.utils import timezone

# The last migration of the layout where coordination/ held activities, the
# public guide and the public's messages.
BEFORE_THE_MOVE = [("coordination", "0008_activities")]


def migrate(targets) -> ProjectState:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_activities_guide_steps_and_inquiries_move_to_the_top_apps_with_nothing_lost():
    try:
        old = migrate(BEFORE_THE_MOVE).apps
        coalition = old.get_model("coordination", "Coalition").objects.create(
            name="Upgrade County Coalition", slug="upgrade", counties="Upgrade County"
        )
        activity = old.get_model("coordination", "Activity").objects.create(
            coalition=coalition,
            title="Recognising trafficking: hotel staff",
            kind="training",
            held_on=date(2024, 5, 14),
            audience="business",
            people_reached=23,
            notes="Held at the fairgrounds.",
        )
        old.get_model("coordination", "HistoricalActivity").objects.create(
            id=activity.pk,
            coalition_id=coalition.pk,
            title=activity.title,
            kind="training",
            held_on=activity.held_on,
            audience="business",
            people_reached=23,
            is_public=False,
            notes=activity.notes,
            created_at=timezone.now(),
            history_date=timezone.now(),
            history_type="+",
        )
        area = old.get_model("members", "ResponseArea").objects.create(
            coalition=coalition, name="Child welfare response", position=1
        )
        step = old.get_model("coordination", "GuideStep").objects.create(
            coalition=coalition, position=10, title="The person is or looks under 18", body="Call CPS."
        )
        step.response_areas.add(area)
        old.get_model("coordination", "Inquiry").objects.create(
            coalition=coalition, name="A neighbour", email="n@example.net", message="Who do I call?", source="x"
        )
        # as in a database made before the move: the content types are coordination's
        ContentType = old.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label__in=["reports", "public_site"]).delete()
        content_type = ContentType.objects.get_or_create(app_label="coordination", model="activity")[0]
    finally:
        new_state = migrate(latest())

    from reports.models import Activity

    moved = Activity.objects.get()
    assert (moved.title, moved.held_on, moved.people_reached, moved.notes, moved.coalition.slug) == (
        "Recognising trafficking: hotel staff",
        date(2024, 5, 14),
        23,
        "Held at the fairgrounds.",
        "upgrade",
    )
    assert [h.history_type for h in moved.history.all()] == ["+"]
    content_type.refresh_from_db()
    assert content_type.app_label == "reports"

    from public_site.models import GuideStep, Inquiry

    step = GuideStep.objects.get()
    assert (step.title, [a.name for a in step.response_areas.all()]) == (
        "The person is or looks under 18",
        ["Child welfare response"],
    )
    assert Inquiry.objects.get().message == "Who do I call?"

    # the upgraded state is exactly what the models describe: no pending change
    from django.apps import apps

    graph = MigrationExecutor(connection).loader.graph
    changes = MigrationAutodetector(new_state, ProjectState.from_apps(apps)).changes(graph=graph)
    assert changes == {}


@pytest.mark.django_db(transaction=True)
def test_a_roles_phone_hours_and_24_7_become_its_first_contact_line_and_the_defaults_get_their_spanish():
    """Upgrading to contact lines keeps every role's way to be reached: its
    own phone, or the agency's main one where it had hours or 24/7 without a
    phone of its own; a role with none of them gets no line. The default
    response areas and guide steps get their Spanish."""
    try:
        old = migrate(
            [
                ("coordination", "0019_digests_of_several_coalitions"),
                ("members", "0009_person_email_ci_index"),
                ("public_site", "0005_guide_step_age_and_situation"),
            ]
        )
        old = old.apps
        coalition = old.get_model("coordination", "Coalition").objects.create(
            name="Upgrade County Coalition", slug="upgrade", counties="Upgrade County"
        )
        Area, Agency = old.get_model("members", "ResponseArea"), old.get_model("members", "Agency")
        area = Area.objects.create(coalition=coalition, name="Child welfare response", position=1)
        custom = Area.objects.create(coalition=coalition, name="Our own area", position=2)
        Role = old.get_model("members", "AgencyRole")
        for name, phone, hours, day_and_night in [
            ("Own phone", "(530) 555-0100", "Mon–Fri 8–5", False),
            ("Main phone, 24/7", "", "", True),
            ("Main phone, hours", "", "Weekdays", False),
            ("Nothing", "", "", False),
        ]:
            agency = Agency.objects.create(name=name, sector="other", phone="(530) 555-0199")
            Role.objects.create(
                agency=agency,
                response_area=area,
                description="Helps.",
                phone=phone,
                hours=hours,
                available_24_7=day_and_night,
            )
        old.get_model("public_site", "GuideStep").objects.create(
            coalition=coalition,
            position=10,
            title="The person is or looks under 18",
            body="Call Child Protective Services. Use the after-hours line outside business hours.",
        )
    finally:
        migrate(latest())

    from members.models import AgencyRole, ResponseArea
    from public_site.models import GuideStep

    lines = {
        role.agency.name: [(line.number, line.hours, line.available_24_7) for line in role.lines.all()]
        for role in AgencyRole.objects.select_related("agency")
    }
    assert lines == {
        "Own phone": [("(530) 555-0100", "Mon–Fri 8–5", False)],
        "Main phone, 24/7": [("(530) 555-0199", "", True)],
        "Main phone, hours": [("(530) 555-0199", "Weekdays", False)],
        "Nothing": [],
    }
    from members.models import ContactLine

    line = ContactLine.objects.get(role__agency__name="Own phone")
    assert [record.history_type for record in line.history.all()] == ["+"]  # the history starts with the upgrade
    assert ResponseArea.objects.get(pk=area.pk).name_es == "Protección infantil"
    assert ResponseArea.objects.get(pk=custom.pk).name_es == ""
    step = GuideStep.objects.get()
    assert step.title_es == "La persona es o parece menor de 18 años" and step.body_es.startswith("Llame")


@pytest.mark.django_db(transaction=True)
def test_meetings_keep_their_calendar_revision_invitations_and_story_across_the_upgrade():
    """Upgrading to stored revisions: a meeting changed once is at revision 1
    (as its files said), one already invited has told its invitees that
    revision, its story starts from its history and approval, a deleted
    meeting's history is left alone, and the first change notice after the
    upgrade still says what changed."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2027, 3, 11, 19, 0, tzinfo=UTC)
    try:
        old = migrate([("coordination", "0020_coalition_description_es"), ("meetings", "0007_search_documents")]).apps
        coalition = old.get_model("coordination", "Coalition").objects.create(
            name="Upgrade County Coalition", slug="upgrade", counties="Upgrade County"
        )
        Meeting, History = old.get_model("meetings", "Meeting"), old.get_model("meetings", "HistoricalMeeting")
        meeting = Meeting.objects.create(
            coalition=coalition, title="March meeting", starts_at=start, ends_at=start + timedelta(hours=1)
        )
        fields = {"coalition_id": coalition.pk, "title": "March meeting", "kind": "general", "status": "scheduled"}
        made = datetime(2027, 1, 5, tzinfo=UTC)
        for kind, starts_at, at in (("+", start - timedelta(days=7), made), ("~", start, made + timedelta(days=1))):
            History.objects.create(
                id=meeting.pk,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                place="",
                history_date=at,
                history_type=kind,
                changed_by_hand=False,
                **fields,
            )
        History.objects.create(  # a meeting deleted since: its history has no meeting
            id=meeting.pk + 1000,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place="",
            history_date=made,
            history_type="+",
            changed_by_hand=False,
            **fields,
        )
        person = old.get_model("members", "Person").objects.create(
            full_name="Deputy Upgrade",
            email="deputy@upgrade.example.org",
            agency=old.get_model("members", "Agency").objects.create(name="Upgrade Sheriff", sector="law_enforcement"),
        )
        row = old.get_model("meetings", "Attendance").objects.create(meeting=meeting, person=person)
        Notification = old.get_model("coordination", "Notification")
        # another message first, so no id lines up by chance with the meeting's or the attendance's
        Notification.objects.create(kind="password_reset", object_id=0, email="someone@upgrade.example.org")
        invitation = Notification.objects.create(
            kind="meeting_invitation", object_id=row.pk, email=person.email, coalition=coalition, status="sent"
        )
    finally:
        migrate(latest())

    from coordination.models import Notification
    from meetings import notices
    from meetings.models import Meeting as NewMeeting
    from meetings.models import MeetingEvent

    meeting = NewMeeting.objects.get()
    assert (meeting.sequence, meeting.told_sequence, meeting.changes_unsent) == (1, 1, False)
    assert meeting.invited_at == Notification.objects.get(pk=invitation.pk).created_at
    assert [r.sequence for r in meeting.history.order_by("history_id")] == [0, 1]
    story = list(MeetingEvent.objects.order_by("at").values_list("meeting_id", "kind"))
    assert story == [(meeting.pk, "scheduled"), (meeting.pk, "changed")]

    meeting.place = "County Library"
    meeting.sequence += 1
    meeting.save()
    assert notices.queue_change_notices(meeting) == 1
    change = Notification.objects.get(kind="meeting_changed")
    assert change.period == "s1-2"
    message = notices.compose_changed(change)
    assert "Where: was not given; now County Library." in message.body

"""Action items from the Shasta coalition's meetings, with their update log.

(Not tasks.py: Celery would take that for the app's tasks module.)"""

from datetime import timedelta

from django.utils import timezone

from coordination.models import Coalition, User
from meetings.models import Meeting
from members.models import Agency, Person
from tasks.models import ActionItem, ActionUpdate

# (title, owning agency, meetings ago, due days after the meeting, status, note)
DEMO_ACTIONS = [
    ("Draft the hotel outreach flyer", "Shasta Hospitality Association", 40, 30, "done", "Printed and delivered."),
    ("Train front-desk staff at six hotels", "Shasta Hospitality Association", 30, 60, "done", "Six hotels trained."),
    (
        "Add the after-hours CPS line to the reporting guide",
        "Shasta County Child Protective Services",
        20,
        14,
        "done",
        "Done.",
    ),
    (
        "Map emergency shelter beds across the county",
        "North Valley Crisis and Domestic Violence Center",
        6,
        30,
        "blocked",
        "Waiting for the county housing data.",
    ),
    (
        "Propose a language line contract for interpretation",
        "Shasta County Office of Education",
        5,
        45,
        "dropped",
        "The county took it over.",
    ),
    (
        "Update the law enforcement referral protocol",
        "Shasta County Sheriff's Office",
        4,
        30,
        "in_progress",
        "Draft with legal.",
    ),
    ("Confirm the sheriff's public reporting number", "Shasta County Sheriff's Office", 2, 21, "open", ""),
    ("Schedule roll-call training on trafficking indicators", "Shasta County Sheriff's Office", 1, 40, "open", ""),
    ("Report prosecutions of buyers for the annual report", "Shasta County District Attorney", 3, 20, "open", ""),
    ("Share the emergency department protocol", "Shasta Community Hospital", 2, 14, "in_progress", "Under review."),
    ("Invite the faith council's host homes to present", "Redding Interfaith Council", 1, 30, "open", ""),
    ("Collect school prevention numbers", "Shasta County Office of Education", 0, 25, "open", ""),
]


def build_action_items(shasta: Coalition, held: list[Meeting], organizer: User) -> None:
    """A realistic spread over the last years: done, open, overdue, blocked, dropped.
    `held` is the coalition's monthly meetings held, oldest first."""
    lead = User.objects.get(email="lead@example.org")
    agencies = {a.name: a for a in Agency.objects.filter(memberships__coalition=shasta)}
    representatives = {}
    for person in Person.objects.filter(agency__in=agencies.values()).order_by("pk"):
        representatives.setdefault(person.agency_id, person)  # the first listed: the primary
    for index, (title, agency_name, months_ago, due_in_days, status, note) in enumerate(DEMO_ACTIONS):
        meeting = held[-1 - months_ago] if months_ago < len(held) else held[0]
        agency = agencies[agency_name]
        created = meeting.ends_at
        item = ActionItem.objects.create(
            coalition=shasta,
            meeting=meeting,
            title=title,
            owner_agency=agency,
            assignee=representatives.get(agency.pk),
            due_on=timezone.localdate(created) + timedelta(days=max(due_in_days, 0))
            if due_in_days is not None
            else None,
            priority=ActionItem.Priority.HIGH if index % 4 == 0 else ActionItem.Priority.NORMAL,
            status=status,
            status_reason=note if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) else "",
            created_at=created,
            created_by=organizer,
            completed_at=created + timedelta(days=20) if status == ActionItem.Status.DONE else None,
            last_update_at=created + timedelta(days=3 if status != ActionItem.Status.OPEN else 0),
        )
        ActionUpdate.objects.create(
            item=item, author=organizer, created_at=created, new_status="open", comment="Created at the meeting."
        )
        if status != ActionItem.Status.OPEN:
            ActionUpdate.objects.create(
                item=item,
                author=item.assignee.user if item.assignee and item.assignee.user_id else lead,
                created_at=created + timedelta(days=3),
                old_status="open",
                new_status=status,
                comment=note,
            )

"""The Shasta coalition's trainings and community events, past and ahead."""

from datetime import date, timedelta
from datetime import time as datetime_time

from django.utils import timezone

from coordination.models import Coalition, User
from members.models import Agency
from reports.models import Activity

# (title, kind, audience, presenting agency, month, people reached in 2014)
DEMO_ACTIVITIES = [
    (
        "Recognising trafficking: patrol briefing",
        Activity.Kind.PROFESSIONAL_TRAINING,
        Activity.Audience.LAW_ENFORCEMENT,
        "Shasta County Sheriff's Office",
        2,
        18,
    ),
    (
        "Trauma-informed interviewing",
        Activity.Kind.PROFESSIONAL_TRAINING,
        Activity.Audience.CHILD_WELFARE,
        "Shasta County Child Protective Services",
        3,
        12,
    ),
    (
        "Hotel and motel staff: signs to look for",
        Activity.Kind.PROFESSIONAL_TRAINING,
        Activity.Audience.BUSINESS,
        "Shasta County District Attorney",
        4,
        22,
    ),
    (
        "Emergency department screening",
        Activity.Kind.PROFESSIONAL_TRAINING,
        Activity.Audience.HEALTH_CARE,
        "North Valley Crisis and Domestic Violence Center",
        6,
        9,
    ),
    (
        "Training the trainers: school counsellors",
        Activity.Kind.TRAIN_THE_TRAINER,
        Activity.Audience.EDUCATION,
        "Shasta County Office of Education",
        8,
        3,
    ),
    (
        "Parents' evening: online safety",
        Activity.Kind.COMMUNITY_EDUCATION,
        Activity.Audience.PARENTS,
        "Shasta County Office of Education",
        9,
        40,
    ),
    (
        "Faith leaders' breakfast",
        Activity.Kind.COMMUNITY_EDUCATION,
        Activity.Audience.FAITH,
        None,
        10,
        25,
    ),
    (
        "January awareness walk",
        Activity.Kind.AWARENESS_EVENT,
        Activity.Audience.GENERAL_PUBLIC,
        None,
        1,
        120,
    ),
    (
        "High-school assembly",
        Activity.Kind.COMMUNITY_EDUCATION,
        Activity.Audience.STUDENTS,
        "North Valley Crisis and Domestic Violence Center",
        11,
        300,
    ),
]
DEMO_PUBLIC_EVENTS = [
    (
        "Community forum: trafficking in our county",
        Activity.Kind.COMMUNITY_EDUCATION,
        Activity.Audience.GENERAL_PUBLIC,
        None,
        "County Library community room, Redding",
    ),
    (
        "Parents' evening: keeping teens safe online",
        Activity.Kind.COMMUNITY_EDUCATION,
        Activity.Audience.PARENTS,
        "Shasta County Office of Education",
        "Enterprise High School auditorium, Redding",
    ),
    (
        "National Human Trafficking Awareness Month walk",
        Activity.Kind.AWARENESS_EVENT,
        Activity.Audience.GENERAL_PUBLIC,
        None,
        "City Hall steps, Redding",
    ),
]


def build_activities(coalitions: dict[str, Coalition], agencies: dict[str, Agency], organizer: User) -> None:
    """Trainings and community events every year since 2014, and a few
    public events ahead for the public page."""
    shasta = coalitions["shasta"]
    if shasta.activities.exists():
        return
    today = timezone.localdate()
    rows = []
    for year in range(2014, today.year + 1):
        for number, (title, kind, audience, presenter, month, reached) in enumerate(DEMO_ACTIVITIES):
            held_on = date(year, month, 8 + number)
            if held_on >= today:
                continue
            rows.append(
                Activity(
                    coalition=shasta,
                    title=title,
                    kind=kind,
                    held_on=held_on,
                    audience=audience,
                    presenting_agency=agencies.get(presenter),
                    # Reach grew as the coalition did; a few small sessions stay under 5.
                    people_reached=reached + (year - 2014) * (reached // 6),
                    place="Redding",
                    created_by=organizer,
                )
            )
    for days, (title, kind, audience, presenter, place) in zip((12, 26, 47), DEMO_PUBLIC_EVENTS, strict=True):
        rows.append(
            Activity(
                coalition=shasta,
                title=title,
                kind=kind,
                held_on=today + timedelta(days=days),
                start_time=datetime_time(18, 30),
                audience=audience,
                presenting_agency=agencies.get(presenter),
                place=place,
                is_public=True,
                created_by=organizer,
            )
        )
    Activity.objects.bulk_create(rows)

"""Load the demo coalitions: one modelled on Shasta County's (meeting since
November 2013), one on neighbouring Siskiyou County's. Safe to run again: it
creates what is missing and leaves what exists as it is. Local phone numbers
are fictitious (555-01xx); the National Human Trafficking Hotline is real."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as datetime_time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from coordination.models import Coalition, CoalitionRole, Committee, CommitteeMember, User
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries, Minutes
from members.models import Agency, AgencyRole, Membership, Person, ResponseArea, Sector
from members.services import ensure_default_response_areas
from reports.models import Activity
from tasks.models import ActionItem, ActionUpdate

DEMO_PASSWORD = "roundtable-demo"
LOGINS = [
    ("organizer@example.org", "organizer of both demo coalitions"),
    ("lead@example.org", "lead (chair) of the Shasta coalition"),
    ("member@example.org", "representative of the Shasta County Sheriff's Office"),
]

COALITIONS = [
    {
        "slug": "shasta",
        "name": "Shasta County Coalition Against Human Trafficking",
        "counties": "Shasta County",
        "founded_on": date(2013, 11, 14),
        "contact_email": "coalition@shasta.example.org",
        "description": (
            "Citizens, business people, parents and agency leaders who have met every month since "
            "November 2013 to bring the right people and agencies to one table. Coordinated, law "
            "enforcement, legislators and social-service agencies make up the sum total of the "
            "solution: accountability for exploiters and buyers, and places and people that restore "
            "survivors. We work in four areas: awareness, prevention, intervention and restoration."
        ),
    },
    {
        "slug": "siskiyou",
        "name": "Siskiyou County Human Trafficking Coalition",
        "counties": "Siskiyou County",
        "founded_on": date(2016, 3, 10),
        "contact_email": "coalition@siskiyou.example.org",
        "description": (
            "Siskiyou County agencies working together so that anyone who meets a person who may be "
            "trafficked knows who to call: Child Protective Services for anyone under 18, law "
            "enforcement for an adult with injuries, and the National Human Trafficking Hotline or a "
            "local resource for an adult asking for support."
        ),
    },
]


@dataclass
class AgencySeed:
    name: str
    sector: str
    phone: str
    coalitions: dict[str, dict] = field(default_factory=dict)
    available_24_7: bool = False
    listed_publicly: bool = True
    languages: str = "English"
    counties_served: str = ""
    description: str = ""


AGENCIES = [
    AgencySeed(
        "Shasta County Sheriff's Office",
        Sector.LAW_ENFORCEMENT_LOCAL,
        "(530) 555-0110",
        {
            "shasta": {
                "joined_on": date(2013, 11, 14),
                "mou_signed_on": date(2014, 2, 13),
                "mou_review_on": date(2027, 2, 13),
            }
        },
        available_24_7=True,
        counties_served="Shasta County",
        languages="English, Spanish",
        description=(
            "Patrol, investigations and the county jail; leads human trafficking investigations outside city limits."
        ),
    ),
    AgencySeed(
        "Redding Police Department",
        Sector.LAW_ENFORCEMENT_LOCAL,
        "(530) 555-0111",
        {
            "shasta": {
                "joined_on": date(2013, 11, 14),
                "mou_signed_on": date(2014, 2, 13),
                "mou_review_on": date(2026, 12, 15),
            }
        },
        available_24_7=True,
        counties_served="City of Redding",
    ),
    AgencySeed(
        "Shasta County District Attorney",
        Sector.PROSECUTION,
        "(530) 555-0112",
        {
            "shasta": {
                "joined_on": date(2013, 11, 14),
                "mou_signed_on": date(2014, 3, 13),
                "mou_review_on": date(2027, 3, 13),
            }
        },
        counties_served="Shasta County",
        description="Prosecution of traffickers and buyers; victim-witness advocates.",
    ),
    AgencySeed(
        "Shasta County Child Protective Services",
        Sector.CHILD_WELFARE,
        "(530) 555-0113",
        {
            "shasta": {
                "joined_on": date(2014, 1, 9),
                "mou_signed_on": date(2014, 6, 12),
                "mou_review_on": date(2027, 6, 12),
            }
        },
        available_24_7=True,
        counties_served="Shasta County",
        languages="English, Spanish, Hmong",
    ),
    AgencySeed(
        "North Valley Crisis and Domestic Violence Center",
        Sector.DV_SA_CENTRE,
        "(530) 555-0114",
        {
            "shasta": {
                "joined_on": date(2013, 11, 14),
                "mou_signed_on": date(2014, 2, 13),
                "mou_review_on": date(2027, 2, 13),
            }
        },
        available_24_7=True,
        counties_served="Shasta and Tehama Counties",
        languages="English, Spanish",
        description="24-hour crisis line, emergency shelter, advocacy and counselling.",
    ),
    AgencySeed(
        "Shasta Community Hospital",
        Sector.HEALTH_CARE,
        "(530) 555-0115",
        {"shasta": {"joined_on": date(2015, 4, 9)}},
        available_24_7=True,
        counties_served="Shasta County",
    ),
    AgencySeed(
        "Shasta County Office of Education",
        Sector.EDUCATION,
        "(530) 555-0116",
        {"shasta": {"joined_on": date(2014, 9, 11)}},
        counties_served="Shasta County",
    ),
    AgencySeed(
        "Redding Interfaith Council",
        Sector.FAITH,
        "(530) 555-0117",
        {"shasta": {"joined_on": date(2015, 1, 8), "status": Membership.Status.ACTIVE, "is_voting": False}},
    ),
    AgencySeed(
        "Shasta Hospitality Association",
        Sector.BUSINESS,
        "(530) 555-0118",
        {"shasta": {"joined_on": date(2016, 5, 12)}},
        listed_publicly=False,
        description="Hotels and motels: staff training on recognising trafficking.",
    ),
    AgencySeed(
        "Parents Against Exploitation Shasta",
        Sector.CIVIC,
        "(530) 555-0119",
        {"shasta": {"joined_on": date(2017, 2, 9), "status": Membership.Status.PROSPECTIVE}},
        listed_publicly=False,
    ),
    AgencySeed(
        "California Highway Patrol, Northern Division",
        Sector.LAW_ENFORCEMENT_STATE,
        "(530) 555-0120",
        {"shasta": {"joined_on": date(2014, 5, 8)}, "siskiyou": {"joined_on": date(2016, 3, 10)}},
        available_24_7=True,
        counties_served="Shasta and Siskiyou Counties",
    ),
    AgencySeed(
        "Siskiyou County Child Protective Services",
        Sector.CHILD_WELFARE,
        "(530) 555-0130",
        {
            "siskiyou": {
                "joined_on": date(2016, 3, 10),
                "mou_signed_on": date(2016, 6, 9),
                "mou_review_on": date(2026, 12, 9),
            }
        },
        counties_served="Siskiyou County",
        description=(
            "Business hours (530) 555-0130; after hours (530) 555-0131. Call for anyone who is or looks under 18."
        ),
    ),
    AgencySeed(
        "Siskiyou County Sheriff's Office",
        Sector.LAW_ENFORCEMENT_LOCAL,
        "(530) 555-0132",
        {"siskiyou": {"joined_on": date(2016, 3, 10)}},
        available_24_7=True,
        counties_served="Siskiyou County",
    ),
    AgencySeed(
        "Siskiyou Crisis and Domestic Violence Center",
        Sector.DV_SA_CENTRE,
        "(530) 555-0133",
        {"siskiyou": {"joined_on": date(2016, 3, 10)}},
        available_24_7=True,
        counties_served="Siskiyou County",
        description="24-hour crisis line (530) 555-0134, shelter and advocacy.",
    ),
    AgencySeed(
        "Siskiyou Hospital Human Trafficking Response Program",
        Sector.HEALTH_CARE,
        "(530) 555-0135",
        {"siskiyou": {"joined_on": date(2017, 9, 14)}},
        counties_served="Siskiyou County",
    ),
]

# (name, title, agency, e-mail, login, representative of coalitions as "primary"/"alternate")
PEOPLE = [
    ("Lena Ortiz", "Sergeant, Investigations", "Shasta County Sheriff's Office", "member@example.org", True, "primary"),
    (
        "Tom Becker",
        "Deputy",
        "Shasta County Sheriff's Office",
        "tbecker@sheriff.shasta.example.org",
        False,
        "alternate",
    ),
    (
        "Marcus Reyes",
        "Deputy District Attorney",
        "Shasta County District Attorney",
        "lead@example.org",
        True,
        "primary",
    ),
    ("Ana Lim", "Detective", "Redding Police Department", "alim@rpd.example.org", False, "primary"),
    (
        "Grace Okafor",
        "Program Manager",
        "Shasta County Child Protective Services",
        "gokafor@cps.shasta.example.org",
        False,
        "primary",
    ),
    (
        "Rosa Delgado",
        "Executive Director",
        "North Valley Crisis and Domestic Violence Center",
        "rdelgado@nvcdvc.example.org",
        False,
        "primary",
    ),
    (
        "Dr. Sam Patel",
        "Emergency Department Director",
        "Shasta Community Hospital",
        "spatel@hospital.shasta.example.org",
        False,
        "primary",
    ),
    (
        "Karen Mills",
        "Prevention Coordinator",
        "Shasta County Office of Education",
        "kmills@scoe.example.org",
        False,
        "primary",
    ),
    ("Pastor John Hale", "Chair", "Redding Interfaith Council", "jhale@interfaith.example.org", False, "primary"),
    (
        "Mia Chen",
        "General Manager",
        "Shasta Hospitality Association",
        "mchen@hospitality.example.org",
        False,
        "primary",
    ),
    (
        "Dave Morgan",
        "Volunteer",
        "Parents Against Exploitation Shasta",
        "dmorgan@parents.example.org",
        False,
        "primary",
    ),
    (
        "Officer Ben Ruiz",
        "Public Information Officer",
        "California Highway Patrol, Northern Division",
        "bruiz@chp.example.org",
        False,
        "primary",
    ),
    (
        "Helen Ward",
        "Supervisor",
        "Siskiyou County Child Protective Services",
        "hward@cps.siskiyou.example.org",
        False,
        "primary",
    ),
    (
        "Luis Romero",
        "Lieutenant",
        "Siskiyou County Sheriff's Office",
        "lromero@sheriff.siskiyou.example.org",
        False,
        "primary",
    ),
    (
        "Joy Kim",
        "Advocate",
        "Siskiyou Crisis and Domestic Violence Center",
        "jkim@crisis.siskiyou.example.org",
        False,
        "primary",
    ),
    (
        "Nora Blake",
        "Program Coordinator",
        "Siskiyou Hospital Human Trafficking Response Program",
        "nblake@hospital.siskiyou.example.org",
        False,
        "primary",
    ),
]

COMMITTEES = [
    (
        "shasta",
        "Awareness and Education",
        Committee.Visibility.OPEN,
        "Plan trainings for schools, hotels and faith groups; keep the awareness calendar.",
        ["Karen Mills", "Pastor John Hale", "Mia Chen"],
        ["Karen Mills"],
    ),
    (
        "shasta",
        "Restoration Services",
        Committee.Visibility.MEMBERS,
        "Map shelter, counselling and case management for survivors and close the gaps.",
        ["Rosa Delgado", "Grace Okafor", "Dr. Sam Patel"],
        ["Rosa Delgado"],
    ),
    (
        "shasta",
        "Law Enforcement Working Group",
        Committee.Visibility.RESTRICTED,
        "Law-enforcement-only coordination of investigations and operations.",
        ["Lena Ortiz", "Ana Lim", "Officer Ben Ruiz"],
        ["Lena Ortiz"],
    ),
    (
        "siskiyou",
        "Case Review Team",
        Committee.Visibility.RESTRICTED,
        "Multidisciplinary review of referrals; no victim-identifying notes are kept.",
        ["Helen Ward", "Luis Romero", "Joy Kim"],
        ["Helen Ward"],
    ),
]


A, L, P = AgencyRole.Capacity.ACTIVE, AgencyRole.Capacity.LIMITED, AgencyRole.Capacity.PAUSED
# (agency, response area, what it does, capacity, public, months since confirmed)
# Months over six make a stale role; areas nobody covers are the coalitions' gaps
# (in Shasta: legal and immigration help, interpretation, policy, data and
# evaluation, survivor engagement).
ROLES = [
    (
        "Shasta County Sheriff's Office",
        "Investigation",
        "Investigates trafficking outside city limits; task force lead.",
        A,
        True,
        1,
    ),
    (
        "Shasta County Sheriff's Office",
        "Identification and reporting",
        "Takes reports by phone at any hour; patrol deputies trained to recognise trafficking.",
        A,
        True,
        8,
    ),
    ("Shasta County Sheriff's Office", "Training", "Roll-call and academy training on indicators.", L, False, 2),
    (
        "Redding Police Department",
        "Investigation",
        "Investigates within the city; vice and narcotics unit.",
        A,
        True,
        3,
    ),
    (
        "Shasta County District Attorney",
        "Prosecution and victim-witness support",
        "Prosecutes traffickers and buyers; victim-witness advocates accompany survivors through court.",
        A,
        True,
        2,
    ),
    (
        "Shasta County Child Protective Services",
        "Child welfare response",
        "Responds to every report about a person who is or looks under 18.",
        A,
        True,
        1,
    ),
    (
        "Shasta County Child Protective Services",
        "Identification and reporting",
        "Hotline for reports about minors, business hours and after hours.",
        A,
        True,
        1,
    ),
    (
        "North Valley Crisis and Domestic Violence Center",
        "Crisis response and hotline",
        "24-hour crisis line and in-person advocacy.",
        A,
        True,
        1,
    ),
    ("North Valley Crisis and Domestic Violence Center", "Shelter and housing", "Emergency shelter beds.", L, False, 4),
    (
        "North Valley Crisis and Domestic Violence Center",
        "Case management and restoration",
        "Long-term case management and safety planning.",
        A,
        False,
        5,
    ),
    (
        "North Valley Crisis and Domestic Violence Center",
        "Mental health and counselling",
        "Counselling for survivors, English and Spanish.",
        L,
        False,
        9,
    ),
    (
        "Shasta Community Hospital",
        "Medical care",
        "Emergency department protocol for suspected trafficking.",
        A,
        True,
        3,
    ),
    (
        "Shasta County Office of Education",
        "Awareness and education",
        "Prevention lessons in middle and high schools.",
        A,
        False,
        2,
    ),
    (
        "Shasta County Office of Education",
        "Prevention and demand reduction",
        "Healthy-relationships curriculum for teens.",
        A,
        False,
        2,
    ),
    ("Redding Interfaith Council", "Shelter and housing", "Volunteer host homes for short stays.", P, False, 20),
    ("Shasta Hospitality Association", "Awareness and education", "Front-desk staff training in hotels.", A, False, 7),
    (
        "California Highway Patrol, Northern Division",
        "Investigation",
        "Interdiction on the interstate corridor.",
        A,
        False,
        2,
    ),
    (
        "California Highway Patrol, Northern Division",
        "Training",
        "Training for truck stops and dispatchers.",
        A,
        False,
        2,
    ),
    (
        "Siskiyou County Child Protective Services",
        "Child welfare response",
        "Responds to reports about anyone under 18; after-hours line.",
        A,
        True,
        1,
    ),
    (
        "Siskiyou County Sheriff's Office",
        "Investigation",
        "Investigations and reports from adults with injuries.",
        A,
        True,
        2,
    ),
    ("Siskiyou Crisis and Domestic Violence Center", "Crisis response and hotline", "24-hour crisis line.", A, True, 1),
    (
        "Siskiyou Hospital Human Trafficking Response Program",
        "Medical care",
        "Trafficking response program in the emergency department.",
        A,
        True,
        10,
    ),
]


# Topics of the archive's minutes, in turn: (what was discussed, decisions).
ARCHIVE_TOPICS = [
    (
        "The hospitality association reported on hotel outreach: front-desk staff trained to recognise trafficking.",
        "Continue hotel outreach with two more hotels",
    ),
    ("Child Protective Services presented its after-hours reporting line.", "Add the after-hours line to the guide"),
    ("The district attorney reviewed prosecutions of buyers.", "Invite the court to the next meeting"),
    ("Schools reported on the prevention curriculum.", "Offer the curriculum to two more districts"),
    (
        "The crisis center described shelter capacity and the waiting list.",
        "Look for host homes with the faith council",
    ),
    ("Law enforcement summarised the year's training.", "Hold a joint training in the spring"),
]
DEMO_AGENDA = [
    ("Welcome and introductions", None, 10),
    ("Hotel outreach report", "Shasta Hospitality Association", 15),
    ("Law enforcement update", "Shasta County Sheriff's Office", 15),
    ("Round table: agency updates", None, 30),
]


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


class Command(BaseCommand):
    help = "Create the demo coalitions, agencies, people and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any coalition exists.")

    @transaction.atomic
    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Coalition.objects.exists():
            self.stdout.write("Coalitions exist already; demo data left alone.")
            return
        coalitions = {}
        for spec in COALITIONS:
            slug = spec["slug"]
            coalitions[slug], _ = Coalition.objects.get_or_create(
                slug=slug, defaults={k: v for k, v in spec.items() if k != "slug"}
            )
        agencies = {}
        for seed in AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                name=seed.name,
                defaults={
                    "sector": seed.sector,
                    "phone": seed.phone,
                    "available_24_7": seed.available_24_7,
                    "listed_publicly": seed.listed_publicly,
                    "languages": seed.languages,
                    "counties_served": seed.counties_served,
                    "description": seed.description,
                },
            )
            agencies[seed.name] = agency
            for slug, membership in seed.coalitions.items():
                Membership.objects.get_or_create(agency=agency, coalition=coalitions[slug], defaults=membership)

        people = {}
        for name, title, agency_name, email, has_login, representative in PEOPLE:
            agency = agencies[agency_name]
            person, _ = Person.objects.get_or_create(
                full_name=name, agency=agency, defaults={"title": title, "email": email}
            )
            people[name] = person
            if has_login and person.user_id is None:
                person.user = self._login(email, name)
                person.save(update_fields=["user"])
            field_name = f"{representative}_representative"
            Membership.objects.filter(agency=agency, **{f"{field_name}__isnull": True}).update(**{field_name: person})

        organizer = self._login("organizer@example.org", "Dana Whitfield")
        organizer_person, _ = Person.objects.get_or_create(
            user=organizer,
            defaults={"full_name": "Dana Whitfield", "title": "Coalition Coordinator", "email": organizer.email},
        )
        people["Dana Whitfield"] = organizer_person
        for coalition in coalitions.values():
            CoalitionRole.objects.get_or_create(
                coalition=coalition,
                user=organizer,
                role=CoalitionRole.Role.ORGANIZER,
                defaults={"title": "Coordinator"},
            )
        lead = User.objects.get(email="lead@example.org")
        CoalitionRole.objects.get_or_create(
            coalition=coalitions["shasta"], user=lead, role=CoalitionRole.Role.LEAD, defaults={"title": "Chair"}
        )

        for slug, name, visibility, charge, members, leads in COMMITTEES:
            committee, _ = Committee.objects.get_or_create(
                coalition=coalitions[slug],
                name=name,
                defaults={"slug": name.lower().replace(" ", "-"), "visibility": visibility, "charge": charge},
            )
            for member in members:
                CommitteeMember.objects.get_or_create(
                    committee=committee, person=people[member], defaults={"is_lead": member in leads}
                )

        self._roles(coalitions, agencies, people)
        self._meetings(coalitions, organizer)
        self._activities(coalitions, agencies, organizer)

        self.stdout.write(self.style.SUCCESS("Demo coalitions are ready. Log in with:"))
        for email, what in LOGINS:
            self.stdout.write(f"  {email:<24} password {DEMO_PASSWORD}   ({what})")

    def _roles(self, coalitions, agencies, people) -> None:
        representatives = {p.agency_id: p.user for p in people.values() if p.user_id}
        now = timezone.now()
        for name, area_name, description, capacity, public, months in ROLES:
            agency = agencies[name]
            coalition = agency.memberships.select_related("coalition").first().coalition
            ensure_default_response_areas(coalition)
            area = ResponseArea.objects.get(coalition=coalition, name=area_name)
            AgencyRole.objects.get_or_create(
                agency=agency,
                response_area=area,
                defaults={
                    "description": description,
                    "capacity": capacity,
                    "is_public": public,
                    "phone": agency.phone,
                    "available_24_7": agency.available_24_7,
                    "hours": "" if agency.available_24_7 else "Mon–Fri 8:00–17:00",
                    "languages": agency.languages,
                    "confirmed_at": now - timedelta(days=30 * months),
                    "confirmed_by": representatives.get(agency.pk),
                },
            )

    def _meetings(self, coalitions, organizer) -> None:
        """The Shasta coalition has met on the second Thursday of every month,
        at noon, since November 2013; its law enforcement group on the third
        Thursday of every third month."""
        shasta = coalitions["shasta"]
        if shasta.series.exists():
            return
        law_enforcement = Committee.objects.get(coalition=shasta, slug="law-enforcement-working-group")
        monthly = MeetingSeries.objects.create(
            coalition=shasta,
            title="Monthly coalition meeting",
            frequency=MeetingSeries.Frequency.MONTHLY,
            weekday=3,
            week_of_month=2,
            start_time=datetime_time(12, 0),
            end_time=datetime_time(13, 30),
            starts_on=date(2013, 11, 14),
            place="County Library community room, Redding",
            created_by=organizer,
        )
        quarterly = MeetingSeries.objects.create(
            coalition=shasta,
            committee=law_enforcement,
            title="Law Enforcement Working Group",
            kind=Meeting.Kind.COMMITTEE,
            frequency=MeetingSeries.Frequency.MONTHLY,
            interval=3,
            weekday=3,
            week_of_month=3,
            start_time=datetime_time(9, 0),
            end_time=datetime_time(10, 0),
            starts_on=date(2013, 12, 1),
            place="Sheriff's Office briefing room",
            created_by=organizer,
        )
        today = timezone.localdate()
        meetings = []
        for series in (monthly, quarterly):
            for day in series.occurrences(series.starts_on, today - timedelta(days=1)):
                starts_at, ends_at = meeting_services.series_times(series, day)
                cancelled = series is monthly and (day.year, day.month) == (2020, 4)
                meetings.append(
                    Meeting(
                        coalition=shasta,
                        committee=series.committee,
                        series=series,
                        occurrence=day,
                        kind=series.kind,
                        title=series.title,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        place=series.place,
                        status=Meeting.Status.CANCELLED if cancelled else Meeting.Status.HELD,
                        cancel_reason="County buildings closed; the coalition met by e-mail." if cancelled else "",
                        created_by=organizer,
                    )
                )
        Meeting.objects.bulk_create(meetings)
        for series in (monthly, quarterly):
            meeting_services.sync_series(series)
        self._meeting_records(shasta, monthly, organizer)

    def _meeting_records(self, shasta, monthly, organizer) -> None:
        """Minutes for every meeting held (older ones as if imported from the
        coalition's files), and agendas and attendance for the last year."""
        lead = User.objects.get(email="lead@example.org")
        held = list(monthly.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at"))
        minutes = []
        for index, meeting in enumerate(held):
            topic = ARCHIVE_TOPICS[index % len(ARCHIVE_TOPICS)]
            recent = index >= len(held) - 12
            last = index == len(held) - 1
            minutes.append(
                Minutes(
                    meeting=meeting,
                    body=(
                        f"Minutes of the coalition meeting, {meeting.local_start:%B %-d, %Y}.\n\n"
                        f"Welcome and introductions. {topic[0]}\n\nRound table: agencies shared updates."
                    ),
                    decisions=topic[1],
                    status=Minutes.Status.DRAFT if last else Minutes.Status.APPROVED,
                    approved_by=None if last or not recent else lead,
                    approved_at=None if last else meeting.ends_at + timedelta(days=28),
                )
            )
        Minutes.objects.bulk_create(minutes)
        people = list(Person.objects.filter(agency__memberships__coalition=shasta).select_related("agency")[:14])
        joined = dict(Membership.objects.filter(coalition=shasta).values_list("agency_id", "joined_on"))
        items, rows = [], []
        # Attendance since the first meeting: agencies come once they join; the
        # early years were thinner.
        for meeting in held:
            day = meeting.local_start.date()
            for number, person in enumerate(people):
                if joined.get(person.agency_id) and joined[person.agency_id] > day:
                    continue
                came = (number + day.month + day.year) % (3 if day.year < 2017 else 5) != 0
                rows.append(
                    Attendance(
                        meeting=meeting,
                        person=person,
                        agency=person.agency,
                        rsvp=Attendance.Rsvp.YES if came else Attendance.Rsvp.NO,
                        status=Attendance.Status.PRESENT if came else Attendance.Status.EXCUSED,
                    )
                )
        for meeting in held[-12:]:
            for position, (title, agency_name, length) in enumerate(DEMO_AGENDA, start=1):
                agency = Agency.objects.filter(name=agency_name).first() if agency_name else None
                items.append(
                    AgendaItem(
                        meeting=meeting,
                        position=position * 10,
                        title=title,
                        presenter_agency=agency,
                        minutes_allotted=length,
                    )
                )
        AgendaItem.objects.bulk_create(items)
        Attendance.objects.bulk_create(rows)
        self._action_items(shasta, held, organizer, lead)

    def _action_items(self, shasta, held, organizer, lead) -> None:
        """A realistic spread over the last years: done, open, overdue, blocked, dropped."""
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

    def _activities(self, coalitions, agencies, organizer) -> None:
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

    def _login(self, email: str, full_name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
        return user

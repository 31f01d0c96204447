"""The demo coalitions, their organizer and lead, and their committees.

Each new coalition's response areas and reporting guide come from the signals
of the members and public_site apps, not from here."""

from datetime import date

from coordination.models import Coalition, CoalitionRole, Committee, CommitteeMember, User
from members.models import Person

from .logins import login

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
        "description_es": (
            "Ciudadanos, empresarios, padres y responsables de agencias que se reúnen cada mes desde "
            "noviembre de 2013 para sentar a la misma mesa a las personas y agencias adecuadas. Coordinados, "
            "las fuerzas del orden, los legisladores y los servicios sociales suman la solución completa: "
            "que explotadores y compradores rindan cuentas, y lugares y personas que ayuden a los "
            "sobrevivientes a recuperarse. Trabajamos en cuatro áreas: concienciación, prevención, "
            "intervención y recuperación."
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
        "description_es": (
            "Agencias del condado de Siskiyou que trabajan juntas para que quien conozca a una persona que "
            "pueda ser víctima de trata sepa a quién llamar: a los Servicios de Protección Infantil si es "
            "menor de 18 años, a las fuerzas del orden si es un adulto con lesiones, y a la Línea Nacional "
            "contra la Trata de Personas o a un recurso local si es un adulto que pide apoyo."
        ),
    },
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


def build_coalitions() -> dict[str, Coalition]:
    """The demo coalitions by slug; one that exists already is left as it is."""
    coalitions = {}
    for spec in COALITIONS:
        slug = spec["slug"]
        coalitions[slug], _ = Coalition.objects.get_or_create(
            slug=slug, defaults={k: v for k, v in spec.items() if k != "slug"}
        )
    return coalitions


def appoint_organizer_and_lead(coalitions: dict[str, Coalition]) -> User:
    """Dana Whitfield organizes both coalitions, and the Shasta coalition's
    chair leads it. Runs after the people: the chair's login comes with his."""
    organizer = login("organizer@example.org", "Dana Whitfield")
    Person.objects.get_or_create(
        user=organizer,
        defaults={"full_name": "Dana Whitfield", "title": "Coalition Coordinator", "email": organizer.email},
    )
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
    return organizer


def build_committees(coalitions: dict[str, Coalition], people: dict[str, Person]) -> None:
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

"""The demo people: the agencies' representatives, two of them with a login."""

from members.models import Agency, Membership, Person

from .logins import login

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


def build_people(agencies: dict[str, Agency]) -> dict[str, Person]:
    """The demo people by name. Each becomes its agency's primary or alternate
    representative in every membership that has none yet."""
    people = {}
    for name, title, agency_name, email, has_login, representative in PEOPLE:
        agency = agencies[agency_name]
        person, _ = Person.objects.get_or_create(
            full_name=name, agency=agency, defaults={"title": title, "email": email}
        )
        people[name] = person
        if has_login and person.user_id is None:
            person.user = login(email, name)
            person.save(update_fields=["user"])
        field_name = f"{representative}_representative"
        Membership.objects.filter(agency=agency, **{f"{field_name}__isnull": True}).update(**{field_name: person})
    return people

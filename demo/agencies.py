"""The demo agencies, their memberships in the coalitions, and their roles in
each coalition's response areas, with their contact lines and the Spanish of
what the public reads. Local phone numbers are fictitious (555-01xx), except
Siskiyou CPS's two lines, which are those of the coalition's published guide."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from coordination.models import Coalition
from members.models import Agency, AgencyRole, ContactLine, JoinRequest, Membership, Person, ResponseArea, Sector
from members.services import ensure_default_response_areas


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
        "(530) 841-4200",
        {
            "siskiyou": {
                "joined_on": date(2016, 3, 10),
                "mou_signed_on": date(2016, 6, 9),
                "mou_review_on": date(2026, 12, 9),
            }
        },
        counties_served="Siskiyou County",
        description=(
            "Call for anyone who is or looks under 18: the business-hours line by day, the after-hours line at "
            "night, at weekends and on holidays."
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


def build_agencies(coalitions: dict[str, Coalition]) -> dict[str, Agency]:
    """The demo agencies by name, each a member of its coalitions; an agency or
    membership that exists already is left as it is."""
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
    return agencies


def build_agency_roles(agencies: dict[str, Agency], people: dict[str, Person]) -> None:
    """Each agency's roles in its first coalition's response areas, confirmed
    by its representative with a login, if it has one."""
    representatives = {p.agency_id: p.user for p in people.values() if p.user_id}
    now = timezone.now()
    for name, area_name, description, capacity, public, months in ROLES:
        agency = agencies[name]
        coalition = agency.memberships.select_related("coalition").first().coalition
        ensure_default_response_areas(coalition)
        area = ResponseArea.objects.get(coalition=coalition, name=area_name)
        role, created = AgencyRole.objects.get_or_create(
            agency=agency,
            response_area=area,
            defaults={
                "description": description,
                "description_es": DESCRIPTIONS_ES.get(description, "") if public else "",
                "capacity": capacity,
                "is_public": public,
                "languages": agency.languages,
                # Child protective services answer for minors only: the guide's adult steps leave them out.
                "ages": AgencyRole.Ages.MINORS if "Child Protective Services" in name else AgencyRole.Ages.ALL,
                "confirmed_at": now - timedelta(days=30 * months),
                "confirmed_by": representatives.get(agency.pk),
            },
        )
        if created:  # with their history, as if the agency had written them
            bulk_create_with_history(
                [
                    ContactLine(
                        role=role,
                        label=label,
                        label_es=label_es,
                        number=number,
                        hours=hours,
                        hours_es=hours_es,
                        available_24_7=day_and_night,
                        takes_texts=texts,
                        position=position,
                    )
                    for position, (label, label_es, number, hours, hours_es, day_and_night, texts) in enumerate(
                        lines_of(agency)
                    )
                ],
                ContactLine,
                default_user=role.confirmed_by,
            )


# What the public reads of each public role, in Spanish (the Spanish public pages
# fall back to the English for a role without it).
DESCRIPTIONS_ES = {
    "Investigates trafficking outside city limits; task force lead.": (
        "Investiga la trata fuera de los límites de la ciudad; dirige el grupo de trabajo."
    ),
    "Takes reports by phone at any hour; patrol deputies trained to recognise trafficking.": (
        "Recibe denuncias por teléfono a cualquier hora; sus agentes de patrulla saben reconocer la trata."
    ),
    "Investigates within the city; vice and narcotics unit.": (
        "Investiga dentro de la ciudad; unidad de antivicio y narcóticos."
    ),
    "Prosecutes traffickers and buyers; victim-witness advocates accompany survivors through court.": (
        "Procesa a tratantes y compradores; sus asesores de víctimas y testigos acompañan a los sobrevivientes "
        "durante el juicio."
    ),
    "Responds to every report about a person who is or looks under 18.": (
        "Atiende toda denuncia sobre una persona que es o parece menor de 18 años."
    ),
    "Hotline for reports about minors, business hours and after hours.": (
        "Línea de denuncias sobre menores, en horario de oficina y fuera de él."
    ),
    "24-hour crisis line and in-person advocacy.": "Línea de crisis las 24 horas y acompañamiento en persona.",
    "Emergency department protocol for suspected trafficking.": (
        "Protocolo de urgencias para casos en que se sospecha trata."
    ),
    "Responds to reports about anyone under 18; after-hours line.": (
        "Atiende denuncias sobre cualquier persona menor de 18 años; línea fuera del horario de oficina."
    ),
    "Investigations and reports from adults with injuries.": "Investigaciones y denuncias de adultos con lesiones.",
    "24-hour crisis line.": "Línea de crisis las 24 horas.",
    "Trafficking response program in the emergency department.": (
        "Programa de respuesta a la trata en el servicio de urgencias."
    ),
}

OFFICE_HOURS = ("Mon–Fri 8:00–17:00", "lun–vie 8:00–17:00")

# Agencies that publish more than one line: (label, label in Spanish, number,
# hours, hours in Spanish, 24/7, takes texts). The others publish their main
# phone, at office hours or day and night.
LINES = {
    "Siskiyou County Child Protective Services": [
        ("Business hours", "Horario de oficina", "(530) 841-4200", *OFFICE_HOURS, False, False),
        (
            "After hours",
            "Fuera del horario de oficina",
            "(530) 842-7009",
            "Nights, weekends and holidays",
            "Noches, fines de semana y feriados",
            False,
            False,
        ),
    ],
    "Shasta County Child Protective Services": [
        ("Business hours", "Horario de oficina", "(530) 555-0113", *OFFICE_HOURS, False, False),
        (
            "After hours",
            "Fuera del horario de oficina",
            "(530) 555-0121",
            "Nights, weekends and holidays",
            "Noches, fines de semana y feriados",
            False,
            False,
        ),
    ],
    "North Valley Crisis and Domestic Violence Center": [
        ("24-hour crisis line", "Línea de crisis las 24 horas", "(530) 555-0122", "", "", True, True),
        ("Office", "Oficina", "(530) 555-0114", *OFFICE_HOURS, False, False),
    ],
    "Siskiyou Crisis and Domestic Violence Center": [
        ("24-hour crisis line", "Línea de crisis las 24 horas", "(530) 555-0134", "", "", True, True),
        ("Office", "Oficina", "(530) 555-0133", *OFFICE_HOURS, False, False),
    ],
}


def lines_of(agency: Agency) -> list[tuple]:
    if agency.name in LINES:
        return LINES[agency.name]
    if agency.available_24_7:
        return [("Main line", "Línea principal", agency.phone, "", "", True, False)]
    return [("Main line", "Línea principal", agency.phone, *OFFICE_HOURS, False, False)]


def build_join_requests(coalitions: dict[str, Coalition], agencies: dict[str, Agency], organizer) -> None:
    """Siskiyou has asked the Shasta sheriff to join: the demo member, its
    representative, finds the request on the dashboard and answers it."""
    sheriff = agencies["Shasta County Sheriff's Office"]
    siskiyou = coalitions["siskiyou"]
    if sheriff.memberships.filter(coalition=siskiyou).exists() or sheriff.join_requests.filter(coalition=siskiyou):
        return
    JoinRequest.objects.create(
        agency=sheriff,
        coalition=siskiyou,
        requested_by=organizer,
        requested_at=timezone.now() - timedelta(days=3),
        membership_status=Membership.Status.PROSPECTIVE,
    )

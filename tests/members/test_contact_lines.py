"""A role's contact lines are edited with the role: several at once, in
order, removed with a tick; bad input is refused with a message and nothing
of the role or its lines is half saved; a line of another role cannot be
named."""

import pytest
from django.urls import reverse

from members.models import AgencyRole, ContactLine, dial_string

from ..factories import AgencyRoleFactory, ContactLineFactory

pytestmark = pytest.mark.django_db


def lines(*rows, initial=0) -> dict:
    """The formset's post: one dict of fields a line."""
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"lines-{index}-{name}"] = value
    return data


def role_data(area, **fields) -> dict:
    return {"response_area": area.pk, "description": "Takes reports about minors.", "ages": "minors"} | {
        "capacity": "active",
        **fields,
    }


BUSINESS = {"label": "Business hours", "label_es": "Horario de oficina", "number": "(530) 841-4200"}
AFTER = {"label": "After hours", "number": "(530) 842-7009", "hours": "Nights and weekends", "position": "2"}


def test_a_role_is_added_with_its_business_hours_and_after_hours_lines(world):
    area = world.home.response_areas.get(name="Child welfare response")
    response = world.client_for(world.member).post(
        reverse("role_add", args=[world.member_agency.pk]),
        role_data(area) | lines(AFTER, BUSINESS | {"position": "1", "takes_texts": True}),
    )
    assert response.status_code == 302
    role = AgencyRole.objects.get(agency=world.member_agency, response_area=area)
    assert [
        (line.label, line.label_es, line.number, line.hours, line.takes_texts, line.history.get().history_user)
        for line in role.lines.all()
    ] == [
        ("Business hours", "Horario de oficina", "(530) 841-4200", "", True, world.member),
        ("After hours", "", "(530) 842-7009", "Nights and weekends", False, world.member),
    ]
    page = world.client_for(world.member).get(world.member_agency.get_absolute_url()).content.decode()
    assert 'href="tel:5308414200"' in page and 'href="tel:5308427009"' in page


def test_a_line_is_changed_and_another_removed_on_the_role_page(world):
    role = AgencyRoleFactory(agency=world.member_agency, response_area=world.home.response_areas.first())
    kept = ContactLineFactory(role=role, label="Main", number="(530) 555-0100", position=1)
    gone = ContactLineFactory(role=role, label="Old", number="(530) 555-0101", position=2)
    edited = {"id": kept.pk, "label": "Main line", "number": "(530) 555-0102", "available_24_7": True}
    removed = {"id": gone.pk, "label": "Old", "number": "(530) 555-0101", "DELETE": True}
    response = world.client_for(world.member).post(
        reverse("role_edit", args=[world.member_agency.pk, role.pk]),
        role_data(role.response_area) | lines(edited, removed, initial=2),
    )
    assert response.status_code == 302, response.context["form"].errors or response.context["lines"].errors
    assert [(line.label, line.number, line.available_24_7) for line in role.lines.all()] == [
        ("Main line", "(530) 555-0102", True)
    ]
    # The agency's history says who changed a public number, and from what to what.
    page = world.client_for(world.organizer).get(world.member_agency.get_absolute_url()).content.decode()
    history = page.split('id="history', 1)[-1]
    assert "Contact line: Main line" in history and "(530) 555-0100" in history and "(530) 555-0102" in history
    assert "Contact line: Old" in history


BAD_LINES = [
    ({"label": "Main", "number": "call the office"}, "Write one number"),
    ({"label": "Main", "number": "12"}, "Write one number"),
    ({"label": "Main", "number": "1 x23"}, "Write one number"),
    ({"label": "Main", "number": "530-555-0100 / 0101"}, "Write one number"),
    ({"label": "", "number": "(530) 555-0100"}, "This field is required."),
    ({"label": "Main", "number": "(530) 555-0100", "hours": "9–5", "available_24_7": True}, "needs no hours"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_a_bad_line_is_refused_with_its_message_and_nothing_is_saved(world, line, message):
    area = world.home.response_areas.get(name="Investigation")
    response = world.client_for(world.member).post(
        reverse("role_add", args=[world.member_agency.pk]), role_data(area) | lines(BUSINESS, line)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Takes reports about minors." in response.content.decode()  # what was typed is shown again
    assert not AgencyRole.objects.filter(agency=world.member_agency).exists()
    assert not ContactLine.objects.exists()


def test_a_new_line_repeating_a_line_already_there_is_refused(world):
    role = AgencyRoleFactory(agency=world.member_agency, response_area=world.home.response_areas.first())
    there = ContactLineFactory(role=role, label="Main", number="(530) 555-0100")
    response = world.client_for(world.member).post(
        reverse("role_edit", args=[world.member_agency.pk, role.pk]),
        role_data(role.response_area)
        | lines(
            {"id": there.pk, "label": "Main", "number": "(530) 555-0100"},
            {"label": "Again", "number": "530 555 0100"},
            initial=1,
        ),
    )
    assert "The same number is written on two lines" in response.content.decode()
    assert list(role.lines.values_list("label", flat=True)) == ["Main"]


def test_a_number_kept_from_before_lines_is_saved_again_as_it_was_and_shown_without_a_link(world):
    """A role's phone from before lines were records may not be one dialable
    number: editing the role leaves it be; the pages show it as text."""
    role = AgencyRoleFactory(agency=world.member_agency, response_area=world.home.response_areas.first())
    old = ContactLineFactory(role=role, label="Main line", number="ask for Dana")
    response = world.client_for(world.member).post(
        reverse("role_edit", args=[world.member_agency.pk, role.pk]),
        role_data(role.response_area, capacity="limited")
        | lines({"id": old.pk, "label": "Main line", "number": "ask for Dana"}, initial=1),
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.number == "ask for Dana"
    page = world.client_for(world.member).get(world.member_agency.get_absolute_url()).content.decode()
    assert "ask for Dana" in page and 'href="tel:"' not in page


def test_the_same_number_on_two_lines_is_refused(world):
    area = world.home.response_areas.get(name="Investigation")
    response = world.client_for(world.member).post(
        reverse("role_add", args=[world.member_agency.pk]),
        role_data(area) | lines(BUSINESS, {"label": "Again", "number": "530.841.4200"}),
    )
    assert "The same number is written on two lines" in response.content.decode()
    assert not ContactLine.objects.exists()


def test_a_line_of_another_agencys_role_cannot_be_changed_or_removed_through_ones_own(world):
    theirs = ContactLineFactory(label="Theirs", number="(530) 555-0199")
    role = AgencyRoleFactory(agency=world.member_agency, response_area=world.home.response_areas.first())
    url = reverse("role_edit", args=[world.member_agency.pk, role.pk])
    client = world.client_for(world.member)
    for forged in (
        {"id": theirs.pk, "label": "Mine now", "number": "(530) 555-0100"},
        {"id": theirs.pk, "label": "Theirs", "number": "(530) 555-0199", "DELETE": True},
    ):
        for initial in (0, 1):
            response = client.post(url, role_data(role.response_area) | lines(forged, initial=initial))
            theirs.refresh_from_db()
            assert (theirs.label, theirs.number) == ("Theirs", "(530) 555-0199")
            assert not role.lines.exclude(number="(530) 555-0100").exists()
            assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    ("written", "dialled"),
    [
        ("(530) 841-4200", "5308414200"),
        ("+1 888 373 7888", "+18883737888"),
        ("530.555.0100 ext. 12", "5305550100,12"),
        ("(530) 555-0100 x 7", "5305550100,7"),
        ("233733", "233733"),
        ("(530) 555-0100 Ext. 12", "5305550100,12"),
        ("530-555-0100 fax 530-555-0101", "5305550100"),  # the first number, not the fax run into it
        ("530-555-0100 / 0101", "5305550100"),
        ("call the office", ""),  # no link at all
    ],
)
def test_a_number_is_dialled_as_written(written, dialled):
    assert dial_string(written) == dialled

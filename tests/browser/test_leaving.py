"""A person leaves their agency, as the people concerned see it: the
organizer marks the sheriff's representative as left from the agency's page;
her open browser is signed out at her next click, and her open items show
their new assignee."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHERIFF = "Shasta County Sheriff's Office"


def test_a_person_marked_as_left_is_signed_out_at_once_and_her_items_go_on(visit):
    from members.models import Agency, Person
    from tasks.models import ActionItem

    lena = Person.objects.get(user__email="member@example.org")
    theirs = list(ActionItem.objects.filter(assignee=lena, status__in=ActionItem.OPEN_STATUSES))
    assert theirs, "the demo gives the sheriff's representative open items"

    member = visit("member")
    page = member.log_in("member@example.org")
    expect(page.get_by_role("heading", name="Welcome, Lena")).to_be_visible()

    organizer = visit("organizer")
    org_page = organizer.log_in("organizer@example.org")
    agency = Agency.objects.get(name=SHERIFF)
    organizer.go(f"/agencies/{agency.pk}/")
    row = org_page.get_by_role("row").filter(has_text=lena.email)
    row.get_by_role("button", name="Mark as left").click()
    expect(org_page.locator(".messages")).to_contain_text(f"{lena.full_name} is marked as having left")
    expect(org_page.get_by_role("row").filter(has_text=f"{lena.full_name} (left)")).to_be_visible()
    organizer.check("marked-as-left")

    # her next click finds her signed out
    member.go("/c/shasta/actions/")
    expect(page.get_by_role("heading", name="Log in to Roundtable")).to_be_visible()
    member.check("signed-out")

    # her items went on, each saying so
    item = ActionItem.objects.get(pk=theirs[0].pk)
    assert item.assignee != lena and item.assignee is not None
    organizer.go(f"/actions/{item.pk}/")
    expect(org_page.get_by_text(f"{lena.full_name} left {SHERIFF}.")).to_be_visible()
    expect(org_page.get_by_text(f"Assignee: {lena.full_name} → {item.assignee.full_name}")).to_be_visible()

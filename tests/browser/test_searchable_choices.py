"""The searchable selects, typed into as a person would: the organizer filters
the action list by an agency, adds an item choosing its agency and assignee by
typing, and puts two people on a committee; every page passes axe-core with
the combobox open and after choosing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHERIFF = "Shasta County Sheriff's Office"


def type_and_choose(scope, label: str, typed: str, option: str) -> None:
    """Tab to the combobox (the chosen option hides its input until then), type, pick."""
    box = scope.get_by_role("combobox", name=label)
    box.focus()
    box.press_sequentially(typed)
    scope.get_by_role("option", name=option, exact=True).click()


def test_the_organizer_filters_by_an_agency_and_adds_an_item_choosing_by_typing(visit):
    from members.models import Agency
    from tasks.models import ActionItem

    sheriff = Agency.objects.get(name=SHERIFF)
    others = ActionItem.objects.filter(coalition__slug="shasta").exclude(owner_agency=sheriff)
    other_title = others.order_by("due_on", "pk").values_list("title", flat=True).first()  # on the first page
    person = sheriff.people.filter(is_active=True).order_by("full_name").first()

    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    organizer.go("/c/shasta/actions/?scope=all")
    # (the filters are open: the address holds a query)
    expect(page.locator("#action-table").get_by_text(other_title, exact=True).first).to_be_visible()
    box = page.get_by_role("combobox", name="Agency", exact=True)
    box.focus()
    box.press_sequentially("sheriff")
    expect(page.get_by_role("option", name=SHERIFF, exact=True)).to_be_visible()
    organizer.check("agency-filter-open")
    page.get_by_role("option", name=SHERIFF, exact=True).click()
    # htmx swaps the table: only the sheriff's items are left
    expect(page.locator("#action-table").get_by_text(other_title, exact=True)).to_have_count(0)
    assert f"owner_agency={sheriff.pk}" in page.url
    organizer.check("agency-filtered")

    organizer.go("/c/shasta/actions/new/")
    page.get_by_label("Title").fill("Train the night shift on the referral line")
    type_and_choose(page, "Owning agency", "sheriff", SHERIFF)
    type_and_choose(page, "Assignee", person.full_name.split()[-1], f"{person.full_name} ({SHERIFF})")
    page.get_by_label("Due", exact=True).fill(f"{timezone.localdate() + timedelta(days=9):%Y-%m-%d}")
    organizer.check("item-form-chosen")
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_role("heading", name="Train the night shift on the referral line")).to_be_visible()
    item = ActionItem.objects.get(title="Train the night shift on the referral line")
    assert (item.owner_agency, item.assignee) == (sheriff, person)


def test_the_organizer_puts_two_people_on_a_committee_by_typing_their_names(visit):
    from coordination.models import Committee
    from members.models import Person

    committee = Committee.objects.filter(coalition__slug="shasta", visibility="open").first()
    on_it = set(committee.members.values_list("pk", flat=True))
    newcomers = list(
        Person.objects.filter(agency__memberships__coalition__slug="shasta", is_active=True)
        .exclude(pk__in=on_it)
        .select_related("agency")
        .order_by("full_name")[:2]
    )
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    organizer.go(f"/c/shasta/committees/{committee.slug}/edit/")
    for person in newcomers:
        type_and_choose(page, "Members", person.full_name.split()[-1], f"{person.full_name} ({person.agency})")
        page.keyboard.press("Escape")
    organizer.check("committee-members-chosen")
    page.get_by_label("Charge").focus()  # leave the list, as a person moving on would
    page.get_by_role("button", name="Save the committee").click()
    expect(page.get_by_text(f"Committee “{committee.name}” saved.")).to_be_visible()
    assert set(committee.members.values_list("pk", flat=True)) == on_it | {p.pk for p in newcomers}

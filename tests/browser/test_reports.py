"""Journeys 7 and 8 in a real browser: the annual report with its charts, on a
desk and on a phone, and the reporting guide printed on one page."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _charts_drawn(page) -> int:
    """How many chart images the browser decoded and drew."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('.rt-chart img')).filter(i => i.complete && i.naturalWidth > 0).length"
    )


def test_a_lead_reads_the_annual_report_with_its_charts_on_a_desk_and_a_phone(visit):
    year = timezone.localdate().year - 1
    tab = visit("lead")
    page = tab.log_in("lead@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name=f"Annual report {year}")).to_be_visible()
    expect(page.get_by_role("table", name="Attendance by agency")).to_contain_text("Shasta County Sheriff's Office")
    expect(page.get_by_role("table", name="Professional trainings by audience")).to_contain_text("withheld")
    assert _charts_drawn(page) >= 7
    tab.check("annual-report")

    page.get_by_role("link", name=str(year - 5), exact=True).click()
    expect(page.get_by_role("heading", name=f"Annual report {year - 5}")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    csv = download.value.path().read_text()
    assert f"Annual report {year - 5}" in csv and "Attendance by agency" in csv

    page.get_by_role("link", name="Engagement since 2013").click()
    expect(page.get_by_role("table", name="Attendance per year")).to_contain_text("2013")
    assert _charts_drawn(page) == 3
    tab.check("engagement")

    # On paper: no navigation, no buttons; the report and its charts.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()

    phone = visit("lead-phone", width=390)
    page = phone.log_in("lead@example.org")
    page.goto(phone.base_url + "/c/shasta/reports/")
    expect(page.get_by_role("heading", name=f"Annual report {year}")).to_be_visible()
    assert _charts_drawn(page) >= 7
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the report is {width}px wide on a 390px phone"
    phone.check("annual-report-phone")


def test_an_organizer_announces_a_public_event_that_the_public_page_then_lists(visit):
    tab = visit("organizer")
    page = tab.log_in("organizer@example.org")
    page.goto(tab.base_url + "/c/shasta/activities/")
    page.get_by_role("link", name="Record an activity").click()
    page.get_by_label("Title").fill("Library talk: what trafficking looks like here")
    page.get_by_label("Kind").select_option(label="Community education")
    page.get_by_label("Date").fill(f"{timezone.localdate() + timedelta(days=5):%Y-%m-%d}")
    page.get_by_label("Audience sector").select_option(label="General public")
    page.get_by_label("Announce on the public page").check()
    tab.check("activity-form")
    page.get_by_role("button", name="Record the activity").click()
    expect(page.get_by_text("is recorded")).to_be_visible()
    visitor = visit("visitor", width=390)
    public = visitor.go("/p/shasta/")
    expect(public.get_by_role("region", name="Upcoming public events")).to_contain_text(
        "Library talk: what trafficking looks like here"
    )
    visitor.check("public-events")


EMERGENCY = {"en": "In an emergency, call 911.", "es": "En una emergencia, llame al 911."}


@pytest.mark.parametrize("language", EMERGENCY)
@pytest.mark.parametrize("slug", ["shasta", "siskiyou"])
def test_the_reporting_guide_prints_on_one_page(visit, slug, language):
    tab = visit(f"guide-{slug}-{language}")
    page = tab.go(f"/{language}/p/{slug}/report/")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter")))
    text = pdf.pages[0].extract_text()
    assert len(pdf.pages) == 1
    assert EMERGENCY[language] in text and "1-888-373-7888" in text

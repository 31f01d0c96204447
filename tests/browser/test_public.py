"""The public guide and contact form in a real browser, on a phone-sized window."""

from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_finds_the_number_and_sends_a_message(visit):
    tab = visit("visitor", width=390)
    page = tab.go("/p/siskiyou/")
    tab.check("coalition")
    page.get_by_role("link", name="Report trafficking").first.click()
    step = page.get_by_role("listitem").filter(has_text="If the person is or looks under 18")
    expect(step.get_by_role("link", name="(530) 841-4200")).to_be_visible()
    expect(step.get_by_role("link", name="(530) 842-7009")).to_be_visible()
    tab.check("guide")
    page.get_by_role("link", name="Contact", exact=True).click()
    page.get_by_label("Your name").fill("Ann Visitor")
    page.get_by_label("Your e-mail address").fill("ann@example.net")
    page.get_by_label("Your message").fill("Our parish would like to host a training.")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("your message reached the coalition's organizers")).to_be_visible()
    tab.check("contact-sent")


# What the stranger reads, in the browser's language.
WORDS = {
    "en-US": {
        "lang": "en",
        "call": "Call 1-888-373-7888",
        "text": "Text 233733",
        "who": "who to call",
        "guide": "Report trafficking",
        "contact": "Contact",
        "message": "Your message",
        "other": "Español",
        "under 18": "If the person is or looks under 18",
    },
    "es-MX": {
        "lang": "es",
        "call": "Llame al 1-888-373-7888",
        "text": "Envíe un texto al 233733",
        "who": "a quién llamar",
        "guide": "Denunciar la trata",
        "contact": "Contacto",
        "message": "Su mensaje",
        "other": "English",
        "under 18": "Si la persona es o parece menor de 18 años",
    },
}


@pytest.mark.parametrize("locale", WORDS)
def test_a_stranger_at_the_address_reaches_the_guide_the_hotline_and_the_form_and_quick_exit_leaves(
    visit, settings, locale
):
    """From `/`, in the browser's language, in at most two clicks: a
    coalition's guide, the national hotline (tap to call), the contact form.
    The Esc key replaces the page with the neutral site, and Back does not
    return to it. No cookie is set before the contact form."""
    words = WORDS[locale]
    settings.QUICK_EXIT_URL = "https://neutral.example.org/"
    tab = visit(f"stranger-{words['lang']}", width=390, locale=locale)
    page = tab.page
    page.route("https://neutral.example.org/**", lambda route: route.fulfill(body="<title>Weather</title>Sunny"))
    page = tab.go("/")
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])
    tab.check("front-door")
    expect(page.get_by_role("link", name=words["call"])).to_have_attribute("href", "tel:+18883737888")
    expect(page.get_by_role("link", name=words["text"])).to_have_attribute("href", "sms:233733")
    page.get_by_role("link", name=words["who"]).last.click()  # 1
    expect(page.get_by_role("heading", name=words["guide"], level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=words["under 18"])).to_be_visible()
    tab.check("guide")
    assert page.context.cookies() == [], "a public page set a cookie before the contact form"
    page.get_by_role("link", name=words["contact"], exact=True).click()  # 2
    tab.check("contact")
    page.get_by_label(words["message"]).fill("Our school")
    page.keyboard.press("Escape")  # typing in a field: Esc closes suggestions, it does not leave
    expect(page.get_by_label(words["message"])).to_have_value("Our school")
    assert {cookie["name"] for cookie in page.context.cookies()} <= {"csrftoken"}
    page.go_back()  # the guide again
    page.keyboard.press("Escape")
    page.wait_for_url("https://neutral.example.org/")
    page.go_back()
    assert "/report/" not in page.url, "Back returned to the page left by Quick exit"
    for path in ("/", "/p/shasta/", "/p/shasta/report/", "/p/shasta/directory/", "/p/shasta/contact/"):
        tab.go(path)
        # Usable at 390 px: nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    # The switch: the same page in the other language, by its address (no cookie).
    tab.go("/p/shasta/report/")
    page.get_by_role("link", name=words["other"]).click()
    other = "es" if words["lang"] == "en" else "en"
    expect(page.locator("html")).to_have_attribute("lang", other)
    assert page.url.endswith(f"/{other}/p/shasta/report/")
    assert {cookie["name"] for cookie in page.context.cookies()} <= {"csrftoken"}


@contextmanager
def agency_site(pages: dict[str, str]):
    """A member agency's web site: another origin, a server of its own on loopback."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_an_agency_site_frames_the_embedded_guide_and_not_the_other_pages(visit):
    """A member agency's site shows the embedded guide in a frame; the same
    frame pointed at the guide's own page stays empty."""
    tab = visit("agency-site")
    page = tab.page
    frame = '<title>Agency</title><iframe src="{}" title="Guide"></iframe>'
    pages = {
        "/embed": frame.format(f"{tab.base_url}/es/p/shasta/embed/"),  # the Spanish code the organizers hand out
        "/embed-old": frame.format(f"{tab.base_url}/p/shasta/embed/"),  # sent on to the browser's language
        "/report": frame.format(f"{tab.base_url}/en/p/shasta/report/"),
    }
    with agency_site(pages) as agency:
        page.goto(agency + "/embed")
        framed = page.frame_locator("iframe")
        expect(framed.get_by_role("heading", name="Denunciar la trata")).to_be_visible()
        link = framed.get_by_role("link", name="Shasta County Coalition Against Human Trafficking")
        expect(link).to_have_attribute("href", "/es/p/shasta/report/")
        page.goto(agency + "/embed-old")
        expect(framed.get_by_role("heading", name="Report trafficking")).to_be_visible()
        page.goto(agency + "/report")
        page.wait_for_load_state("load")
        expect(framed.get_by_role("heading", name="Report trafficking")).to_have_count(0)

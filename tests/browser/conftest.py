"""A real Chromium (Debian's), driven by Playwright, against the live server."""

import os
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "roundtable-demo"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPROUNDTABLEDEMO22"  # demo/logins.py

# Playwright's sync API keeps an event loop on the test thread; the Django
# code that runs there (fixtures, ORM checks) is still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Visit:
    """A browser tab on the live server that checks every page it shows:
    no serious or critical axe-core violation, no blocked script or style."""

    axe = Axe()

    def __init__(self, browser, base_url: str, name: str, width: int = 1280, locale: str = "en-US"):
        # The locale is the browser's language: it sends it as Accept-Language.
        self.page = browser.new_page(viewport={"width": width, "height": 900}, locale=locale)
        self.base_url = base_url
        self.name = name
        self.shots = 0
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def check(self, label: str) -> None:
        """Screenshot the page as a test artifact and check its accessibility."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{self.shots:02d}-{label}".lower())
        self.page.screenshot(path=ARTIFACTS / f"{slug}.png", full_page=True)
        results = self.axe.run(self.page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{label}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in serious
        )
        blocked = [line for line in self.console if "Content Security Policy" in line]
        assert blocked == [], blocked

    def log_in(self, email: str, password: str = DEMO_PASSWORD, secret: str = DEMO_TOTP_SECRET):
        """The password, then (for a login with an authenticator app) its code."""
        page = self.go("/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.locator("main").get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if "/accounts/second-factor/authenticate/" in page.url:
            page.get_by_label("Code").fill(fresh_code(email, secret))
            page.locator("main").get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/second-factor/authenticate/" not in url)
        return page

    def close(self):
        self.page.close()


_used_codes: set[tuple[str, int]] = set()


def fresh_code(email: str, secret: str) -> str:
    """A code of the authenticator app not used yet by this login: a code works
    once, and a step either side of now is taken too (MFA_TOTP_TOLERANCE)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = int(time.time()) // 30
    for counter in (now, now + 1, now - 1):
        if (email, counter) not in _used_codes:
            _used_codes.add((email, counter))
            return format_hotp_value(hotp_value(secret, counter))
    time.sleep(30)
    return fresh_code(email, secret)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo")
    return live_server.url


@pytest.fixture
def visit(browser, demo, request):
    visits = []
    _used_codes.clear()  # (the cache of used codes starts empty each test: tests/conftest.py)

    def open_visit(name: str, width: int = 1280, locale: str = "en-US") -> Visit:
        v = Visit(browser, demo, f"{request.node.originalname.removeprefix('test_')[:40]}-{name}", width, locale)
        visits.append(v)
        return v

    yield open_visit
    for v in visits:
        v.close()

"""The public pages in Spanish: the language is in the address and follows
the browser where the address has none, a link switches it on every page,
and no cookie holds it; what organizers and agencies wrote shows in Spanish
where they wrote it, else in English; the contact form, its errors and its
thanks are Spanish; the catalogue is complete and compiled; members' pages
stay English."""

import re
import shutil
import subprocess
from gettext import GNUTranslations
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from coordination.models import Coalition, Notification, PrivacyCheck, User
from members.models import AgencyRole, ContactLine
from public_site.models import GuideStep, Inquiry
from public_site.services import compose_inquiry
from reports.models import Activity

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"
PAGES = ("public_coalition", "public_guide", "public_directory", "public_contact", "public_guide_embed")


@pytest.fixture
def demo(db):
    call_command("seed_demo")


def url(name: str, language: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.parametrize(
    ("asks", "language"),
    [("es", "es"), ("es-MX,es;q=0.9,en;q=0.5", "es"), ("en-US,en;q=0.9", "en"), ("fr", "en"), ("", "en")],
)
def test_an_address_without_a_language_follows_the_browser_and_sets_no_cookie(demo, asks, language):
    client = Client(headers={"accept-language": asks} if asks else {})
    for path, name in (("/p/siskiyou/report/", "public_guide"), ("/p/siskiyou/contact/", "public_contact")):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == url(name, language, "siskiyou")
        assert "Accept-Language" in response.headers["Vary"]
        assert not response.cookies
    feed = client.get("/p/siskiyou/events.ics")  # a calendar program's address: one feed, in English
    assert feed.status_code == 200 and feed.headers["Content-Language"] == "en"
    front = client.get("/")  # two coalitions: their list, in the browser's language
    assert front.url == url("public_home", language) and "Accept-Language" in front.headers["Vary"]


@pytest.mark.parametrize("name", PAGES)
def test_each_public_page_is_in_spanish_and_links_to_itself_in_english(demo, name):
    page = Client().get(url(name, "es", "siskiyou"))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="es">' in html
    assert not page.cookies or name == "public_contact"
    if name != "public_guide_embed":  # the embed is framed by an agency's page of its own language
        english = url(name, "en", "siskiyou")
        assert re.search(rf'<a [^>]*href="{re.escape(english)}" hreflang="en" lang="en">English</a>', html)
        assert "Salida rápida" in html and "Navegar con seguridad" in html
        english_page = Client().get(english).content.decode()
        assert f'href="{url(name, "es", "siskiyou")}" hreflang="es" lang="es">Español</a>' in english_page


ENGLISH_WORDS = re.compile(r"\b(the|and|call|your|for|with|line|hours|help|send|message|report|who)\b", re.I)


@pytest.mark.parametrize("name", (*PAGES, "public_home"))
@pytest.mark.parametrize("slug", ["shasta", "siskiyou"])
def test_no_english_is_left_on_the_spanish_demo_pages(demo, name, slug):
    """Every sentence of the demo's Spanish pages is Spanish: the words
    below are English and in no Spanish sentence. Names (of the coalition,
    agencies, events), numbers and addresses are taken out first."""
    args = [] if name == "public_home" else [slug]
    html = Client().get(url(name, "es", *args)).content.decode()
    body = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html.split("<body", 1)[1], flags=re.S)
    text = re.sub(r"https?://\S+", " ", unescape(re.sub(r"<[^>]+>", "\n", body)))
    names = [c.name for c in Coalition.objects.all()] + list(
        AgencyRole.objects.values_list("agency__name", flat=True).distinct()
    )
    names += ["English", "Esc", "Roundtable"] + [c.counties for c in Coalition.objects.all()]
    names += [text for event in Activity.objects.all() for text in (event.title, event.place) if text]
    for proper in sorted(names, key=len, reverse=True):
        text = text.replace(proper, " ")
    leftover = [line.strip() for line in text.splitlines() if ENGLISH_WORDS.search(line)]
    assert leftover == []


def test_what_organizers_and_agencies_wrote_shows_in_spanish_else_in_english(demo):
    step = GuideStep.objects.get(coalition__slug="siskiyou", title="The person is or looks under 18")
    guide = Client().get(url("public_guide", "es", "siskiyou")).content.decode()
    assert "Si la persona es o parece menor de 18 años" in guide
    assert step.body_es in guide and step.body not in guide
    assert "Horario de oficina:" in guide and "Fuera del horario de oficina:" in guide
    assert 'href="tel:5308414200"' in guide and 'href="tel:5308427009"' in guide
    role = AgencyRole.objects.get(agency__name="Siskiyou County Sheriff's Office")
    assert role.description_es in guide
    directory = Client().get(url("public_directory", "es", "siskiyou")).content.decode()
    assert "Protección infantil" in directory and "Child welfare response" not in directory

    # Nothing written in Spanish: the English, not an empty line.
    AgencyRole.objects.filter(pk=role.pk).update(description_es="")
    GuideStep.objects.filter(pk=step.pk).update(title_es="", body_es="")
    ContactLine.objects.filter(role__agency__name="Siskiyou County Child Protective Services").update(label_es="")
    guide = Client().get(url("public_guide", "es", "siskiyou")).content.decode()
    assert '<span lang="en">If the person is or looks under 18</span>' in guide  # not "Si the person…"
    assert step.body in guide and role.description in guide
    assert "Business hours:" in guide and "After hours:" in guide


def test_the_contact_form_answers_in_spanish_and_the_message_keeps_its_language(demo):
    client = Client()
    address = url("public_contact", "es", "shasta")
    page = client.post(address, {"name": "", "email": "no es un correo", "message": ""})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Este campo es obligatorio." in html and "Introduzca una dirección de correo electrónico válida." in html
    assert not Inquiry.objects.exists()
    sent = client.post(address, {"name": "Ana", "email": "ana@example.net", "message": "Queremos una charla."})
    assert sent.status_code == 302 and sent.url == f"{address}?sent=1"
    assert "Gracias: su mensaje llegó a los organizadores" in client.get(sent.url).content.decode()
    assert Inquiry.objects.get().language == "es"
    assert set(sent.cookies) <= {"csrftoken"}
    # The organizers, in English, learn which language to answer in.
    notice = Notification.objects.filter(kind=Notification.Kind.INQUIRY).first()
    assert "Written from the Spanish pages: answer in Spanish if you can." in compose_inquiry(notice).body
    organizer = User.objects.get(email="organizer@example.org")
    client.force_login(organizer)
    page = client.get(reverse("inquiries", args=["shasta"])).content.decode()
    assert "written from the Spanish pages: answer in Spanish if you can" in page


def test_members_pages_stay_in_english_whatever_the_browser_asks(world):
    client = world.client_for(world.organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    page = client.get(reverse("member_list", args=[world.home.slug]))
    assert page.status_code == 200 and page.headers["Content-Language"] == "en"
    login = Client(headers={"accept-language": "es"}).get(reverse("login"))
    assert login.headers["Content-Language"] == "en" and "Log in" in login.content.decode()
    public = Client(headers={"accept-language": "en"}).get(url("public_guide", "es", world.home.slug))
    assert public.headers["Content-Language"] == "es"


def _msgids(po: Path) -> set[str]:
    """Every entry of a catalogue, translated or not (the obsolete aside)."""
    entries = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-location", "--no-obsolete", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(re.findall(r'^msgid "(.+)"$', entries, flags=re.M))


def test_the_spanish_catalogue_holds_every_string_translated_and_compiled(tmp_path):
    """make messages gathers the marked strings: here into a copy of the
    project's, which must then hold nothing the committed one lacks; every
    entry is translated, not fuzzy, and django.mo is what msgfmt makes of it."""
    for tool in ("xgettext", "msgfmt", "msgattrib"):
        assert shutil.which(tool), f"{tool} is missing: make test installs gettext (make system-packages)"
    po = CATALOGUE / "django.po"
    for selection in ("--untranslated", "--only-fuzzy"):
        found = subprocess.run(["msgattrib", selection, "--no-obsolete", str(po)], check=True, capture_output=True)
        assert b"msgid" not in found.stdout, f"{selection}: {found.stdout[:300]!r}"

    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "test-artifacts", "node_modules"))
    subprocess.run(
        ["make", "--no-print-directory", "-s", "messages", f"VENV={ROOT / '.venv'}"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    gathered, committed = _msgids(copy / "locale/es/LC_MESSAGES/django.po"), _msgids(po)
    assert gathered == committed, f"run make messages and translate: {sorted(gathered ^ committed)[:5]}"

    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = GNUTranslations(handle)
    with open(copy / "locale/es/LC_MESSAGES/django.mo", "rb") as handle:
        fresh = GNUTranslations(handle)
    assert compiled._catalog == fresh._catalog, "django.mo is older than django.po: run make messages"


def test_a_public_address_not_found_answers_in_the_public_frame_in_its_language(demo, world):
    page = Client().get("/es/p/no-such-coalition/report/")
    html = page.content.decode()
    assert page.status_code == 404 and '<html lang="es">' in html
    assert "No encontramos esa página" in html and "Salida rápida" in html and 'href="tel:+18883737888"' in html
    assert not page.cookies
    assert 'href="/en/p/no-such-coalition/report/" hreflang="en"' in html
    nowhere = Client().get("/es/p/shasta/no-such-page/").content.decode()  # no page of that name at all
    assert 'href="/en/p/shasta/no-such-page/" hreflang="en"' in nowhere and "No encontramos esa página" in nowhere
    staff = world.client_for(world.organizer).get("/c/no-such-coalition/")
    assert staff.status_code == 404 and "Go to your dashboard" in staff.content.decode()


@pytest.mark.parametrize(
    ("language", "warning", "box"),
    [
        ("en", "“530-555-0142” looks like a phone number.", "I checked: none of these are a victim"),
        ("es", "«530-555-0142» parece un número de teléfono.", "Lo revisé: nada de esto son datos de una víctima"),
    ],
)
def test_the_public_contact_form_warns_about_personal_details_in_its_language(demo, language, warning, box):
    """The privacy guard reads the public's messages too: nothing is sent until
    the writer removes the detail or says it is not a victim's."""
    client = Client()
    address = url("public_contact", language, "shasta")
    message = {"name": "A neighbour", "email": "n@example.net", "message": "The girl next door: 530-555-0142."}
    html = client.post(address, message).content.decode()
    assert warning in html and box in html
    assert not Inquiry.objects.exists()
    sent = client.post(address, {**message, "checked": "on", "checked_reason": "a test"})
    assert sent.status_code == 302 and Inquiry.objects.count() == 1
    check = PrivacyCheck.objects.get()
    assert (check.user, check.form, check.kinds, check.reason) == (None, "ContactForm", "phone", "a test")
    # a form without findings shows no box at all
    assert box not in client.get(address).content.decode()


def test_the_sites_forms_speak_djangos_spanish_whatever_library_is_installed():
    """An installed app's catalogue wins over Django's own (Django REST framework
    words "This field is required." otherwise): every string of Django's Spanish
    reads as Django words it, unless our catalogue says it."""
    import django

    with open(Path(django.__file__).parent / "conf/locale/es/LC_MESSAGES/django.mo", "rb") as handle:
        django_words = GNUTranslations(handle)._catalog
    with open(CATALOGUE / "django.mo", "rb") as handle:
        ours = GNUTranslations(handle)._catalog
    with translation.override("es"):
        active = translation.trans_real.translation("es")._catalog
        reworded = sorted(
            msgid
            for msgid, words in django_words.items()
            if isinstance(msgid, str) and msgid and msgid not in ours and active.get(msgid) != words
        )
    assert not reworded, f"add Django's wording to locale/django-wording/es (make messages compiles it): {reworded}"

"""The site's SMTP backend writes messages itself (`coordination.smtp`), twenty
times faster than Django's writing: what a mail program reads from them must
be what it reads from Django's, for every message, so both writings of
fuzzed messages are parsed and compared header by header and part by part."""

import email.policy
from email import message_from_bytes
from email.message import MIMEPart

import pytest
from django.core.mail import EmailMultiAlternatives, mailers
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from coordination.smtp import LONGEST_LINE, as_bytes

READ = ("Subject", "From", "To", "Cc", "Reply-To", "Message-ID", "List-Id", "Date")


def django_bytes(message) -> bytes:
    return message.message(policy=email.policy.SMTP).as_bytes()


def read(data: bytes) -> dict:
    """What a mail program shows of a message: its headers as read, and each
    part's type, parameters, disposition, file name and text."""
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare line feed"
    assert all(len(line) <= LONGEST_LINE for line in data.split(b"\r\n")), "a line longer than SMTP carries"
    head = data.partition(b"\r\n\r\n")[0]
    assert head.isascii(), "headers carry only ASCII (non-ASCII goes in encoded words)"
    message = message_from_bytes(data, policy=email.policy.default)
    parts = []
    for part in message.walk():
        assert not part.defects, part.defects
        if part.is_multipart():
            parts.append(part.get_content_type())
        else:
            parts.append(
                (
                    part.get_content_type(),
                    part.get_content_charset(),
                    part.get_param("method"),
                    part.get_content_disposition(),
                    part.get_filename(),
                    part.get_content(),
                )
            )
    return {"headers": {name: str(message[name]) for name in READ if message[name] is not None}, "parts": parts}


def same_reading(message) -> None:
    ours, theirs = as_bytes(message), django_bytes(message)
    mine, django = read(ours), read(theirs)
    # The Date is the time of writing: present in both, not compared.
    assert mine["headers"].pop("Date") and django["headers"].pop("Date")
    assert mine == django


def calendar_part(body: str) -> MIMEPart:
    part = MIMEPart()
    part.set_content(
        body, subtype="calendar", params={"method": "REQUEST"}, disposition="attachment", filename="meeting.ics"
    )
    return part


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
# Lines short and long (a long line of HTML is common), ASCII or not.
bodies = st.one_of(
    texts,
    st.lists(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=990, max_size=1300), min_size=1, max_size=3
    ).map("\n".join),
    st.text("abc <>=.\t\n", max_size=3000),
)
# Subjects as the site writes them (`build_message`: whitespace collapsed).
# Django writes one that reads as an encoded word ("=?utf-8?q?...?=") as it
# is, and the reader decodes it; this writing keeps it as typed (below).
subjects = (
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=200)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and "=?" not in s)
)
addresses = st.emails().filter(str.isascii)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=subjects, text=bodies, html=bodies, to=st.lists(addresses, min_size=1, max_size=6), calendar=st.booleans()
)
@example(
    subject="Your action items: 1 due soon", text="Hello,\n", html="<p>Hello</p>", to=["a@example.org"], calendar=False
)
@example(
    subject="Réunion de la coalición · 15 h", text="Año ü\r\nb\rc", html="é" * 2000, to=["a@example.org"], calendar=True
)
def test_a_message_reads_the_same_as_djangos_writing_of_it(subject, text, html, to, calendar):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email="Roundtable <noreply@example.org>",
        to=to,
        headers={"Message-ID": "<n1.abc@roundtable.example.org>", "List-Id": "Shasta coalition <shasta.example.org>"},
    )
    message.attach_alternative(html, "text/html")
    if calendar:
        message.attach(calendar_part("BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n"))
    try:
        django_bytes(message)
    except ValueError:
        assume(False)  # what Django refuses (a character it will not write) is not compared
    same_reading(message)


@given(subject=subjects, text=texts)
def test_a_plain_message_without_alternatives_reads_the_same(subject, text):
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=["a@example.org"], cc=["b@example.org"], headers={"Message-ID": "<1@x.org>"}
    )
    message.reply_to = ["Replies <c@example.org>"]
    same_reading(message)


def test_a_subject_that_looks_encoded_reads_as_typed():
    message = EmailMultiAlternatives(subject="=?utf-8?q?R=C3=A9union?= notes", body="x", to=["a@example.org"])
    assert read(as_bytes(message))["headers"]["Subject"] == "=?utf-8?q?R=C3=A9union?= notes"


@pytest.mark.parametrize(
    "header",
    [
        {"Subject": None},
        {"List-Id": "x\r\nBcc: victim@example.org"},
        {"X-Note": "a\nb"},
        {"Reply-To": "a@x.org\nBcc: y@x.org"},
    ],
)
def test_a_line_break_in_a_header_is_refused_not_written(header):
    """A header that could start another header of the sender's choosing."""
    subject = "Hello\r\nBcc: victim@example.org" if "Subject" in header else "Hello"
    extra = {name: value for name, value in header.items() if value is not None}
    message = EmailMultiAlternatives(subject=subject, body="x", to=["a@example.org"], headers=extra)
    with pytest.raises(ValueError):
        as_bytes(message)


def test_what_it_does_not_write_django_writes():
    """A non-ASCII address, another charset, a non-text alternative: Django's writing, byte for byte the same shape."""
    for message in (
        EmailMultiAlternatives(subject="x", body="y", to=["José <jose@example.org>"], headers={"Message-ID": "<1@x>"}),
        EmailMultiAlternatives(subject="x", body="y", to=["a@exämple.org"], headers={"Message-ID": "<1@x>"}),
    ):
        same_reading(message)
    latin = EmailMultiAlternatives(subject="x", body="é", to=["a@example.org"])
    latin.encoding = "iso-8859-1"
    assert read(as_bytes(latin))["parts"][0][1] == "iso-8859-1"
    pdf = EmailMultiAlternatives(subject="x", body="y", to=["a@example.org"])
    pdf.attach_alternative(b"%PDF-1.4", "application/pdf")
    assert read(as_bytes(pdf))["parts"][-1][0] == "application/pdf"


def test_messages_go_through_a_real_server_as_written(smtp_mailer):
    """Through a real SMTP server (aiosmtpd): what arrives is the message."""
    message = EmailMultiAlternatives(subject="Coalición: agenda", body="Line one\nLíne two", to=["a@example.org"])
    message.attach_alternative("<p>Líne</p>", "text/html")
    message.attach(calendar_part("BEGIN:VCALENDAR\nEND:VCALENDAR\n"))
    assert mailers["default"].send_messages([message]) == 1
    (received,) = smtp_mailer.messages
    assert received["Subject"] == "Coalición: agenda"
    body = received.get_body(("plain",))
    assert body.get_content().splitlines() == ["Line one", "Líne two"]
    assert [part.get_content_type() for part in received.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]


def test_headers_it_cannot_fold_or_does_not_write_go_to_django_and_stay_within_smtps_lines():
    from datetime import UTC, datetime

    long_word = EmailMultiAlternatives(subject="Agenda " + "x" * 1100, body="y", to=["a@example.org"])
    assert read(as_bytes(long_word))["headers"]["Subject"] == "Agenda " + "x" * 1100  # read() checks the lines
    dated = EmailMultiAlternatives(subject="x", body="y", to=["a@example.org"])
    dated.extra_headers["Date"] = datetime(2027, 1, 12, 16, 5, tzinfo=UTC)
    assert read(as_bytes(dated))["headers"]["Date"] == "Tue, 12 Jan 2027 16:05:00 +0000"

"""The privacy guard's detector: what in a text may identify a victim.

Roundtable holds no victim-identifying details (PRODUCT.md). Every free text
that comes in is read for them, and each finding is shown to the writer, who
removes it or says why it is not personal data. It cannot be sure: it looks
for the kinds below, by well-kept libraries where one fits (`phonenumbers`
for phone numbers in any format, `usaddress` to confirm a street address) and
by patterns with their context elsewhere. A name alone is never a finding:
coalition text is full of chairs and officers. A first name is one next to a
victim's context (an age, a school, "victim", "minor", a hotel room).

Numbers and addresses the coalition publishes (agencies' lines, the national
hotline) are never findings: apps register where those are with
`register_public_source`. `tests/privacy/corpus.json` and `manage.py
privacy_corpus` measure it."""

import bisect
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
import usaddress
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# (the public contact form warns in the visitor's language)
KINDS = {
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
    "address": _("a street address"),
    "dob": _("a date of birth or age"),
    "ssn": _("a Social Security number"),
    "id": _("an ID number"),
    "plate": _("a licence plate"),
    "handle": _("a social media handle"),
    "name": _("a name in a victim's context"),
}

# Always public, whatever a deployment registers: the national trafficking
# hotline, 988, and the emergency numbers.
ALWAYS_PUBLIC = {"8883737888", "988", "911", "233733"}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    line: int = 1

    @property
    def what(self) -> str:
        return str(KINDS[self.kind])

    def __str__(self) -> str:
        return gettext("Line %(line)s: “%(text)s” looks like %(what)s.") % {
            "line": self.line,
            "text": self.text,
            "what": self.what,
        }


# --- What the coalition publishes -----------------------------------------------

_sources: list[Callable[[], Iterable[str]]] = []
_public: tuple[float | None, frozenset[str]] = (None, frozenset())
PUBLIC_SECONDS = 300  # how long the published numbers are kept before being read again


def register_public_source(source: Callable[[], Iterable[str]]) -> None:
    """An app names what it publishes (phone numbers, e-mail addresses)."""
    if source not in _sources:
        _sources.append(source)


# How a street line is written varies: "100 North Main Street" is "100 N Main St".
_STREET_WORDS = {
    "north": "n", "south": "s", "east": "e", "west": "w",
    "street": "st", "avenue": "ave", "road": "rd", "boulevard": "blvd", "lane": "ln", "drive": "dr",
    "court": "ct", "place": "pl", "highway": "hwy", "circle": "cir", "parkway": "pkwy",
}  # fmt: skip


def normalized(value: str) -> str:
    """A phone number as its last ten digits, an e-mail address in lower
    case, a street address as its whole street line, abbreviated the usual
    way and without a suite ("100 n main st"): an agency at 100 N Main Street
    hides no one's 100 N Elm Street."""
    if "@" in value:
        return value.strip().lower()
    if re.match(r"\s*\d{1,6}\s+[A-Za-z]", value):
        street = STREET.search(value)
        line = street.group(0) if street else value
        line = re.split(r",|\b(?:Apt|Apartment|Unit|Suite|Ste)\b|#", line, maxsplit=1, flags=re.IGNORECASE)[0]
        words = re.findall(r"[a-z0-9]+", line.lower())
        return "street " + " ".join(_STREET_WORDS.get(word, word) for word in words)
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 10 else digits


def public_contacts() -> frozenset[str]:
    global _public
    read_at, values = _public
    if read_at is None or time.monotonic() - read_at > PUBLIC_SECONDS:
        # kept with the always-public ones: a scan of the archive asks for it once a text
        values = frozenset(normalized(v) for source in _sources for v in source() if v) | ALWAYS_PUBLIC
        _public = (time.monotonic(), values)
    return values


def forget_public_contacts() -> None:
    """Read the published numbers again on the next check (tests, after an import)."""
    global _public
    _public = (None, frozenset())


# --- The patterns -------------------------------------------------------------------

IGNORE = re.IGNORECASE
NAME = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü]{2,15}"
# Capitalised words that start sentences or name organisations, never a victim's first name.
NOT_NAMES = set(
    [
        "Quorum",
        "Attendance",
        "Attendees",
        "Turnout",
        "Registration",
        "Voting",
        "Membership",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "She",
        "He",
        "They",
        "We",
        "You",
        "Our",
        "Their",
        "His",
        "Her",
        "Its",
        "Officer",
        "Deputy",
        "Sergeant",
        "Detective",
        "Agent",
        "Chair",
        "Co",
        "Lead",
        "Member",
        "Members",
        "Staff",
        "Advocate",
        "Advocates",
        "Services",
        "Service",
        "Center",
        "Centre",
        "Program",
        "Programs",
        "Coalition",
        "Unit",
        "Task",
        "Force",
        "Court",
        "Protective",
        "Welfare",
        "Bureau",
        "Office",
        "Division",
        "Team",
        "Response",
        "Outreach",
        "County",
        "City",
        "State",
        "Department",
        "Police",
        "Sheriff",
        "District",
        "Attorney",
        "Hospital",
        "School",
        "High",
        "Middle",
        "Elementary",
        "Youth",
        "Child",
        "Children",
        "Family",
        "Families",
        "Victim",
        "Victims",
        "Survivor",
        "Survivors",
        "Minor",
        "Minors",
        "Juvenile",
        "Girl",
        "Girls",
        "Boy",
        "Boys",
        "Client",
        "Clients",
        "Teen",
        "Teens",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Room",
        "Motel",
        "Hotel",
        "Inn",
        "Street",
        "Avenue",
        "Road",
        "Item",
        "Items",
        "Action",
        "Agenda",
        "Minutes",
        "Meeting",
        "Training",
        "Report",
        "Update",
        "Budget",
        "Grant",
        "Community",
        "Health",
        "Crisis",
        "Shelter",
        "Safe",
        "Safety",
        "Resource",
        "Resources",
        "Redding",
        "Shasta",
        "Siskiyou",
        "Yreka",
        "Anderson",
        "California",
        "Northern",
        "Southern",
        "Coordinated",
        "Human",
        "Trafficking",
        "None",
        "All",
        "Each",
        "Every",
        "Some",
        "Any",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
        "Age",
        "Ages",
        "Case",
        "Cases",
        "About",
        "After",
        "Before",
        "When",
        "Where",
        "What",
        "Which",
        "Who",
        "Why",
        "How",
        "And",
        "But",
        "For",
        "Not",
        "Also",
        "Next",
        "Last",
        "First",
        "New",
        "Old",
        "Discussed",
        "Reviewed",
        "Approved",
        "Leadership",
        "Council",
        "Network",
        "Alliance",
        "Committee",
        "Group",
        "Fund",
        "Awareness",
        "Month",
        "Day",
        "Week",
        "Panel",
        "Speakers",
        "Voices",
    ]
)
PERSON_NOUNS = (
    r"(?:victim|survivor|minor|girl|boy|juvenile|youth|client|child|teen(?:ager)?|female|male|daughter|son|"
    r"student|runaway|young woman|young man|woman|man|víctima|menor|niña|niño|chica|chico|joven|sobrina|sobrino|"
    r"hija|hijo)s?\b"
)
AGE = r"(?:\d{1,2}[- ]?(?:years?|yrs?)[- ]old|\d{1,2}[- ]?y/?o\b)"

PATTERNS: list[tuple[str, re.Pattern, int]] = [
    # (kind, pattern, the group that is the finding: 0 the whole match)
    (
        "ssn",
        re.compile(
            r"\b\d{3}-\d{2}-\d{4}\b"
            r"|\b(?:SSN|social security(?: number| no\.?)?)\s{0,3}[:#]?\s{0,3}(\d{3}[- ]?\d{2}[- ]?\d{4}|\d{4})\b",
            IGNORE,
        ),
        0,
    ),
    (
        "id",
        re.compile(
            r"\b(?:DL|CDL|driver'?s licen[cs]e|licen[cs]e (?:no\.?|number)|case|booking|CII|DOJ|inmate|A-?number|"
            r"alien (?:no\.?|number)|passport|client ID|ID|student ID|CDCR|FBI|docket|warrant|incident|report)"
            r"\s{0,3}(?:no\.?|number|num|#)?\s{0,3}[:#]?\s{0,3}((?=[A-Z0-9-]{0,20}\d{4})(?!(?:19|20)\d\d(?:-\d\d(?:\d\d)?)?(?![A-Z0-9-]))[A-Z]{0,3}-?[0-9][A-Z0-9-]{4,16})\b",
            IGNORE,
        ),
        1,
    ),
    (
        "plate",
        re.compile(
            r"\b(?:licen[cs]e plate|plate|plates|tag)\s{0,3}(?:no\.?|number|#)?\s{0,3}[:#]?\s{0,3}"
            r"((?=[A-Z0-9 -]{0,8}\d)[A-Z0-9]{2,4}[ -]?[A-Z0-9]{2,4})\b"
            r"|\b(\d[A-Z]{3}\d{3})\b",
            IGNORE,
        ),
        -1,
    ),
    (
        "email",
        re.compile(
            r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
            r"|(?<![\w.+-])[\w.+-]{2,64}\s{0,3}(?:\(at\)|\[at\]|\{at\}|\sat\s)\s{0,3}[\w-]+\s{0,3}(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s|\.)\s{0,3}"
            r"(?-i:com|org|net|edu|gov|us|io|co|me)\b",
            IGNORE,
        ),
        0,
    ),
    (
        "dob",
        re.compile(
            r"\b(?:DOB|D\.O\.B\.?|born(?:\s{1,3}on)?|date of birth|birth ?date|b\.)\s{0,3}(?:[:\-]|is\b|was\b)?\s{0,3}"
            r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s{1,3}\d{1,2},?\s{1,3}\d{4}|\d{4}-\d{2}-\d{2}|in\s{1,3}(?:19|20)\d{2})"
            rf"|\b{AGE}(?=[\s,-]{{1,3}}(?:{PERSON_NOUNS}|(?-i:[A-Z][a-z]+)))"
            rf"|\b(?:age|aged)\s{{1,3}}\d{{1,2}}\b(?=[^.]{{0,40}}\b{PERSON_NOUNS})"
            rf"|\b{PERSON_NOUNS},?\s{{1,3}}(?:age\s{{1,3}}|aged\s{{1,3}})?(\d{{1,2}})(?=[,)])",
            IGNORE,
        ),
        -1,
    ),
    (
        "handle",
        re.compile(
            r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])\b(?!\.\w)"
            # after a platform: a handle with a digit, _ or . in it; a plain word only after "handle", "username"...
            r"|\b(?:IG|insta(?:gram)?|snap(?:chat)?|tiktok|twitter|facebook|FB|kik|telegram|whatsapp|discord)"
            r"(?:\s{0,3}(?::|\bis\b|-)\s{0,3}@?((?=[A-Za-z0-9_.]{0,60}[A-Za-z])[A-Za-z0-9_.]{0,30}[0-9_.][A-Za-z0-9_.]{0,30}[A-Za-z0-9_])"
            r"|\s{1,3}(?:handle|username|user ?name|account name)"
            r"\s{0,3}(?::|\bis\b|-)?\s{0,3}@?([A-Za-z0-9_.]{3,30}))\b",
            IGNORE,
        ),
        -1,
    ),
    (
        "name",
        re.compile(
            # "Jane, 15," / "Jane (15)" / "Jane, age 15"
            rf"\b({NAME})(?:\s{{1,3}}[A-Z]\.)?(?:,\s{{0,3}}(?:age\s{{1,3}})?\d{{1,2}}(?=[,;)\s])|\s{{0,3}}\(\s{{0,3}}(?:age\s{{1,3}})?\d{{1,2}}\s{{0,3}}\))"
            # "victim Maria", "a minor named Ana", "survivor, Rosa"
            rf"|(?i:\b{PERSON_NOUNS})(?:\s{{1,3}}(?:named|called|known as|identified as))?,?\s{{1,3}}"
            # (not an organisation's name: "Victim Witness Program", "Youth Advisory Board")
            rf"({NAME})\b(?!\s{{1,3}}[A-Z][a-z])"
            # "Maria is 15" / "Maria, a sophomore at" / "Maria from Shasta High"
            rf"|\b({NAME}),?\s{{1,3}}(?:is|was)\s{{1,3}}(?:{AGE}|\d{{1,2}}\b(?!\s{{0,3}}(?:%|percent|dollars|people|members|agencies|participants|attendees|minutes|hours|days|weeks|months|years)))"
            rf"|\b({NAME}),?\s{{1,3}}(?:a|an|the)?\s{{0,3}}"
            r"(?:\d{1,2}(?:st|nd|rd|th)[- ]grader|freshman|sophomore|junior|senior|student)"
            r"\s{1,3}(?:at|from|of)\s{1,3}[A-Z]"
            rf"|\b({NAME})\s{{1,3}}(?:from|attends|goes to)\s{{1,3}}"
            r"[A-Z][a-z]+\s{1,3}(?:High|Middle|Elementary|Junior High|Academy)\b"
            # "Maria in room 214" / "Rosa at the Motel 6, room 12"
            rf"|\b({NAME})\s{{1,3}}(?:in|stayed in|staying in)\s{{1,3}}"
            r"(?:room|rm\.?|unit)\s{0,3}#?\d{1,4}\s{1,3}(?:at|of)\s{1,3}"
            r"(?:the\s{1,3})?[A-Z]"
            rf"|\b({NAME})\s{{1,3}}(?:at|in|from)\s{{1,3}}(?:the\s{{1,3}})?(?:[A-Z0-9][\w']*\s{{1,3}}){{0,3}}"
            r"(?:Motel|Hotel|Inn|Lodge|Suites)\b[^.,]{0,20},?\s{0,3}(?:room|rm\.?|unit)\s{0,3}#?\d{1,4}\b",
        ),
        -1,
    ),
]

# A house number and one to four capitalised words ending in a street type: a
# candidate usaddress then confirms (it tags the number, the name and the type).
STREET = re.compile(
    r"\b\d{1,6}(?:\s{1,3}[NSEW]\.?)?\s{1,3}(?:[A-Z0-9][\w'.-]*\s{1,3}){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Highway|Hwy|Circle|Cir|"
    r"Parkway|Pkwy|Terrace|Trail|Loop|Route)\b\.?(?:,?\s{1,3}(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s{0,3}#?\w+)?"
    r"|\b(?:P\.?\s?O\.?\s{1,3}Box|PO Box)\s{1,3}\d+\b",
    IGNORE,
)


def _group(match: re.Match, group: int) -> tuple[int, int]:
    if group == 0:
        return match.span()
    if group > 0:
        return match.span(group)
    for index in range(1, (match.re.groups or 0) + 1):
        if match.group(index):
            return match.span(index)
    return match.span()


def _is_street(text: str) -> bool:
    if re.match(r"(?i)P\.?\s?O\.?\s+Box|PO Box", text):
        return True
    try:
        tagged, _ = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return True  # an address the parser reads twice is still an address
    return "AddressNumber" in tagged and ("StreetName" in tagged or "StreetNamePostType" in tagged)


def scan(text: str, public: frozenset[str] | None = None) -> list[Finding]:
    """Every finding in the text, in order, none overlapping another."""
    if not text:
        return []
    public = public_contacts() if public is None else public | ALWAYS_PUBLIC
    taken: list[Finding] = []
    # the spans found so far, sorted and never overlapping: a new one is
    # checked against its two neighbours only (linear in the findings)
    spans: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        found = text[start:end].strip()
        at = bisect.bisect_left(spans, (start, end))
        if not found or (at and spans[at - 1][1] > start) or (at < len(spans) and spans[at][0] < end):
            return
        spans.insert(at, (start, end))
        taken.append(Finding(kind, start, end, found))

    for kind, pattern, group in PATTERNS:
        for match in pattern.finditer(text):
            start, end = _group(match, group)
            value = text[start:end]
            if kind == "name" and value in NOT_NAMES:
                continue
            if kind == "email" and normalized(value) in public:
                continue
            add(kind, start, end)
    for match in STREET.finditer(text):
        if normalized(match.group(0)) not in public and _is_street(match.group(0)):
            add("address", *match.span())
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
        if normalized(match.raw_string) not in public:
            add("phone", match.start, match.end)
    taken.sort(key=lambda f: f.start)
    lines = [0, *(m.end() for m in re.finditer("\n", text))]
    return [_on_line(f, lines) for f in taken]


def _on_line(finding: Finding, line_starts: list[int]) -> Finding:
    line = bisect.bisect_right(line_starts, finding.start)
    return Finding(finding.kind, finding.start, finding.end, finding.text, line)


# --- Measured on a labelled corpus -------------------------------------------------


@dataclass
class Measure:
    """How the detector does on labelled snippets: per kind, the details found
    of those there; the clean snippets it warned on; its speed."""

    found: dict[str, int]
    expected: dict[str, int]
    clean: int
    false_alarms: int
    ms_per_kb: float
    missed: list[tuple[str, str]]
    alarms: list[tuple[str, str]]

    def recall(self, kind: str | None = None) -> float:
        if kind:
            return self.found.get(kind, 0) / self.expected[kind]
        return sum(self.found.values()) / sum(self.expected.values())

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0


def measure(snippets: list[dict], public: Iterable[str] = ()) -> Measure:
    """snippets: {"text": ..., "details": [{"kind": ..., "text": ...}]}. A
    detail is found when a finding of its kind overlaps it."""
    allowed = frozenset(normalized(p) for p in public)
    found: dict[str, int] = {}
    expected: dict[str, int] = {}
    missed, alarms = [], []
    clean = false_alarms = 0
    size = 0
    started = time.perf_counter()
    results = [scan(s["text"], allowed) for s in snippets]
    elapsed = time.perf_counter() - started
    for snippet, result in zip(snippets, results, strict=True):
        text = snippet["text"]
        size += len(text.encode())
        if not snippet["details"]:
            clean += 1
            if result:
                false_alarms += 1
                alarms.append((text, "; ".join(f"{f.kind}: {f.text}" for f in result)))
            continue
        for detail in snippet["details"]:
            kind = detail["kind"]
            expected[kind] = expected.get(kind, 0) + 1
            start = text.find(detail["text"])
            end = start + len(detail["text"])
            if any(f.kind == kind and f.start < end and start < f.end for f in result):
                found[kind] = found.get(kind, 0) + 1
            else:
                missed.append((kind, text))
    return Measure(found, expected, clean, false_alarms, elapsed * 1000 / (size / 1024), missed, alarms)

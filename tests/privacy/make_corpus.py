"""Writes corpus.json: the labelled snippets the privacy guard is measured on
(`manage.py privacy_corpus`). Fictitious people, 555-01xx numbers and
example.org addresses only. Run it again after changing the templates; the
seed keeps the file the same for the same templates.

    .venv/bin/python tests/privacy/make_corpus.py
"""

import json
import random
from pathlib import Path

FIRST = [
    "Maria",
    "Ana",
    "Lucy",
    "Rosa",
    "Jasmine",
    "Kayla",
    "Tina",
    "Brianna",
    "Destiny",
    "Carla",
    "Jenny",
    "Alexis",
    "Marcus",
    "Devon",
    "Luis",
    "Tyler",
    "Isabel",
    "Sofia",
    "Nadia",
    "Emily",
]
LAST = ["Alvarez", "Brooks", "Chen", "Dawson", "Ellis", "Flores", "Garcia", "Hughes", "Ibarra", "Jensen"]
SCHOOLS = ["Enterprise High", "Shasta High", "Foothill High", "Sequoia Middle", "Yreka High", "Anderson High"]
STREETS = [
    "Oak Street",
    "Pine Ave",
    "Hilltop Dr",
    "Eureka Way",
    "Cypress Avenue",
    "Placer Rd",
    "Lake Blvd",
    "Churn Creek Road",
    "Market St",
    "Shasta View Drive",
]
MOTELS = ["the Motel 6", "the Thunderbird Lodge", "the Budget Inn", "the Red Lion", "the Americas Best Value Inn"]

PUBLIC = [
    "(530) 841-4200",
    "(530) 842-7009",
    "(530) 245-6540",
    "1-888-373-7888",
    "(530) 225-5111",
    "1100 Court Street, Redding",  # an agency's published address
]


def phone(r):
    n = f"{r.randint(0, 99):02d}"
    area = r.choice(["530", "916", "707", "541"])
    return r.choice(
        [
            f"({area}) 555-01{n}",
            f"{area}-555-01{n}",
            f"{area}.555.01{n}",
            f"{area}55501{n}",
            f"+1 {area} 555 01{n}",
            f"1-{area}-555-01{n}",
            f"{area} 555 01{n}",
        ]
    )


def dirty(r):
    """(text, [(kind, detail)]) with one or two details."""
    f, last, school = r.choice(FIRST), r.choice(LAST), r.choice(SCHOOLS)
    age = r.randint(12, 17)
    year = 2026 - age
    month = r.choice(["January", "March", "April", "June", "August", "October", "December"])
    p = phone(r)
    email = r.choice(
        [
            f"{f.lower()}.{last.lower()}@example.org",
            f"{f.lower()}{age}@example.org",
            f"{f.lower()}_{last.lower()[0]}{r.randint(1, 99)}@example.com",
        ]
    )
    obfuscated = r.choice(
        [
            f"{f.lower()}{age} at example dot org",
            f"{f.lower()}.{last.lower()} [at] example [dot] com",
            f"{f.lower()}{r.randint(1, 9)} (at) example (dot) net",
        ]
    )
    street = f"{r.randint(10, 9999)} {r.choice(['', 'N. ', 'W. '])}{r.choice(STREETS)}".replace("  ", " ")
    if r.random() < 0.3:
        street += f", Apt {r.randint(1, 40)}"
    ssn = f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"
    dl = f"{r.choice('ABDFY')}{r.randint(1000000, 9999999)}"
    case = r.choice(
        [f"2024-{r.randint(100000, 999999)}", f"24-{r.randint(10000, 99999)}", f"CR{r.randint(100000, 999999)}"]
    )
    plate = f"{r.randint(4, 9)}{''.join(r.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(3))}{r.randint(100, 999)}"
    handle = r.choice([f"@{f.lower()}_{age}", f"@{f.lower()}.{last.lower()}", f"@lil{f.lower()}{r.randint(1, 99)}"])
    room = r.randint(100, 350)
    cii = f"{r.choice('AB')}{r.randint(10000000, 99999999)}"
    motel = r.choice(MOTELS)
    dob = r.choice(
        [
            f"{r.randint(1, 12):02d}/{r.randint(1, 28):02d}/{year}",
            f"{month} {r.randint(1, 28)}, {year}",
            f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        ]
    )
    templates = [
        (f"Advocate reported the girl's phone is {p}; she answers after 6 pm.", [("phone", p)]),
        (f"Follow up by text with {p} about the shelter bed.", [("phone", p)]),
        (f"Her mother can be reached at {p} or {email}.", [("phone", p), ("email", email)]),
        (f"Send the referral to {email} before Friday.", [("email", email)]),
        (f"The youth wrote from {obfuscated} asking for help.", [("email", obfuscated)]),
        (f"She is staying with an aunt at {street} in Redding.", [("address", street)]),
        (f"Outreach team found the apartment at {street}; two adults present.", [("address", street)]),
        (f"Minor identified, DOB {dob}, placed with CPS.", [("dob", dob)]),
        (f"The survivor was born on {dob} and is now in care.", [("dob", dob)]),
        (f"Date of birth: {dob}. Referred to the CAC.", [("dob", dob)]),
        (f"A {age}-year-old girl was recovered at {motel}.", [("dob", f"{age}-year-old")]),
        (f"SSN {ssn} was found on the intake form and must be removed.", [("ssn", ssn)]),
        (
            f"Her social security number {ssn.replace('-', '')} was shared with the landlord.",
            [("ssn", ssn.replace("-", ""))],
        ),
        (f"DL {dl} belongs to the suspected buyer.", [("id", dl)]),
        (f"Case #{case} is with the DA for filing.", [("id", case)]),
        (f"Booking number {case} was released on bail.", [("id", case)]),
        (f"CII {cii} came back with prior arrests.", [("id", cii)]),
        (f"A white sedan with plate {plate} was seen at the truck stop.", [("plate", plate)]),
        (f"Deputies ran license plate {plate}; registered out of county.", [("plate", plate)]),
        (f"Her Instagram is {handle}; the buyer contacted her there.", [("handle", handle)]),
        (
            f"Snapchat: {f.lower()}_{last.lower()}{age} was used to arrange the dates.",
            [("handle", f"{f.lower()}_{last.lower()}{age}")],
        ),
        (f"{f}, {age}, disclosed to her counselor on Monday.", [("name", f)]),
        (f"{f} ({age}) was placed in a resource family home.", [("name", f)]),
        (f"The victim, {f}, asked not to be contacted by law enforcement.", [("name", f)]),
        (f"A minor named {f} ran away from the group home again.", [("name", f)]),
        (f"{f} is {age} and attends school irregularly.", [("name", f)]),
        (f"{f}, a sophomore at {school}, was approached by a recruiter.", [("name", f)]),
        (f"{f} from {school} has been missing since Tuesday.", [("name", f)]),
        (f"{f} in room {room} at {motel} asked the clerk for help.", [("name", f)]),
        (f"Survivor {f} {last[0]}. has court on the 14th; advocate will attend.", [("name", f)]),
        (f"{f}, {age}, DOB {dob}, phone {p}.", [("name", f), ("dob", dob), ("phone", p)]),
        (f"Contact {f}'s foster mother at {street}, phone {p}.", [("address", street), ("phone", p)]),
    ]
    return r.choice(templates)


def clean(r):
    n = r.randint(2, 95)
    month = r.choice(["January", "February", "March", "May", "July", "September", "November"])
    officer = r.choice(
        [
            "Sheriff Michael Johnson",
            "Chair Dana Whitfield",
            "Detective Lee",
            "Lieutenant Ortiz",
            "Deputy District Attorney Reyes",
            "Dr. Patel",
            "Principal Hughes",
            "Captain Ruiz",
        ]
    )
    public = r.choice(PUBLIC)
    templates = [
        f"{officer} presented the quarterly numbers: {n} referrals, up from {n - 1}.",
        f"Penal Code 236.1 covers human trafficking; the DA charged {n} cases under it in {r.randint(2014, 2025)}.",
        f"SB {r.randint(1000, 1500)} and AB {r.randint(1000, 2999)} take effect January 1, {r.randint(2025, 2027)}.",
        f"The next meeting is {month} {r.randint(1, 28)}, 2026, 12:00–1:30 pm at the County Library.",
        f"Budget: ${r.randint(1, 90)},{r.randint(100, 999)} for hotel outreach cards and {n} training kits.",
        f"{n} hotel staff were trained on the indicators in {month}.",
        "Call the National Human Trafficking Hotline at 1-888-373-7888 or text 233733.",
        f"CPS takes reports at {public}, around the clock.",
        f"The Sheriff's Office line {public} is on the new wallet cards.",
        f"{officer} will chair the prevention committee through June {r.randint(2026, 2028)}.",
        f"Action: Redding Police to share the referral protocol by {month} {r.randint(1, 28)}.",
        f"Approved the minutes of {month} {r.randint(1, 28)}, 2026, with one correction to item {r.randint(2, 9)}.",
        f"The grant covers {r.randint(10, 60)}% of the advocate's salary "
        f"for FY {r.randint(2025, 2027)}-{r.randint(26, 28)}.",
        f"Youth ages 12–17 are the focus of the school curriculum; {n} classrooms in the county.",
        f"Round table: agencies shared updates; the hospital added {n} trained nurses.",
        "Case review was held in closed session; no notes kept.",
        "Meeting room B at 1:30; call in on the video link.",
        f"{officer} thanked {r.choice(['Ana Lim', 'Marcus Reyes', 'Grace Okafor', 'Tom Becker'])} for the training.",
        f"The task force made {n} arrests and recovered {r.randint(1, 9)} minors in {r.randint(2020, 2025)}.",
        f"Item {r.randint(1, 9)}: the MOU review is due {month} {r.randint(2026, 2027)}.",
        f"Room 214 of the library is booked for the training on {month} {r.randint(1, 28)}.",
        f"{n} percent of calls came after hours; the after-hours line will be staffed by two advocates.",
        f"Decision: extend the hotel outreach to motels along I-5 (exits {r.randint(600, 680)}–{r.randint(681, 790)}).",
        f"Version 2.{r.randint(0, 9)} of the protocol replaces the {r.randint(2019, 2024)} edition.",
        f"The coalition met {r.randint(8, 12)} times this year with an average of {n} people.",
        f"Q{r.randint(1, 4)} report: {n} trainings, {r.randint(100, 999)} people reached, "
        f"{r.randint(1, 20)} new members.",
    ]
    return r.choice(templates)


# Written by hand, not from the templates above: other wordings of the same
# kinds, and coalition text that looks like them. (kind, detail) as above.
HANDWRITTEN = [
    ("Kid's cell is 530 555 0177, mom does not know about it.", [("phone", "530 555 0177")]),
    ("Texted her at five three zero 555-0123.", [("phone", "555-0123")]),
    ("Her snap is sweetpea and her IG handle is jessrose.", [("handle", "jessrose")]),
    ("Reach the girl through her cousin: 707-555-0164 ext 2.", [("phone", "707-555-0164")]),
    ("Email her aunt, jdawson1979@example.com, not the school.", [("email", "jdawson1979@example.com")]),
    ("her gmail is kayla.b at example dot com", [("email", "kayla.b at example dot com")]),
    ("Lives off 4410 Churn Creek Rd #12 with the boyfriend.", [("address", "4410 Churn Creek Rd #12")]),
    ("Picked up at 918 Market Street near the bus station.", [("address", "918 Market Street")]),
    ("Mail goes to PO Box 4471, Anderson.", [("address", "PO Box 4471")]),
    ("D.O.B. 7/4/10, placed out of county.", [("dob", "7/4/10")]),
    ("She was born in 2011 and has a baby.", [("dob", "in 2011")]),
    ("The 14 yo female was found at the rest stop.", [("dob", "14 yo")]),
    ("Last four of her SSN: 6789, given to the buyer.", [("ssn", "6789")]),
    ("Driver's license B7734521 was left in the room.", [("id", "B7734521")]),
    ("Incident #26-004512 has the full narrative; do not copy it here.", [("id", "26-004512")]),
    ("Report number 2025-117743 from RPD.", [("id", "2025-117743")]),
    ("Plates 5TRK882 on a grey truck.", [("plate", "5TRK882")]),
    ("Gold Camry, 8BDK214, seen twice at the truck stop.", [("plate", "8BDK214")]),
    ("The recruiter messaged her on TikTok: @lilmama_209.", [("handle", "@lilmama_209")]),
    ("IG handle is rosie.rose2010", [("handle", "rosie.rose2010")]),
    ("Jasmine, age 15, is back at the group home.", [("name", "Jasmine")]),
    ("Survivor Brianna will speak at the training if she is ready.", [("name", "Brianna")]),
    ("The minor, Destiny, has a CASA now.", [("name", "Destiny")]),
    ("Kayla was 16 when she was first sold.", [("name", "Kayla")]),
    ("Alexis, a junior at Foothill High, disclosed to a teacher.", [("name", "Alexis")]),
    ("Luis from Anderson High was recruited through a game chat.", [("name", "Luis")]),
    ("Nadia stayed in room 118 at the Budget Inn for two weeks.", [("name", "Nadia")]),
    ("The detective will meet with victim Sofia on Thursday.", [("name", "Sofia")]),
    ("Emily (14) and her sister were recovered together.", [("name", "Emily")]),
    ("The Youth Services Bureau will host the training.", []),
    ("Victim Services will present the new protocol.", []),
    ("Survivor Leadership Council meets on the first Monday.", []),
    ("Ages 12 to 17: 40 students reached at Shasta High.", []),
    ("Officer Brooks from RPD presented the case numbers for 2025: 14.", []),
    ("Meeting at 1100 hours in the EOC.", []),
    ("Dial 911 in an emergency, 988 in a crisis.", []),
    ("The hotline, 1 (888) 373-7888, answers in 200 languages.", []),
    ("CPS after-hours: (530) 842-7009.", []),
    ("Grant #2025-VT-BX-0012 funds the coordinator.", []),
    ("Resolution 2026-14 adopted unanimously.", []),
    ("The budget line 4410 covers mileage.", []),
    ("Training on March 14, 2026 at 9:00 am; 35 seats.", []),
    ("Minutes approved 9-0; Rosa Delgado abstained.", []),
    ("Presentation by Maria Chen, Shasta Hospitality Association.", []),
    ("The 2024 report counted 31 victims, 12 of them minors.", []),
    ("Room 2 of the Civic Center holds 40 people.", []),
    ("Share the flyer on Instagram and Facebook this week.", []),
    ("Follow the coalition on Instagram: post the hotline number weekly.", []),
    ("Exit 677 truck stop outreach: 6 volunteers, 2 hours.", []),
    ("Detective Lee's case load is 14 open cases.", []),
    ("Highway 299 and Interstate 5 corridors are the focus.", []),
    ("Report 2025 is due; the incident response plan is updated.", []),
    ("The FY 2024-25 report was adopted; case 2026 goals next.", []),
    ("We meet at 1100 Court Street, Redding, in Conference Room B.", []),
]


def main() -> None:
    r = random.Random(2026)  # noqa: S311 - a fixed corpus, not a secret
    snippets = []
    seen = set()
    for text, details in HANDWRITTEN:
        seen.add(text)
        snippets.append({"text": text, "details": [{"kind": k, "text": t} for k, t in details]})
    while len(snippets) < 220 + len(HANDWRITTEN) // 2:
        text, details = dirty(r)
        if text not in seen:
            seen.add(text)
            snippets.append({"text": text, "details": [{"kind": k, "text": t} for k, t in details]})
    while len(snippets) < 440 + len(HANDWRITTEN):
        text = clean(r)
        if text not in seen:
            seen.add(text)
            snippets.append({"text": text, "details": []})
    out = Path(__file__).with_name("corpus.json")
    corpus = {
        "about": "Written by make_corpus.py: fictitious people, 555-01xx numbers, example.org addresses.",
        "public": PUBLIC,
        "snippets": snippets,
    }
    out.write_text(json.dumps(corpus, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(snippets)} snippets written to {out}")


if __name__ == "__main__":
    main()

"""Looks for what may identify a person in text meant for minutes: phone
numbers, e-mail addresses, street addresses, dates of birth and ID numbers.
It cannot be sure; it names each spot so the writer can check it."""

import bisect
import re
from dataclasses import dataclass

from django import forms

PATTERNS = [
    ("a phone number", re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)")),
    # the look-behind starts a match only where a word starts: without it a long
    # run of letters is tried from every position (quadratic)
    ("an e-mail address", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "a street address",
        re.compile(
            r"\b\d{1,6}\s+(?:[A-Z][\w.]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|"
            r"Court|Ct|Way|Place|Pl|Highway|Hwy)\b\.?",
        ),
    ),
    (
        "a date of birth",
        re.compile(
            r"\b(?:DOB|D\.O\.B\.|born(?:\s+on)?|date of birth)\b[:\s]*"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})",
            re.IGNORECASE,
        ),
    ),
    ("an ID number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b(?:[A-Z]{1,2}\d{6,9}|\d{9,})\b")),
]


@dataclass(frozen=True)
class Finding:
    what: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"Line {self.line}: “{self.text}” looks like {self.what}."


def findings(text: str) -> list[Finding]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        # spans already reported on this line, kept sorted and never overlapping,
        # so each new match is checked against its two neighbours only
        taken: list[tuple[int, int]] = []
        for what, pattern in PATTERNS:
            for match in pattern.finditer(line):
                start, end = match.span()
                at = bisect.bisect_left(taken, (start, end))
                if (at and taken[at - 1][1] > start) or (at < len(taken) and taken[at][0] < end):
                    continue
                taken.insert(at, (start, end))
                found.append(Finding(what, number, match.group(0).strip()))
    return found


class PrivacyCheckedForm(forms.Form):
    """A form whose free-text fields are read for what may identify a person
    before saving. Its `findings` list each spot; the writer removes them or
    ticks `checked` to confirm they are not a victim's details. A form lists
    the fields to read in `privacy_fields`."""

    privacy_fields: tuple[str, ...] = ()

    checked = forms.BooleanField(
        label="I checked: none of these are a victim's details",
        required=False,
        help_text="Only needed when Roundtable warns about something that looks like personal details.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[tuple[str, Finding]] = []

    def clean(self):
        data = super().clean()
        self.findings = []
        for name in self.privacy_fields:
            if name in self.fields:
                label = str(self.fields[name].label)
                self.findings += [(label, finding) for finding in findings(data.get(name) or "")]
        if self.findings and not data.get("checked"):
            self.add_error(
                "checked",
                "Some text looks like personal details (listed above). Remove anything that could identify a "
                "victim, or tick this box if you checked and it does not.",
            )
        return data

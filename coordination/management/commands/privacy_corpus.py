"""Measures the privacy guard on a labelled corpus: recall per kind and
overall, false alarms on clean text, and speed (README, "The privacy guard")."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coordination import privacy

DEFAULT = Path(settings.BASE_DIR) / "tests" / "privacy" / "corpus.json"


class Command(BaseCommand):
    help = "Recall per kind, false alarms and speed of the privacy guard on a labelled corpus."

    def add_arguments(self, parser):
        parser.add_argument("corpus", nargs="?", default=str(DEFAULT), help="The labelled snippets (JSON).")
        parser.add_argument("--missed", action="store_true", help="Also list each detail missed and each false alarm.")

    def handle(self, *args, corpus: str, missed: bool, **options):
        path = Path(corpus)
        if not path.exists():
            raise CommandError(f"No corpus at {path}.")
        data = json.loads(path.read_text())
        snippets = data["snippets"]
        result = privacy.measure(snippets, data.get("public", []))
        dirty = sum(1 for s in snippets if s["details"])
        self.stdout.write(f"{len(snippets)} snippets: {dirty} with personal details, {result.clean} without.\n")
        self.stdout.write("| Kind | Found | Of | Recall |\n|---|---:|---:|---:|")
        for kind in privacy.KINDS:
            if kind in result.expected:
                self.stdout.write(
                    f"| {privacy.KINDS[kind]} | {result.found.get(kind, 0)} | {result.expected[kind]} | "
                    f"{result.recall(kind):.0%} |"
                )
        found, expected = sum(result.found.values()), sum(result.expected.values())
        self.stdout.write(f"| **all** | {found} | {expected} | **{result.recall():.0%}** |\n")
        self.stdout.write(
            f"False alarms: {result.false_alarms} of {result.clean} clean snippets ({result.false_alarm_rate:.1%}). "
            f"Speed: {result.ms_per_kb:.2f} ms per KB."
        )
        if missed:
            for kind, text in result.missed:
                self.stdout.write(f"missed {kind}: {text}")
            for text, what in result.alarms:
                self.stdout.write(f"alarm ({what}): {text}")

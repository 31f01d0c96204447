"""make bench: build the statewide data set (once per scale) and measure
every main page of its busiest coalition. Writes var/bench/latest.md and
latest.json, and with --readme, the table between the README's bench marks."""

import json
import os
import platform
import re
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.utils import timezone
from psycopg import sql

from bench import dataset, measure

MARKS = ("<!-- bench:start -->", "<!-- bench:end -->")


class Command(BaseCommand):
    help = "Build the benchmark data set (COPY) and measure every main page as organizer, lead and member."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is statewide (1M action items); 0.01 is 1%%.")
        parser.add_argument("--repeat", type=int, default=20, help="Requests a page (exports run once).")
        parser.add_argument("--only", default="", help="Measure only pages whose label holds this text.")
        parser.add_argument("--rebuild", action="store_true", help="Build the data set again even if it exists.")
        parser.add_argument("--build-only", action="store_true", help="Build the data set, measure nothing.")
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "bench"), help="Where to write.")
        parser.add_argument("--readme", default="", help="Put the table into this README between its bench marks.")

    def handle(self, *args, scale, repeat, only, rebuild, build_only, output, readme, **options):
        if scale <= 0 or scale > 5:
            raise CommandError("--scale must be above 0 and at most 5.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        self._ensure_database()
        call_command("migrate", verbosity=0)
        found = dataset.exists()
        if found is None and self._holds_other_data():
            raise CommandError(
                "This database holds data that is not the benchmark's; the benchmark empties the database it "
                "builds in. Point DATABASE_URL at a database of its own (make bench uses roundtable_bench)."
            )
        if rebuild or found != scale:
            self.stdout.write(f"Building the data set at scale {scale} in {measure.describe_database()}...")
            began = timezone.now()
            dataset.wipe()
            sizes = dataset.build(scale, say=lambda text: self.stdout.write(f"  {text}"))
            self.stdout.write(f"Built in {(timezone.now() - began).total_seconds():.0f} s: {sizes}")
        else:
            self.stdout.write(f"The data set at scale {scale} is here already (--rebuild builds it again).")
        if build_only:
            return
        results = measure.run(repeat=repeat, only=only, say=self.stdout.write)
        sizes = dataset.Sizes.at(scale)
        meta = {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "database": measure.describe_database(),
            "scale": scale,
            "sizes": (
                f"{sizes.coalitions} coalitions, {sizes.agencies:,} agencies, {sizes.meetings:,} meetings, "
                f"{sizes.action_items:,} action items"
            ),
            "repeat": repeat,
        }
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        markdown = measure.as_markdown(results, meta)
        (folder / "latest.md").write_text(markdown)
        (folder / "latest.json").write_text(json.dumps(measure.as_json(results, meta), indent=2))
        self.stdout.write(f"Wrote {folder / 'latest.md'} and {folder / 'latest.json'}.")
        if readme:
            self._into_readme(Path(readme), markdown)
        failed = [r for r in results if r.status != 200]
        if failed:
            raise CommandError("Pages that did not answer 200: " + ", ".join(f"{r.page} ({r.role})" for r in failed))

    def _ensure_database(self) -> None:
        """Create the benchmark's PostgreSQL database on first use."""
        try:
            connection.ensure_connection()
        except OperationalError:
            if connection.vendor != "postgresql":
                raise
            params = connection.get_connection_params()
            name = params.pop("dbname")
            with psycopg.connect(**(params | {"dbname": "postgres"}), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.stdout.write(f"Created the database {name}.")

    def _holds_other_data(self) -> bool:
        from coordination.models import Coalition

        return Coalition.objects.exists()

    def _into_readme(self, path: Path, markdown: str) -> None:
        text = path.read_text()
        start, end = MARKS
        if start not in text or end not in text:
            raise CommandError(f"{path} has no {start} ... {end} marks to put the table between.")
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        path.write_text(pattern.sub(lambda _: f"{start}\n{markdown}{end}", text))
        self.stdout.write(f"Updated the table in {path}.")

"""make bench: build the statewide data set (once per scale) and measure
every main page of its busiest coalition, and with --reminders, the e-mail
pipeline (bench/reminders.py). Writes var/bench/latest.md and latest.json,
and with --readme, the tables between the README's bench marks."""

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

from bench import dataset, measure, reminders

MARKS = ("<!-- bench:start -->", "<!-- bench:end -->")


class Command(BaseCommand):
    help = "Build the benchmark data set (COPY) and measure every main page as organizer, lead and member."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is statewide (1M action items); 0.01 is 1%%.")
        parser.add_argument("--repeat", type=int, default=20, help="Requests a page (exports run once).")
        parser.add_argument(
            "--only",
            default="",
            help="Measure only pages whose label holds this text (and not the reminders); "
            "'reminders' measures the reminder part alone.",
        )
        parser.add_argument(
            "--reminders", action="store_true", help="Measure the reminder part too (sweep, workers, e-mail)."
        )
        parser.add_argument(
            "--reminder-people", type=int, default=None, help="People added with an item due (100,000 x scale)."
        )
        parser.add_argument(
            "--reminder-emails", type=int, default=5_000, help="E-mails sent for each worker count's rate."
        )
        parser.add_argument(
            "--redis-url", default=settings.REDIS_URL, help="The Redis the reminder part queues in (make bench: db 13)."
        )
        parser.add_argument("--rebuild", action="store_true", help="Build the data set again even if it exists.")
        parser.add_argument("--build-only", action="store_true", help="Build the data set, measure nothing.")
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "bench"), help="Where to write.")
        parser.add_argument("--readme", default="", help="Put the table into this README between its bench marks.")

    def handle(self, *args, scale, repeat, only, rebuild, build_only, output, readme, **options):
        with_reminders = only.strip().lower() == "reminders" or (options["reminders"] and not only)
        with_pages = only.strip().lower() != "reminders"
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
        results = measure.run(repeat=repeat, only=only, say=self.stdout.write) if with_pages else []
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
        pages_md = measure.as_markdown(results, meta) if with_pages else ""
        found = measure.as_json(results, meta) if with_pages else {"meta": meta}
        reminders_md = ""
        if with_reminders:
            people = options["reminder_people"]
            measured = reminders.run(
                people=round(100_000 * scale) if people is None else people,
                emails=options["reminder_emails"],
                redis_url=options["redis_url"],
                say=self.stdout.write,
            )
            reminders_md = reminders.as_markdown(measured, meta)
            found["reminders"] = reminders.as_json(measured, meta)
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "latest.md").write_text(pages_md + ("\n" if pages_md and reminders_md else "") + reminders_md)
        (folder / "latest.json").write_text(json.dumps(found, indent=2))
        self.stdout.write(f"Wrote {folder / 'latest.md'} and {folder / 'latest.json'}.")
        if readme:
            self._into_readme(Path(readme), pages_md, reminders_md)
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

    def _into_readme(self, path: Path, pages_md: str, reminders_md: str) -> None:
        """The tables between the marks: the pages', then the reminders' (from
        reminders.MARK on). A part not measured this time keeps its old table."""
        text = path.read_text()
        start, end = MARKS
        if start not in text or end not in text:
            raise CommandError(f"{path} has no {start} ... {end} marks to put the table between.")
        pattern = re.compile(re.escape(start) + "\n?(.*?)" + re.escape(end), re.DOTALL)
        old_pages, mark, old_reminders = pattern.search(text).group(1).partition(reminders.MARK)
        pages_md = pages_md or old_pages
        reminders_md = reminders_md or (mark + old_reminders)
        block = pages_md + ("\n" if pages_md and reminders_md and not pages_md.endswith("\n\n") else "") + reminders_md
        path.write_text(pattern.sub(lambda _: f"{start}\n{block}{end}", text))
        self.stdout.write(f"Updated the tables in {path}.")

"""manage.py import_minutes PATH --coalition SLUG: bring an existing archive
of minutes (.docx, .pdf, .md, .txt) into Roundtable."""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coordination import privacy
from coordination.models import Coalition
from meetings.archive import import_archive

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Import a folder of minutes files: one meeting a file, dated from the file name or its first lines."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The folder of minutes files (searched with its subfolders).")
        parser.add_argument("--coalition", required=True, help="The coalition's slug, e.g. shasta.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument(
            "--skip-unreadable", action="store_true", help="Import the readable files even if some are not."
        )
        parser.add_argument(
            "--checked",
            metavar="REASON",
            help="Import although the privacy guard found what looks like personal details, after checking each "
            "finding it lists: say why they are not a victim's details (written to the log).",
        )
        parser.add_argument("--time", default="12:00", help="Start time of meetings it creates (HH:MM, local).")
        parser.add_argument("--minutes", type=int, default=90, help="Length of meetings it creates.")

    def handle(self, *args, path: Path, coalition: str, dry_run: bool, skip_unreadable: bool, **options):
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder.")
        found = Coalition.objects.filter(slug=coalition).first()
        if found is None:
            slugs = ", ".join(Coalition.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No coalition {coalition!r}. Coalitions: {slugs}.")
        try:
            start = datetime.strptime(options["time"], "%H:%M").time()
        except ValueError:
            raise CommandError(f"--time must look like 12:00, not {options['time']!r}.") from None

        report = import_archive(
            found,
            path,
            dry_run=dry_run,
            skip_unreadable=skip_unreadable,
            checked=bool(options["checked"]),
            start=start,
            duration=timedelta(minutes=options["minutes"]),
            progress=self.stdout.write,
        )
        for name, reason in report.unreadable:
            self.stderr.write(f"Could not read {name}: {reason}")
        if report.unreadable and not skip_unreadable:
            raise CommandError(
                f"{len(report.unreadable)} file(s) could not be read, so nothing was imported. "
                "Fix or remove them, or run again with --skip-unreadable."
            )
        for name, found in report.findings:
            for finding in found:
                self.stderr.write(f"{name}: {finding}")
        if report.findings and not options["checked"]:
            raise CommandError(
                f"{len(report.findings)} file(s) hold what looks like personal details (listed above), so nothing "
                "was imported. Remove anything that could identify a victim from the files, or run again with "
                '--checked "why these are not a victim\'s details".'
            )
        if report.findings and privacy.scan(options["checked"]):
            raise CommandError("Write the --checked reason without personal details: it goes to the log.")
        if report.findings:
            kinds = sorted({finding.kind for _, found in report.findings for finding in found})
            log.warning(
                "import_minutes: %s file(s) imported with privacy findings (%s) checked by the operator: %s",
                len(report.findings),
                ", ".join(kinds),
                options["checked"],
            )
        summary = (
            f"{len(report.imported)} file(s): {report.meetings_created} meeting(s) created, "
            f"{report.minutes_written} minutes written, {report.attachments_added} original(s) kept."
        )
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing written. Would import {summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {summary}"))

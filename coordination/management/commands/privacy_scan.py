"""Scans the stored text of one coalition or all with the privacy guard, at
once, for the organizers' review list (README, "The archive, cleaned")."""

import time

from django.core.management.base import BaseCommand, CommandError

from coordination import stored_text
from coordination.models import Coalition, StoredFinding


class Command(BaseCommand):
    help = "Read all stored text (minutes, action items, agenda notes, messages, files) for victims' details."

    def add_arguments(self, parser):
        parser.add_argument("--coalition", help="The coalition's slug; all coalitions without it.")

    def handle(self, *args, coalition: str | None, **options):
        coalitions = Coalition.objects.order_by("slug")
        if coalition:
            coalitions = coalitions.filter(slug=coalition)
            if not coalitions.exists():
                raise CommandError(f"No coalition “{coalition}”.")
        for each in coalitions:
            began = time.monotonic()
            record = stored_text.scan(each)
            if record is None:
                self.stdout.write(f"{each.slug}: a scan is under way already; skipped.")
                continue
            waiting = StoredFinding.objects.filter(coalition=each, status=StoredFinding.Status.OPEN).count()
            self.stdout.write(
                f"{each.slug}: {record.texts} texts read in {time.monotonic() - began:.1f} s; "
                f"{record.found} new finding(s), {waiting} to review."
            )

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coordination import backup


class Command(BaseCommand):
    help = (
        "Write one archive: a consistent dump of the database, the uploaded files and a manifest "
        "(schema, row counts, SHA-256 of every file); encrypted with BACKUP_KEY when it is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The archive's path (default: BACKUP_DIR/roundtable-<time>.tar).")
        parser.add_argument(
            "--keep", type=int, default=None, help="Then delete all but the newest N archives in BACKUP_DIR."
        )

    def handle(self, *args, output=None, keep=None, **options):
        key = settings.BACKUP_KEY
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        folder = Path(settings.BACKUP_DIR)
        target = Path(output) if output else folder / f"roundtable-{stamp}.tar{'.enc' if key else ''}"
        try:
            manifest = backup.create(target, key=key)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Wrote {target} ({target.stat().st_size:,} bytes{', encrypted' if key else ''}): "
            f"{rows:,} rows in {len(manifest['counts'])} tables, {files} uploaded files."
        )
        if keep is not None:
            for old in backup.prune(folder, max(keep, 1)):
                self.stdout.write(f"Deleted the older {old.name}.")

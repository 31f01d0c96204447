from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coordination import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into this empty database and MEDIA_ROOT. An archive "
        "whose manifest or any file does not verify is refused, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--check", action="store_true", help="Only verify the archive; restore nothing.")
        parser.add_argument(
            "--allow-unencrypted",
            action="store_true",
            help="With BACKUP_KEY set, accept an archive that was not encrypted (one you know the origin of).",
        )

    def handle(self, *args, archive, check=False, allow_unencrypted=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        try:
            if check:
                import tempfile

                with tempfile.TemporaryDirectory() as work:
                    manifest = backup.verify(
                        path, Path(work), key=settings.BACKUP_KEY, allow_unencrypted=allow_unencrypted
                    ).manifest
                self.stdout.write(
                    f"{path} verifies: made {manifest['created_at']}, {len(manifest['files'])} files, "
                    f"{sum(manifest['counts'].values()):,} rows."
                )
                return
            counts = backup.restore(path, key=settings.BACKUP_KEY, allow_unencrypted=allow_unencrypted)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for table, rows in counts.items():
            if rows:
                self.stdout.write(f"{table:<50} {rows:>10,}")
        self.stdout.write(f"Restored {sum(counts.values()):,} rows in {len(counts)} tables from {path}.")

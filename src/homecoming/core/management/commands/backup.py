"""``homecoming backup PATH``: a consistent backup of the database, checked by restoring it.

SQLite: the sqlite3 online backup API; PostgreSQL: ``pg_dump -Fc``. Either way the file is then
restored into a scratch database and its audit chain verified (see homecoming.core.backup).
Exits 1 when the backup could not be written or does not restore; also exits 1 (keeping the
file) when the audit log in it is not intact, so that a scheduled job raises the alarm.
"""

from django.core.management.base import BaseCommand, CommandError

from homecoming.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to PATH (SQLite file or pg_dump archive) and check that it restores."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--force", action="store_true", help="replace PATH if it exists")

    def handle(self, *args, path, force, **options):
        try:
            check = backup(path, force=force)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}", returncode=1) from None
        if check.chain_problem:
            raise CommandError(f"Backup written to {path} ({check.summary}), but the audit log in it is NOT "
                               f"intact: {check.chain_problem}", returncode=1)
        self.stdout.write(f"Backup written to {path} and checked: it restores ({check.summary}); "
                          f"audit log intact.")

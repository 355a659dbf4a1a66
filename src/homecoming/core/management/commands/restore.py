"""``homecoming restore PATH [--force]``: replace the database with a checked backup.

The file is first restored into a scratch database and its audit chain verified; a file that
does not restore, or whose audit log is not intact, is refused and nothing changes. A database
that holds data (any person, audit event or account) is replaced only with ``--force``.
"""

from django.core.management.base import BaseCommand, CommandError

from homecoming.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database from a backup written by 'homecoming backup' (checked first)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument("--accept-older", action="store_true",
                            help="restore a backup whose audit log ends before the last checkpoint (the events "
                                 "after it are lost; recorded in the checkpoints)")

    def handle(self, *args, path, force, accept_older, **options):
        try:
            check = restore(path, force=force, accept_older=accept_older)
        except BackupError as exc:
            raise CommandError(f"Restore refused: {exc}", returncode=1) from None
        if check.chain_problem:
            raise CommandError(f"Restored from {path}, but the audit log is NOT intact: {check.chain_problem}",
                               returncode=1)
        self.stdout.write(f"Restored from {path} ({check.summary}); audit log intact.")

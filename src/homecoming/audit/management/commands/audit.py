"""``homecoming audit verify``: check the hash chain of the audit log, its MACs under the audit key,
and the log against the last checkpoint written outside the database (homecoming.audit.anchor)."""

from django.core.management.base import BaseCommand, CommandError

from homecoming.audit import anchor
from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' exits 0 when the chain is intact and agrees with the last checkpoint, "
            "1 naming the first bad event.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check every event's hash, MAC and link, and the last checkpoint")
        verify.add_argument("--checkpoint", action="append", default=[],
                            help="a checkpoint line kept elsewhere (syslog, another machine) to compare with "
                                 "instead of the checkpoint file; may be given more than once")

    def handle(self, *args, subcommand, checkpoint, **options):
        if subcommand == "verify":
            points, bad = anchor.checkpoints(checkpoint or None)
            problem = verify_chain(points=points)
            if problem is not None:
                raise CommandError(f"Audit log NOT intact: {problem.message}", returncode=1)
            if bad:
                raise CommandError(f"Audit log intact, but {len(bad)} line(s) of the checkpoints are not valid "
                                   "checkpoints (written without the audit key): someone wrote to the file.",
                                   returncode=1)
            last = anchor.last(points)
            self.stdout.write(f"Audit log intact: {AuditEvent.objects.count()} events verified"
                              + (f", in agreement with the checkpoint of {last.time} (event {last.event_id})."
                                 if last else " (no checkpoint to compare with)."))

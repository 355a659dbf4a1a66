"""``homecoming audit verify``: check the hash chain of the audit log, its MACs under the audit key,
and the log against the last checkpoint written outside the database (homecoming.audit.anchor).
The result is written to the log itself (``audit.verify``), so the audit viewer shows when the
log was last verified, from the command line or from the page."""

from django.core.management.base import BaseCommand, CommandError

from homecoming.audit import anchor
from homecoming.audit.models import AuditEvent
from homecoming.audit.verification import run_full

#: the actor of the command's verification events
COMMAND_ACTOR = "audit verify"


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
            points, _bad = anchor.checkpoints(checkpoint or None)
            count = AuditEvent.objects.count()
            problem, _event = run_full(COMMAND_ACTOR, lines=checkpoint or None)
            if problem is not None and problem.kind == "checkpoint_lines":
                raise CommandError(problem.message, returncode=1)
            if problem is not None:
                raise CommandError(f"Audit log NOT intact: {problem.message}", returncode=1)
            last = anchor.last(points)
            self.stdout.write(f"Audit log intact: {count} events verified"
                              + (f", in agreement with the checkpoint of {last.time} (event {last.event_id})."
                                 if last else " (no checkpoint to compare with)."))

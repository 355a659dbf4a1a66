"""``homecoming audit verify``: check the hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' exits 0 when the chain is intact, 1 naming the first bad event."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="check every event's hash and the chain")

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            problem = verify_chain()
            if problem is not None:
                raise CommandError(f"Audit log NOT intact: {problem.message}", returncode=1)
            self.stdout.write(f"Audit log intact: {AuditEvent.objects.count()} events verified.")

"""``homecoming recount-statuses``: rebuild the dashboard's counts of status events by day from the
events (after a restore, or when ``homecoming invariants`` reports registry.status_counts_stale)."""

from django.core.management.base import BaseCommand

from homecoming.registry import status_counts


class Command(BaseCommand):
    help = "Rebuild the counts of live status events by day, status and side from the status history."

    def handle(self, *args, **options):
        rows = status_counts.rebuild()
        self.stdout.write(f"Status counts rebuilt: {rows} rows.")

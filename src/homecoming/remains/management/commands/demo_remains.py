"""``homecoming demo_remains``: a transfer of remains under the Istanbul agreement and the road of
its first identifications (see homecoming/remains/demo.py). Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homecoming.remains.demo import run


class Command(BaseCommand):
    help = "Add the demo's transfer of remains: one identified, told in person, paid and handed over; others pending."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo set-up refuses to run in production mode.")
        self.stdout.write(run())

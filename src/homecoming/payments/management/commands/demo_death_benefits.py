"""``homecoming demo_death_benefits``: the demo's death benefit rule (demo data) and the benefits
that arose in the demo, approved and paid by two finance officers (homecoming/payments/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homecoming.payments.demo import run


class Command(BaseCommand):
    help = "Approve and pay the demo's death benefits (the amount is demo data)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo set-up refuses to run in production mode.")
        self.stdout.write(run())

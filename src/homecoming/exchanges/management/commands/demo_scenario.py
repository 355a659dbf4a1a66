"""``homecoming demo-scenario``: the article's story (see homecoming/exchanges/demo.py). Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homecoming.exchanges.demo import run


class Command(BaseCommand):
    help = "Tell the article's story: the Istanbul agreement of 2 June 2025, its stages and the 12 June return."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo scenario refuses to run in production mode.")
        self.stdout.write(run())

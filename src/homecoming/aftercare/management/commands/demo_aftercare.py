"""``homecoming demo_aftercare``: the demo's aftercare cases worked up to a day, as a team would
have left them (see homecoming/aftercare/demo.py). Idempotent."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homecoming.aftercare.demo import settle


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--today: expected a date as YYYY-MM-DD, got {text!r}.") from exc


class Command(BaseCommand):
    help = "Work the demo's aftercare cases up to today: old tasks done, a realistic handful open."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, default=None, help="the day to settle the cases on (YYYY-MM-DD)")

    def handle(self, *args, today, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo set-up refuses to run in production mode.")
        self.stdout.write(settle(today))

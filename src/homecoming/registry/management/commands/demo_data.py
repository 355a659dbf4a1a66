"""``homecoming demo-data --persons N --seed S``: a synthetic register (see registry/demo.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homecoming.registry.demo import load


class Command(BaseCommand):
    help = "Load a deterministic synthetic register (idempotent for the same --persons and --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, persons, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data refuses to run in production mode.")
        if persons < 0:
            raise CommandError("--persons must be 0 or more.")
        start = time.perf_counter()
        result = load(persons, seed)
        if result.skipped:
            self.stdout.write(f"Demo register of {persons} persons (seed {seed}) is already loaded; nothing done.")
            return
        self.stdout.write(
            f"Loaded {result.persons} synthetic persons, {result.events} status events, "
            f"{result.alternative_names} alternative names, {result.keys} search keys "
            f"in {time.perf_counter() - start:.1f} s (seed {seed})."
        )

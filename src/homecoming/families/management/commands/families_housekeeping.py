"""``homecoming families-housekeeping``: hand stale queued messages to the task queue again and
forget portal attempts older than the lock-out windows. Run it from cron every few minutes."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from homecoming.families import services


class Command(BaseCommand):
    help = "Re-queue stale family notifications and purge old portal attempts."

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, default=30,
                            help="re-queue messages queued longer ago than this (default 30)")
        parser.add_argument("--keep-days", type=int, default=2, help="keep portal attempts this long (default 2)")

    def handle(self, *args, stale_minutes: int, keep_days: int, **options):
        if stale_minutes < 1 or keep_days < 2:
            self.stderr.write("--stale-minutes must be at least 1 and --keep-days at least 2 "
                              "(the reference lock-out window is a day).")
            raise SystemExit(2)
        requeued = services.requeue_stale_notifications(older_than=dt.timedelta(minutes=stale_minutes))
        purged = services.purge_portal_attempts(older_than=dt.timedelta(days=keep_days))
        self.stdout.write(f"re-queued {requeued} message(s); purged {purged} portal attempt(s)")

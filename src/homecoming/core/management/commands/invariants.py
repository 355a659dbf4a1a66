"""``homecoming invariants``: check every invariant between modules on this database.

Prints one line per invariant (its code, what must hold, how many records break it and their
ids, never a name) and exits 1 when any is broken, so that a nightly job or CI fails loudly.
docs/operations.md says how to run it and what to do with a finding.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from homecoming.common.invariants import all_invariants

SHOWN_IDS = 20


class Command(BaseCommand):
    help = "Check every invariant between modules; exit 1 if any is broken (ids only, never names)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object: code -> ids")
        parser.add_argument("--all-ids", action="store_true", help=f"every id (default: the first {SHOWN_IDS})")

    def handle(self, *args, as_json: bool = False, all_ids: bool = False, **options):
        results = {}
        started = time.monotonic()
        for inv in all_invariants():
            results[inv.code] = (inv, sorted(set(inv.check())))
        seconds = time.monotonic() - started
        broken = {code: ids for code, (_inv, ids) in results.items() if ids}
        if as_json:
            self.stdout.write(json.dumps({"broken": broken, "checked": sorted(results),
                                          "seconds": round(seconds, 2)}, sort_keys=True))
        else:
            for code, (inv, ids) in results.items():
                if ids:
                    shown = ids if all_ids else ids[:SHOWN_IDS]
                    more = "" if len(shown) == len(ids) else f" … and {len(ids) - len(shown)} more"
                    self.stdout.write(f"BROKEN {code}: {len(ids)} {inv.record}(s): {', '.join(map(str, shown))}{more}")
                    self.stdout.write(f"       must hold: {inv.statement}")
                else:
                    self.stdout.write(f"ok     {code}")
            self.stdout.write(f"{len(results)} invariants checked in {seconds:.1f} s; {len(broken)} broken.")
        if broken:
            raise CommandError(f"{len(broken)} invariant(s) broken", returncode=1)

"""``python -m bench.audit [--events N]``: how long the audit viewer's chain checks take.

The full verification (``homecoming audit verify`` and the viewer's button) walks every event;
the quick check the viewer runs on every look walks only the events written since the last full
verification that found the log intact. Both are timed on a scratch SQLite database holding N
events (written with ``record_many``, as bulk work does), then the quick check after 1,000 and
after 2,000 (its limit) more events. The 100,000-person demo holds only a few hundred events
after ``homecoming demo``; a working headquarters writes one per read, so N is the log's size
after months, not the register's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix="bench-audit-")
    os.environ["HOMECOMING_VAR_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from homecoming.audit import verification
    from homecoming.audit.services import record_many, verify_chain

    call_command("migrate", verbosity=0)

    def write(n: int) -> None:
        for start in range(0, n, 5000):
            with transaction.atomic():
                record_many("bench", [{"action": "person.view", "object_type": "person", "object_id": i,
                                       "details": {"via": "page"}} for i in range(start, min(n, start + 5000))])

    def timed(fn):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return (time.perf_counter() - started, time.process_time() - cpu), result

    write(args.events)
    rows = []
    seconds, problem = timed(verify_chain)
    assert problem is None, problem
    rows.append((f"full verification, {args.events:,} events", seconds))
    seconds, _ = timed(lambda: verification.run_full("bench"))
    rows.append(("full verification recorded (the page's button, a background task)", seconds))
    for more in (1_000, verification.QUICK_LIMIT - 1_001):
        write(more)
        seconds, state = timed(verification.status)
        assert state.quick_run and state.quick is None, state
        rows.append((f"quick check on a look, {state.quick_events:,} events since", seconds))
    print(f"1-minute load average at the end: {os.getloadavg()[0]:.1f} (of 2 cores)")
    print("| check | wall s | CPU s |\n| --- | ---: | ---: |")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

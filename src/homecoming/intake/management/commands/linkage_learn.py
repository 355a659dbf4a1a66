"""``homecoming linkage-learn [--min-count N] [--pseudo K] [--dry-run] [--user NAME]``,
``homecoming linkage-learn --list``, ``homecoming linkage-learn --use VERSION``.

Re-estimates the linkage model from the reviewers' decisions on incoming lists and stores it as
the next version, in use from the register index's next list (docs/linkage.md, "Learning from
reviewers' decisions"); ``--list`` shows the stored versions, ``--use`` puts one back in use
(0: the built-in values).  Audited like every write."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from homecoming.intake import selectors, services


class Command(BaseCommand):
    help = "Re-estimate the linkage model from review decisions; list or choose stored versions."

    def add_arguments(self, parser):
        parser.add_argument("--min-count", type=int, default=30,
                            help="decisions a comparison level needs before its weight moves (default 30)")
        parser.add_argument("--pseudo", type=float, default=200.0,
                            help="pseudo-decisions that hold each weight at its current value (default 200)")
        parser.add_argument("--dry-run", action="store_true", help="show what would be learnt; store nothing")
        parser.add_argument("--list", action="store_true", help="list the stored versions")
        parser.add_argument("--use", type=int, default=None, help="put this version in use (0: built-in values)")
        parser.add_argument("--user", default=None, help="act as this user (their permissions apply)")

    def handle(self, *args, **o):
        if o["list"]:
            active = selectors.active_linkage_model()
            self.stdout.write(f"in use: version {active.version if active else 0}")
            for m in selectors.linkage_models():
                c = m.counts
                self.stdout.write(f"{m.version}{' *' if m.active else ''}  {m.created_at:%Y-%m-%d %H:%M}  "
                                  f"{m.created_by_name}  confirmed {c.get('confirmed', 0)}, rejected "
                                  f"{c.get('rejected', 0)}; thresholds {json.dumps(m.thresholds)}")
            return
        if o["user"]:
            actor = get_user_model().objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"no user named {o['user']!r}")
        else:
            actor = services.CommandLineActor()
        try:
            if o["use"] is not None:
                services.use_linkage_model(actor, o["use"])
                self.stdout.write(f"version {o['use']} in use")
                return
            learnt, model = services.learn_linkage_model(actor, min_count=o["min_count"], pseudo=o["pseudo"],
                                                         dry_run=o["dry_run"])
        except (ValidationError, PermissionDenied) as exc:
            msg = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(msg) from None
        c = learnt.counts
        self.stdout.write(f"{c['labels']} decided candidates: {c['confirmed']} confirmed, {c['rejected']} rejected")
        self.stdout.write("weights moved: " + (", ".join(c["updated"]) or "none"))
        for note in learnt.notes:
            self.stdout.write(note)
        if model is None:
            self.stdout.write("nothing stored" + (" (dry run)" if o["dry_run"] else ": the decisions change nothing"))
        else:
            self.stdout.write(f"stored as version {model.version}, in use")

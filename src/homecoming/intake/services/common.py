"""What every intake service needs: the actors, the refusals and the limits on what a job keeps.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.common.actors import user_of as _user  # noqa: F401 (used by the services)
from homecoming.common.permissions import require_all as _require  # noqa: F401 (used by the services)
from homecoming.registry.models import STATUSES_BY_SIDE, Side, Status

from ..models import (
    ImportJob,
    JobState,
    ListRow,
)

log = logging.getLogger("homecoming.intake.services")
MAX_STORED_ERRORS = 1000
MAX_STORED_SKIPPED = 1000


class CommandLineActor(str):
    """The actor of ``homecoming import`` run on the server: whoever can run the command can
    already reach the database. Audited under its name (``command line (user)``)."""

    is_authenticated = False
    pk = None

    def __new__(cls, name: str | None = None):
        return super().__new__(cls, f"command line ({name or os.environ.get('USER', 'unknown')})")

    def has_perm(self, perm: str) -> bool:
        return True


class AlreadyImported(ValidationError):
    pass


class RowAlreadyDecided(Exception):
    """Someone else decided this row first: nothing was changed."""

    def __init__(self, row: ListRow):
        self.row = row
        who = row.decided_by.get_username() if row.decided_by_id else _("someone else")
        when = timezone.localtime(row.decided_at).strftime("%Y-%m-%d %H:%M") if row.decided_at else ""
        super().__init__(
            _("Row %(row)s was already decided by %(who)s at %(when)s (%(state)s). Your decision was not saved; "
              "nothing was changed.") % {"row": row.row_number, "who": who, "when": when,
                                         "state": row.get_state_display()})


def stale_after() -> dt.timedelta:
    """A job queued or running for longer than this is taken to have died with its process."""
    return dt.timedelta(minutes=int(getattr(settings, "IMPORT_STALE_MINUTES", 60)))


def _abandoned(job: ImportJob) -> bool:
    if job.state not in (JobState.QUEUED, JobState.RUNNING):
        return False
    return (job.started_at or job.created_at) < timezone.now() - stale_after()


def ours_statuses() -> list[str]:
    return [s for s in Status.values if s in STATUSES_BY_SIDE[Side.OURS]]

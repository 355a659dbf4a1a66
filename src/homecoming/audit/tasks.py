"""Background work of the audit log: the full verification an administrator asks for on the
viewer. It walks every event (about 0.3 ms each on one idle core: minutes for a large log), so it
never runs in the web request; its result is an ``audit.verify`` event the page shows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task


@task()
def verify_audit_chain(actor_id: int | None) -> dict:
    from .verification import run_full

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    problem, event = run_full(actor or "system")
    return {"event": event.pk, "kind": problem.kind if problem else "", "problem_event": problem.event_id if problem
            else None}

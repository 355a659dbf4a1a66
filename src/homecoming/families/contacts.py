"""Who the family can talk to: a hook other apps fill in, without importing each other.

The family portal shows the case worker's contact once a returnee has an aftercare case. Aftercare
sits on the same layer as families, so neither imports the other: any installed app whose
``AppConfig`` has a method ``family_contact_for(person) -> dict | None`` is asked, in the order
of ``INSTALLED_APPS``; the first answer wins. The answer is ``{"name": ..., "phone": ...,
"email": ...}`` (any key may be missing). A provider that fails is skipped (the portal must not
break because of it).
"""

from __future__ import annotations

import logging

from django.apps import apps

logger = logging.getLogger(__name__)

CONTACT_KEYS = ("name", "phone", "email")


def contact_for(person) -> dict | None:
    if person is None:
        return None
    for config in apps.get_app_configs():
        provider = getattr(config, "family_contact_for", None)
        if provider is None or not callable(provider):
            continue
        try:
            answer = provider(person)
        except Exception:  # noqa: BLE001 - a broken provider must not break the portal
            logger.exception("contact provider of %s failed", config.label)
            continue
        if answer:
            contact = {k: str(answer[k]) for k in CONTACT_KEYS if answer.get(k)}
            if contact:
                return contact
    return None


def case_worker_id_for(person) -> int | None:
    """The account id of the case worker of ``person`` (the owner of their open aftercare case), asked
    of any installed app whose ``AppConfig`` has ``family_case_worker_for(person)``; None when none
    answers (no case, nobody assigned, or aftercare not installed): the message then goes to the case
    workers' shared queue."""
    if person is None:
        return None
    for config in apps.get_app_configs():
        provider = getattr(config, "family_case_worker_for", None)
        if provider is None or not callable(provider):
            continue
        answer = provider(person)
        if answer:
            return int(answer)
    return None

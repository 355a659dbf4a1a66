"""What a family is told: the relative's status in plain words, and nothing else.

Both the portal page and the notifications are built from :func:`family_view`, so a message
never says more than the portal would. It carries no detention place, no source, no note, no
other person: only a state, its date and what to do next.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .contacts import contact_for

RECEIVED = "received"
MISSING = "missing"
CAPTIVE = "captive"
ON_THE_WAY = "on_the_way"
BEING_CHECKED = "being_checked"
RETURNED = "returned"
DECEASED = "deceased"
CONTACT_US = "contact_us"

# Where the person stands on the exchange lists (exchanges.selectors.list_standing):
NOT_LISTED = ""
PROPOSED = "proposed"  # on a list we asked for, not confirmed by the other side (or contested)
CONFIRMED = "confirmed"  # on a confirmed list of a stage not yet carried out
AWAITING_RECONCILIATION = "carried_out"  # on a list of a stage carried out, not reconciled yet


def portal_state(status: str, standing: str = NOT_LISTED, *, death_told: bool = False) -> str:
    """THE mapping from the register (the person's derived status and where they stand on the
    exchange lists) to what the family is told. docs/status-model.md lists every combination.

    * "On the way home" only while the person is on a CONFIRMED list of a stage not carried out:
      a proposed or contested entry is a wish, not a promise.
    * A stage carried out but not reconciled: "being checked", never "home" before it is.
    * A death only once it was told to the family in person; until then, and for "found" or
      anything unknown, "please contact us": such news is given by a person.
    * Never a place, a source, a note or another person."""
    if status in ("", "missing"):
        return MISSING
    if status == "captivity_confirmed":
        return CAPTIVE
    if status == "on_exchange_list":
        return {CONFIRMED: ON_THE_WAY, AWAITING_RECONCILIATION: BEING_CHECKED}.get(standing, CAPTIVE)
    if status in ("returned", "released_other"):
        return RETURNED
    if status == "deceased" and death_told:
        return DECEASED
    return CONTACT_US


# The states a family is told about by a message as soon as they happen (never a death).
NOTIFY_STATES = (CAPTIVE, RETURNED)
#: the order of a captivity as a family lives it: a state earlier than the one a message told
#: takes that message back
JOURNEY = {MISSING: 0, CAPTIVE: 1, ON_THE_WAY: 2, BEING_CHECKED: 3, RETURNED: 4}


def news(told: str, now: str) -> str | None:
    """What to send a family whose state is ``now`` and whose last message told ``told``: ``now``
    when it is news they are told about by message; "please contact us" when ``now`` takes back
    what a message said (told "returned home", the register holds him again; told "captivity
    confirmed", he is missing again): such a correction is given by a person; None: nothing."""
    if now == told:
        return None
    if told in NOTIFY_STATES and JOURNEY.get(now, len(JOURNEY)) < JOURNEY[told]:
        return CONTACT_US
    if now in NOTIFY_STATES:
        return now
    return None

HEADLINES = {
    RECEIVED: _("Your inquiry has been received"),
    MISSING: _("Registered as missing"),
    CAPTIVE: pgettext_lazy("families", "Captivity confirmed"),
    ON_THE_WAY: _("On the way home"),
    BEING_CHECKED: _("An exchange has taken place"),
    RETURNED: _("Returned home"),
    DECEASED: _("We share your grief"),
    CONTACT_US: _("Please contact the headquarters"),
}

EXPLANATIONS = {
    RECEIVED: _("We are checking your inquiry against the register. This can take some time; the page will "
                "change as soon as your relative's record is found or created."),
    MISSING: _("Your relative is in the register as missing. We look for them in every list and report we "
               "receive."),
    CAPTIVE: _("The headquarters has confirmation that your relative is held in captivity. We "
               "work to have them included in an exchange."),
    ON_THE_WAY: _("Your relative has been included in an exchange list. Exchanges can be delayed or changed; we "
                  "will tell you as soon as they are home."),
    BEING_CHECKED: _("Your relative was on the list of an exchange that has taken place. We are checking who "
                     "came home; this page will change as soon as it is confirmed."),
    RETURNED: _("Your relative has returned home. They are receiving medical care and support."),
    DECEASED: _("As you were told in person, your relative has died. The headquarters stays at your side."),
    CONTACT_US: _("There is news about your relative that we want to give you in person. Please contact the "
                  "headquarters."),
}

NEXT_STEPS = {
    RECEIVED: [_("If you learn anything new (a service number, the unit, the date or place), tell the "
                 "headquarters and give your inquiry reference.")],
    MISSING: [_("Tell the headquarters about anything new you learn, with your inquiry reference."),
              _("If you have not done so yet, give a DNA sample at a police service centre.")],
    CAPTIVE: [_("Keep your inquiry reference and code safe; come back to this page for news."),
              _("You can write letters through the International Committee of the Red Cross.")],
    ON_THE_WAY: [_("Do not share this news publicly until your relative is home: it can put the exchange at "
                   "risk.")],
    BEING_CHECKED: [_("Do not share news publicly until it is confirmed: it can put other exchanges at risk.")],
    RETURNED: [_("Your relative's case worker will help with rehabilitation, documents and payments.")],
    DECEASED: [_("The headquarters will help the family with documents and with the support it is entitled "
                 "to; call or write, and give your inquiry reference.")],
    CONTACT_US: [_("Call or write to the headquarters and give your inquiry reference.")],
}

WARNING = _("The headquarters never asks for money and never calls to ask for a code. Nobody can sell a place "
            "on an exchange list: anyone who offers one is a fraudster.")


@dataclass
class FamilyView:
    state: str
    headline: str
    explanation: str
    last_change: dt.date | None
    next_steps: list[str] = field(default_factory=list)
    case_worker: dict | None = None


def death_told(inquiry) -> bool:
    """The family was told in person of the death the register holds now (not of an earlier
    record of death that was corrected since)."""
    return bool(inquiry.told_in_person_event_id) and inquiry.told_in_person_event_id == current_death_id(
        inquiry.person)


def current_death_id(person) -> int | None:
    from homecoming.registry import lifecycle

    if person is None or person.current_status != "deceased":
        return None
    states = lifecycle.state_events(lifecycle.live_events(person.status_events.all()))
    return states[-1].pk if states and states[-1].status == "deceased" else None


#: the register's events of death written by a confirmed identification of remains (registry
#: services.MANAGED_BY_REMAINS, named here as a string: families does not import remains)
IDENTIFIED_REMAINS = "remains"


def before_untold_identification(inquiry):
    """(status, since) the register held before a death from identified remains that the family
    has not been told in person yet; None otherwise. Until the family is told, the portal shows
    what it showed before: not even "please contact us" (issue 20: the family learns of an
    identification from a person, and nothing new appears before that)."""
    from homecoming.registry import lifecycle

    person = inquiry.person
    if person is None or person.current_status != "deceased" or death_told(inquiry):
        return None
    events = list(person.status_events.all())
    death = current_death_id(person)
    if not any(e.pk == death and e.managed_by == IDENTIFIED_REMAINS for e in events):
        return None
    derived = lifecycle.derive([e for e in events if e.pk != death])
    return derived.status, derived.since


def told_of_a_reversed_identification(inquiry) -> bool:
    """The family was told in person of a death from identified remains, and that identification
    was reversed since (the event of death is corrected): until a person tells them so, the portal
    asks them to contact the headquarters, never shows the correction by itself."""
    told = inquiry.told_in_person_event_id
    if not told or inquiry.person is None:
        return False
    events = list(inquiry.person.status_events.all())
    return any(e.pk == told and e.managed_by == IDENTIFIED_REMAINS for e in events) \
        and any(e.corrects_id == told for e in events)


def family_state(inquiry, *, standing: str | None = None) -> str:
    """The family's state, from the register and the exchange lists (``standing`` when the caller
    read it for many persons at once)."""
    if inquiry.person_id is None:
        return RECEIVED
    person = inquiry.person
    status = person.current_status or ""
    if told_of_a_reversed_identification(inquiry):
        return CONTACT_US
    withheld = before_untold_identification(inquiry) if status == "deceased" else None
    if withheld is not None:
        return portal_state(withheld[0], NOT_LISTED)
    if status == "on_exchange_list" and standing is None:
        from homecoming.exchanges.selectors import list_standing

        standing = list_standing([person.pk]).get(person.pk, NOT_LISTED)
    return portal_state(status, standing or NOT_LISTED,
                        death_told=status == "deceased" and death_told(inquiry))


def family_view(inquiry, *, state: str | None = None) -> FamilyView:
    """The whole of what the family may see (strings are lazy: render them in their language);
    ``state`` to render another state's texts (a message asking them to contact us)."""
    state = state or family_state(inquiry)
    if state == RECEIVED:
        last_change = inquiry.created_at.date() if inquiry.created_at else None
    else:
        withheld = before_untold_identification(inquiry)
        since = withheld[1] if withheld is not None else inquiry.person.current_status_date
        last_change = since or (inquiry.linked_at.date() if inquiry.linked_at else None)
    contact = contact_for(inquiry.person) if state == RETURNED else None
    if contact is not None and not (contact.get("phone") or contact.get("email")):
        # a case worker who publishes no number of their own is reached through the hotline
        hq = headquarters_contact()
        contact = {**contact, "phone": hq["phone"], "email": hq["email"], "via_hotline": True}
    return FamilyView(state=state, headline=HEADLINES[state], explanation=EXPLANATIONS[state],
                      last_change=last_change, next_steps=list(NEXT_STEPS[state]), case_worker=contact)


def headquarters_contact() -> dict:
    """How to reach the headquarters: settings (or environment variables) ``FAMILIES_HOTLINE`` and
    ``FAMILIES_EMAIL``; the e-mail falls back to ``DEFAULT_FROM_EMAIL``."""
    phone = getattr(settings, "FAMILIES_HOTLINE", None) or os.environ.get("FAMILIES_HOTLINE", "")
    email = getattr(settings, "FAMILIES_EMAIL", None) or os.environ.get("FAMILIES_EMAIL", "")
    return {"phone": phone, "email": email or settings.DEFAULT_FROM_EMAIL}

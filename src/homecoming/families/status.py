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
RETURNED = "returned"
CONTACT_US = "contact_us"

# Register status -> family state. Anything else (found, deceased, an unknown status) is
# "contact us": such news is given by a person, never by a web page or an e-mail.
_FROM_REGISTER = {
    "": MISSING,
    "missing": MISSING,
    "captivity_confirmed": CAPTIVE,
    "on_exchange_list": ON_THE_WAY,
    "returned": RETURNED,
    "released_other": RETURNED,
}

# The states a family is told about by a message as soon as they happen.
NOTIFY_STATES = (CAPTIVE, RETURNED)

HEADLINES = {
    RECEIVED: _("Your inquiry has been received"),
    MISSING: _("Registered as missing"),
    CAPTIVE: pgettext_lazy("families", "Captivity confirmed"),
    ON_THE_WAY: _("On the way home"),
    RETURNED: _("Returned home"),
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
    RETURNED: _("Your relative has returned home. They are receiving medical care and support."),
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
    RETURNED: [_("Your relative's case worker will help with rehabilitation, documents and payments.")],
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


def family_state(inquiry) -> str:
    if inquiry.person_id is None:
        return RECEIVED
    return _FROM_REGISTER.get(inquiry.person.current_status or "", CONTACT_US)


def family_view(inquiry) -> FamilyView:
    """The whole of what the family may see (strings are lazy: render them in their language)."""
    state = family_state(inquiry)
    if state == RECEIVED:
        last_change = inquiry.created_at.date() if inquiry.created_at else None
    else:
        last_change = inquiry.person.current_status_date or (inquiry.linked_at.date() if inquiry.linked_at else None)
    contact = contact_for(inquiry.person) if state == RETURNED else None
    return FamilyView(state=state, headline=HEADLINES[state], explanation=EXPLANATIONS[state],
                      last_change=last_change, next_steps=list(NEXT_STEPS[state]), case_worker=contact)


def headquarters_contact() -> dict:
    """How to reach the headquarters: settings (or environment variables) ``FAMILIES_HOTLINE`` and
    ``FAMILIES_EMAIL``; the e-mail falls back to ``DEFAULT_FROM_EMAIL``."""
    phone = getattr(settings, "FAMILIES_HOTLINE", None) or os.environ.get("FAMILIES_HOTLINE", "")
    email = getattr(settings, "FAMILIES_EMAIL", None) or os.environ.get("FAMILIES_EMAIL", "")
    return {"phone": phone, "email": email or settings.DEFAULT_FROM_EMAIL}

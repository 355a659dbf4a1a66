"""The demo's death benefits: the demo rule (an amount made up for the demonstration, marked as
demo data wherever it shows) and every benefit that arose in the demo (remains' demo: a family told
in person) approved by one finance officer and paid by the other. Runs after ``demo_remains``.
Idempotent: a benefit already approved or paid is left as it is."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import DeathBenefit, DeathBenefitRule, DeathBenefitState

#: not the law: an amount for the demonstration, marked as demo data
DEMO_RULE = {"valid_from": "2014-02-20", "amount": "15000000",
             "note": "Демонстраційна сума (демо), не чинна норма", "demo": True}
IBAN = "UA213223130000026007233566001"


def run() -> str:
    User = get_user_model()
    admin, first, second = (User.objects.filter(username=u).first() for u in ("admin", "finance1", "finance2"))
    if None in (admin, first, second):
        return "Demo death benefits: the demo accounts are missing; nothing done."
    with transaction.atomic():
        if not DeathBenefitRule.objects.exists():
            services.create_death_benefit_rule(admin, DEMO_RULE)
        paid = 0
        for benefit in DeathBenefit.objects.filter(state=DeathBenefitState.DUE).order_by("pk"):
            services.approve_death_benefit(first, benefit.pk, recipient="Мати (демо)", iban=IBAN)
            services.mark_death_benefit_paid(second, benefit.pk)
            paid += 1
    return f"Demo death benefits: {paid} approved by one finance officer and paid by the other (demo amount)."

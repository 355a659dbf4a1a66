"""The first payment rule set, with the figures of the law at the time of writing (DOMAIN.md):
UAH 100,000 once on release and UAH 100,000 per year of captivity, a part year pro rata by days.
When the law changes, an administrator adds a new rule set valid from the new date."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("payments", "RuleSet")
    RuleSet.objects.get_or_create(valid_from=dt.date(2014, 2, 20), defaults={
        "one_time_amount": Decimal("100000.00"), "per_year_amount": Decimal("100000.00"),
        "part_year": "pro_rata", "note": "UAH 100,000 on release + UAH 100,000 per year of captivity"})


def backwards(apps, schema_editor):
    apps.get_model("payments", "RuleSet").objects.filter(valid_from=dt.date(2014, 2, 20), used_at__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

# Three branches of 2026-12-03 each added a 0007 (Ukrainian order, status counts, identified remains): one line again.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_person_name_uk_collation_idx'),
        ('registry', '0007_source_identified_remains'),
        ('registry', '0007_status_counts'),
    ]

    operations = [
    ]

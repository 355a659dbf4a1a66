"""The default aftercare plan (data: an administrator may change it in the admin)."""

from django.db import migrations

TASKS = [
    # code, Ukrainian, English, kind, days after the return
    ("medical-exam", "Медичний огляд", "Medical examination", "medical", 3),
    ("psych-assessment", "Психологічне оцінювання", "Psychological assessment", "medical", 7),
    ("physical-rehab", "Фізична реабілітація", "Physical rehabilitation", "medical", 30),
    ("psych-rehab", "Психологічна реабілітація", "Psychological rehabilitation", "medical", 30),
    ("documents", "Відновлення документів", "Document restoration", "general", 14),
    ("leave", "Відпустка", "Leave", "general", 30),
    ("payments", "Виплати", "Payments", "general", 30),
    ("follow-up", "Супровід протягом року", "A year of follow-up", "general", 365),
]


def forwards(apps, schema_editor):
    PlanTemplate = apps.get_model("aftercare", "PlanTemplate")
    PlanTemplateTask = apps.get_model("aftercare", "PlanTemplateTask")
    template, _ = PlanTemplate.objects.get_or_create(
        code="standard", defaults={"name_uk": "Стандартний план", "name_en": "Standard plan", "active": True})
    for position, (code, uk, en, kind, days) in enumerate(TASKS):
        PlanTemplateTask.objects.get_or_create(template=template, code=code, defaults={
            "title_uk": uk, "title_en": en, "kind": kind, "due_days": days, "position": position})


def backwards(apps, schema_editor):
    apps.get_model("aftercare", "PlanTemplate").objects.filter(code="standard").delete()


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

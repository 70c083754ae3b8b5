"""Stage limits as local settings, seeded with the defaults the code uses when a row is missing."""

from django.db import migrations

# (stage, urgency, minutes): Taiyuan's published 10/30 min for register and dispatch, an hour or two to check.
DEFAULTS = [
    ("accept", "normal", 30), ("accept", "urgent", 10),
    ("verify", "normal", 60), ("verify", "urgent", 30),
    ("register", "normal", 30), ("register", "urgent", 10),
    ("dispatch", "normal", 30), ("dispatch", "urgent", 10),
    ("check", "normal", 120), ("check", "urgent", 60),
    ("close", "normal", 60), ("close", "urgent", 30),
]


def seed(apps, schema_editor):
    StageLimit = apps.get_model("cases", "StageLimit")
    for stage, urgency, minutes in DEFAULTS:
        StageLimit.objects.get_or_create(stage=stage, urgency=urgency, defaults={"minutes": minutes})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

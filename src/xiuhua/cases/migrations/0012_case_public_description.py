from django.db import migrations, models

BATCH = 2000


def backfill(apps, schema_editor):
    """Existing cases get the description with phones, ID-card numbers and e-mail addresses removed."""
    from xiuhua.accounts.privacy import redact_text

    Case = apps.get_model("cases", "Case")
    pending = []
    for case in Case.objects.only("id", "description").iterator(chunk_size=BATCH):
        case.public_description = redact_text(case.description)
        pending.append(case)
        if len(pending) >= BATCH:
            Case.objects.bulk_update(pending, ["public_description"])
            pending = []
    if pending:
        Case.objects.bulk_update(pending, ["public_description"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_stats_case_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_description",
            field=models.TextField(blank=True, default="", verbose_name="public description"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

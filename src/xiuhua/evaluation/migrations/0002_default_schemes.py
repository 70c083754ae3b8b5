from django.db import migrations

OBJECT_TYPES = ("district", "subdistrict", "community", "grid", "department", "inspector", "operator", "shift_leader",
                "dispatcher")  # fmt: skip


def add_default_schemes(apps, schema_editor):
    from xiuhua.evaluation.scoring import default_scheme

    ScoreScheme = apps.get_model("evaluation", "ScoreScheme")
    for object_type in OBJECT_TYPES:
        name, components, source = default_scheme(object_type)
        ScoreScheme.objects.get_or_create(
            object_type=object_type, defaults={"name": name, "components": components, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(add_default_schemes, migrations.RunPython.noop)]

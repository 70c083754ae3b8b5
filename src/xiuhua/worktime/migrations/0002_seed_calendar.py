from django.db import migrations

from xiuhua.worktime.services import official_years, seed_calendar, seed_default_windows


def seed(apps, schema_editor):
    years = official_years()
    # One year past the official schedule, on the fallback, so deadlines near year end still work.
    seed_calendar(apps.get_model("worktime", "WorkDay"), [*years, years[-1] + 1])
    seed_default_windows(apps.get_model("worktime", "WorkWindow"))


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

from django.db import migrations

from xiuhua.catalog.choices import STANDARD_REF
from xiuhua.catalog.services import STANDARD_CATALOG_FILE, read_catalog_rows, upsert_catalog


def load(apps, schema_editor):
    upsert_catalog(apps.get_model("catalog", "CaseClass"), read_catalog_rows(STANDARD_CATALOG_FILE), STANDARD_REF)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

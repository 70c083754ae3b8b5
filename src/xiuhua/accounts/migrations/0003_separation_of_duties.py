from django.db import migrations, models


def rename_admin_role(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(role="admin").update(role="sysadmin")


def restore_admin_role(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(role__in=["sysadmin", "secadmin", "auditor"]).update(
        role="admin"
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_keys")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("sysadmin", "System administrator"),
                    ("secadmin", "Security administrator"),
                    ("auditor", "Security auditor"),
                    ("inspector", "Inspector"),
                    ("operator", "Operator"),
                    ("shift_leader", "Shift leader"),
                    ("dispatcher", "Dispatcher"),
                    ("department", "Department handler"),
                    ("commander", "Commander"),
                    ("leader", "Leader"),
                ],
                default="operator",
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(rename_admin_role, restore_admin_role),
    ]

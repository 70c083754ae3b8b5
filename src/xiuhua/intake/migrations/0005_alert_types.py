from django.db import migrations

# Alert types of common district sensors and video AI, mapped to GB/T 47678.5-2026 event classes.
ALERT_TYPES = [
    ("dust_over_limit", "扬尘超标", "08004", "normal", 24),
    ("bin_overflow", "垃圾箱满溢", "06042", "normal", 12),
    ("cooking_fume_over_limit", "油烟超标", "06027", "normal", 24),
    ("noise_over_limit", "噪声超标", "06028", "normal", 24),
    ("manhole_cover_open", "井盖位移或开启", "01023", "urgent", 6),
    ("street_vending_detected", "视频识别：占道经营", "09006", "normal", 4),
    ("illegal_parking_detected", "视频识别：机动车乱停放", "09009", "normal", 4),
    ("exposed_garbage_detected", "视频识别：暴露垃圾", "06010", "normal", 12),
    ("muck_spill_detected", "视频识别：道路遗撒", "06014", "urgent", 6),
]


def add_alert_types(apps, schema_editor):
    AlertType = apps.get_model("intake", "AlertType")
    CaseClass = apps.get_model("catalog", "CaseClass")
    for code, name, class_code, urgency, hours in ALERT_TYPES:
        case_class = CaseClass.objects.filter(code=class_code, kind="event").first()
        if case_class is not None:
            AlertType.objects.get_or_create(
                code=code,
                defaults={"name": name, "case_class": case_class, "urgency": urgency, "fold_hours": hours},
            )


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_alerts"), ("catalog", "0002_load_standard_catalog")]

    operations = [migrations.RunPython(add_alert_types, migrations.RunPython.noop)]

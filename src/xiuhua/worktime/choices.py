from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("Working hours")
    WORKING_DAYS = "working_days", _("Working days")
    URGENT_HOURS = "urgent_hours", _("Urgent hours (round the clock)")
    NATURAL_DAYS = "natural_days", _("Natural days")

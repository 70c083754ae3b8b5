from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.worktime.choices import LimitUnit

__all__ = ["STANDARD_REF", "ClassKind", "ComponentState", "LimitUnit", "Urgency"]

STANDARD_REF = "GB/T 47678.5-2026"


class ClassKind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class ComponentState(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")
    DISCARDED = "discarded", _("Discarded")
    REMOVED = "removed", _("Removed")

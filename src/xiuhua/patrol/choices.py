from django.db import models
from django.utils.translation import gettext_lazy as _


class EndReason(models.TextChoices):
    INSPECTOR = "inspector", _("Off duty")
    IDLE = "idle", _("No position for too long")


class PointFlag(models.TextChoices):
    NONE = "", _("Plausible position")
    OUTSIDE = "outside", _("Outside the district")
    JUMP = "jump", _("Implausible speed")

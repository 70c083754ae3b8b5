from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    DISTRICT = "district", _("District / county")
    SUBDISTRICT = "subdistrict", _("Sub-district / town")
    COMMUNITY = "community", _("Community / village")


# Digits of a division code at each level: GB/T 2260 (6), town (9), community (12).
CODE_LENGTH = {DivisionLevel.DISTRICT: 6, DivisionLevel.SUBDISTRICT: 9, DivisionLevel.COMMUNITY: 12}


class RegionClass(models.IntegerChoices):
    CLASS_ONE = 1, _("Class I area")
    CLASS_TWO = 2, _("Class II area")


class ChiefRole(models.TextChoices):
    AREA = "area", _("Area chief")
    ROAD = "road", _("Road chief")
    SECTION = "section", _("Section chief")
    BUILDING = "building", _("Building chief")
    SHOP = "shop", _("Shop chief")


class RoadKind(models.TextChoices):
    ARTERIAL = "arterial", _("Arterial road")
    SECONDARY = "secondary", _("Secondary road")
    BRANCH = "branch", _("Branch road")
    LANE = "lane", _("Lane")

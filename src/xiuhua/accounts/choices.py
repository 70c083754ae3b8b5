from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    INSPECTOR = "inspector", _("Inspector")
    OPERATOR = "operator", _("Operator")
    SHIFT_LEADER = "shift_leader", _("Shift leader")
    DISPATCHER = "dispatcher", _("Dispatcher")
    DEPARTMENT = "department", _("Department handler")
    COMMANDER = "commander", _("Commander")
    LEADER = "leader", _("Leader")


class DepartmentKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional department")
    SUBDISTRICT = "subdistrict", _("Sub-district / town")
    COMPANY = "company", _("Company")

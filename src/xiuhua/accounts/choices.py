from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Separation of duties (三员分立, MLPS level 3): accounts and base data; security settings, unlocks and data
    # keys; reading the audit trail. The superuser is for installation only.
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Security auditor")
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

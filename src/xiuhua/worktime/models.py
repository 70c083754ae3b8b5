"""The work calendar: one row per date, and the daily work windows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    OFFICIAL = "official", _("Official schedule (chinese-calendar)")
    FALLBACK = "fallback", _("Fallback: Monday to Friday")
    MANUAL = "manual", _("Entered by hand")


class WorkDay(models.Model):
    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("workday"))
    holiday_name = models.CharField(_("holiday"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=DaySource.choices)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("work calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class WorkWindow(models.Model):
    """A span of the working day, e.g. 08:30–12:00; the same on every workday."""

    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("work window")
        verbose_name_plural = _("work windows")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

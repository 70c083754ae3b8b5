"""A citizen's own rating of how their report was handled, given on the public status page after closing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiuhua.cases.choices import Satisfaction
from xiuhua.cases.models import Case


class CitizenRating(models.Model):
    """One rating per case, by whoever holds its lookup code, only once the case is closed.

    Kept beside the case, not in `CaseStats.satisfaction`: that field is the callback (回访), a workflow action
    an operator takes with an audited event; an anonymous rating cannot move or rewrite the case. The operator
    still calls back, and evaluation can read both.
    """

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="citizen_rating")
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    score = models.IntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), db_index=True)

    class Meta:
        verbose_name = _("citizen rating")
        verbose_name_plural = _("citizen ratings")
        ordering = ["-rated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"

"""三公开: the public page of a public campaign (scope, deadline, progress, result), no account, no personal data.

Only what the campaign publishes is shown: its name, goal, scope, dates, each target's figure and standing, and its
result; never members, people, phones or case details.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiuhua.campaigns.progress import campaign_progress
from xiuhua.campaigns.queries import public_campaigns
from xiuhua.web import campaign_page as cp

NOT_PUBLIC = "没有这个公开的专项行动。"


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    campaigns = public_campaigns().filter(year__gte=year - 1).order_by("-year", "code")
    return render(request, "campaigns/public_list.html", {"campaigns": campaigns})


@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    found = public_campaigns().filter(pk=campaign_id).first()
    if found is None:
        return render(request, "web/public/error.html", {"status": 404, "message": NOT_PUBLIC}, status=404)
    progress = campaign_progress(found)
    context = {
        "campaign": found,
        "summary": cp.summary(progress),
        "targets": cp.target_rows(progress),
        "lead_units": found.lead_units.order_by("name"),
    }
    return render(request, "campaigns/public.html", context)

"""The evaluation page: one kind of object ranked over one period, every figure a link to its cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from xiuhua.core.errors import DomainError
from xiuhua.evaluation.indicators import formula
from xiuhua.evaluation.services import check_object_type, evaluate
from xiuhua.web import evaluation_page as ep
from xiuhua.web.errors import forbidden
from xiuhua.web.shell import EVALUATION_ROLES
from xiuhua.web.tables import Column, sorted_list_table

PER_PAGE = 50


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    if request.user.role not in EVALUATION_ROLES and not request.user.is_superuser:
        message = _("The evaluation is for leaders and the command centre; your role is %(role)s.")
        return forbidden(request, message % {"role": request.user.get_role_display()})
    object_type = request.GET.get("type") or ep.DEFAULT_OBJECT_TYPE
    period_text = request.GET.get("period", "")
    context = {"object_type": object_type, "period_text": period_text, "groups": _groups(object_type)}
    try:
        check_object_type(object_type)
        period = ep.period_or_error(period_text)
    except DomainError as error:
        return render(request, "web/evaluation/page.html", {**context, "error": error.message}, status=400)
    evaluation = evaluate(object_type, period, user=request.user)
    sample = evaluation.sample_indicator
    sample_title = _("%(label)s; below %(minimum)s an object is not scored, graded or ranked (insufficient sample)")
    columns = [
        Column(_("Rank"), sort="rank", css="text-end"),
        Column(_("Rank change")),
        Column(pgettext("evaluated object", "Name"), sort="name"),
        Column(_("Score"), sort="score", css="text-end"),
        Column(_("Grade")),
        Column(
            _("Sample"),
            sort="sample",
            css="text-end",
            title=sample_title % {"label": sample.label, "minimum": evaluation.min_sample},
        ),
        *[
            Column(str(item.label), sort=item.code, css="text-end", title=formula(item))
            for item in evaluation.indicators
        ],
    ]
    # Sorted and paged first, then only the page's rows are turned into cells and links.
    table = sorted_list_table(
        request,
        evaluation.rows,
        columns,
        ep.sort_keys(evaluation),
        "rank",
        PER_PAGE,
        render=lambda rows: ep.ranking(evaluation, rows),
    )
    context |= {
        "period": period,
        "period_text": period.code,
        "evaluation": evaluation,
        "table": table,
        "chart": ep.chart(evaluation),
        "notes": ep.notes(evaluation),
        "previous_url": ep.evaluation_url(object_type, period.previous()),
        "type_label": ep.OBJECT_TYPE_LABELS[object_type],
    }
    return render(request, "web/evaluation/page.html", context)


def _groups(current: str) -> list[dict]:
    return [
        {
            "label": label,
            "types": [
                {"code": code, "label": ep.OBJECT_TYPE_LABELS[code], "active": code == current} for code in types
            ],
        }
        for label, types in ep.OBJECT_GROUPS
    ]

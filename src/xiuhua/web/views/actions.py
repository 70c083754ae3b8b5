"""POST an action from any page: the form's inputs become `apply_action`'s parameters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiuhua.cases import queries
from xiuhua.cases.choices import Action
from xiuhua.cases.workflow import apply_action
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.web.actions import ActionForm
from xiuhua.web.errors import page_not_found
from xiuhua.web.views.case_detail import render_case
from xiuhua.web.views.shell import safe_next


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    if action not in Action.values:
        return page_not_found(request, _("Unknown action «%(action)s»") % {"action": action})
    form = ActionForm(request.POST, case=case)
    if not form.is_valid():
        problems = "；".join(f"{form.fields[name].label}：{' '.join(errors)}" for name, errors in form.errors.items())
        return render_case(request, case, error=problems, status=400)
    params = form.params_for(action, request.user)
    try:
        apply_action(
            number,
            action,
            request.user,
            params,
            files=request.FILES.getlist("photos"),
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        return render_case(request, case, error=exc.message, status=exc.status_code)
    label = dict(Action.choices)[action]
    messages.success(request, _("%(action)s: done for case %(number)s") % {"action": label, "number": number})
    return redirect(safe_next(request, reverse("web:case_detail", args=[number])))

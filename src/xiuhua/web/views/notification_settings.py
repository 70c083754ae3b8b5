"""通知设置: each staff user chooses the outside channels (SMS, 政务微信, e-mail) of each kind of message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiuhua.core.errors import DomainError
from xiuhua.notify.preferences import addresses, kinds_for, preference_rows, save_preferences


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        # Each kind's checkboxes are named "kind:<kind>"; a kind with none ticked is posted as nothing at all.
        # A kind posted that is not the user's (a crafted form) is refused by the service, not ignored.
        posted = {
            key.removeprefix("kind:"): request.POST.getlist(key) for key in request.POST if key.startswith("kind:")
        }
        chosen = {kind: [] for kind in kinds_for(request.user)} | posted
        try:
            save_preferences(request.user, chosen)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "通知设置已保存")
            return redirect("web:notification_settings")
    context = {"rows": preference_rows(request.user), "addresses": addresses(request.user), "error": error}
    return render(request, "web/notification_settings.html", context, status=400 if error else 200)

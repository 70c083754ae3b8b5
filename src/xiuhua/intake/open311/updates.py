"""mySociety's `servicerequestupdates` POST: a citizen's comment on a case, kept as an `Open311Update`.

The case's status never changes here (a citizen cannot move the workflow); the status the client sent is
kept as it came. The client's own `update_id` makes a retry return the update stored the first time.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiuhua.accounts.models import ApiKey
from xiuhua.cases.models import Case
from xiuhua.core.errors import NotFound
from xiuhua.intake.models import Open311Update
from xiuhua.intake.open311 import params as p
from xiuhua.intake.services import MAX_DESCRIPTION


def _case(number: str) -> Case:
    case = Case.objects.filter(number=number).order_by("id").first()
    if case is None:
        raise NotFound(f"未找到 service_request_id 为「{number}」的请求")
    return case


def _earlier(client: ApiKey, client_update_id: str) -> Open311Update | None:
    if not client_update_id:
        return None
    return Open311Update.objects.filter(client=client, client_update_id=client_update_id).first()


def post_update(params: p.Params, client: ApiKey, now: datetime | None = None) -> Open311Update:
    now = now or timezone.now()
    case = _case(params.required("service_request_id"))
    client_update_id = p.limited_text(params, "update_id", 64)
    if earlier := _earlier(client, client_update_id):
        return earlier
    description = p.plain_text(params, "description", MAX_DESCRIPTION)
    if not description:
        raise p.BadParam("缺少必填参数 description")
    update = Open311Update(
        case=case,
        client=client,
        client_update_id=client_update_id,
        status=p.limited_text(params, "status", 40),
        description=description,
        first_name=p.limited_text(params, "first_name", 50),
        last_name=p.limited_text(params, "last_name", 50),
        email=p.email(params),
        phone=p.limited_text(params, "phone", 30),
        media_url=p.url(params, "media_url"),
        updated_at=p.aware_datetime("updated_datetime", params.get("updated_datetime")) or now,
        received_at=now,
    )
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        # The same update sent twice at once: the first one stored it.
        if earlier := _earlier(client, client_update_id):
            return earlier
        raise
    return update

"""Floor endpoints for the write-path benchmarks, and the bench URL conf (`ROOT_URLCONF = "floor"`).

A floor is the least a correct implementation has to do for the same request, served by the same waitress server
and middleware stack as the real endpoint, so the two can be compared in one run:

- `POST /bench/floor/reports`: a case copied from a template (the latest case, made by the real endpoint) with this
  report's description, point and phone, and its first event (hash-chained, as the real one), in one transaction:
  BEGIN, INSERT case, INSERT event, COMMIT. With photos (multipart field `photos`): each original is stored
  (streamed to the media folder with its sha256) before the transaction, and the transaction also inserts the
  attachment rows. No public copy, no decoding. JSON answer shaped like `POST /api/v1/reports`.
- `POST /bench/floor/cases/<number>/actions/<action>`: a plain row lock (the case with its last event's hash, one
  SELECT … FOR UPDATE), an UPDATE of status and version, an INSERT of the event, plus stored originals and their
  attachment rows as above. JSON answer: number, status, version.

No authentication on these (a floor has none to pay for): they exist only while a bench script runs, in this URL
conf, which includes the project's own URLs unchanged.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from functools import cache

from django.db import models, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

# Where each floor action leaves the case (the statuses of the loop in bench/loop.py).
TO_STATUS = {
    "accept": "accepted",
    "register": "registered",
    "dispatch": "dispatched",
    "handle": "handling",
    "report_back": "handled",
    "check": "checking",
    "check_result": "checked",
    "close": "closed",
    "callback": "closed",
}
STAGE = {"report": "before", "report_back": "after", "check_result": "after"}

# Floor case numbers: F + run stamp + sequence (13 characters, unique per district across runs).
_numbers = itertools.count(1)
_run = int(time.time()) % 1_000_000


@cache
def _template() -> dict:
    """Column values of the latest case (one the real endpoint made in this run), minus what differs per report.

    The latest, not the first: a reused database holds cases of earlier runs whose personal fields were encrypted
    with another run's data key (each run has its own temporary XIUHUA_VAR_DIR)."""
    from xiuhua.cases.models import Case

    case = Case.objects.select_related("community", "subdistrict").order_by("-id").first()
    if case is None:
        raise RuntimeError("the floor copies a case made by the real endpoint: send one real report first")
    values = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    values.update(intake_key=None, parent_id=None, status="reported", version=1, closed_at=None)
    return {"values": values, "community": case.community.name, "subdistrict": case.subdistrict.name}


def _body(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        return json.loads(request.body or b"{}")
    return request.POST.dict()


def _store(request: HttpRequest) -> list[dict]:
    """Each uploaded photo streamed to the media folder with its sha256, outside any transaction."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = []
    for upload in request.FILES.getlist("photos"):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        sha = digest.hexdigest()
        name = default_storage.save(f"bench-floor/{sha[:2]}/{sha}.jpg", ContentFile(upload.read()))
        stored.append({"file": name, "sha256": sha, "size": upload.size, "name": upload.name})
    return stored


def _attachments(case_id: int, event, stored: list[dict], stage: str, now) -> None:
    from xiuhua.cases.models import CaseAttachment

    if stored:
        rows = [
            CaseAttachment(
                case_id=case_id,
                event=event,
                stage=stage,
                file=s["file"],
                original_name=s["name"],
                content_type="image/jpeg",
                size=s["size"],
                sha256=s["sha256"],
                uploaded_at=now,
            )
            for s in stored
        ]
        CaseAttachment.objects.bulk_create(rows)


def _insert_event(event) -> None:
    """INSERT only: CaseEvent.save would first read the case's last hash, which the floor already has."""
    models.Model.save(event, force_insert=True)


@csrf_exempt
def floor_report(request: HttpRequest) -> JsonResponse:
    from xiuhua.cases.models import Case, CaseEvent
    from xiuhua.core.chain import GENESIS

    body, stored, template = _body(request), _store(request), _template()
    now = timezone.now()
    lng, lat = float(body["lng"]), float(body["lat"])
    values = {
        **template["values"],
        "number": f"F{_run:06d}{next(_numbers):06d}",
        "description": body.get("description", ""),
        "reporter_phone": body.get("reporter_phone", ""),
        "lng": lng,
        "lat": lat,
        "original_lng": lng,
        "original_lat": lat,
        "reported_at": now,
    }
    with transaction.atomic():
        case = Case.objects.create(**values)
        event = CaseEvent(case=case, action="report", to_status="reported", at=now)
        event.seal(GENESIS)
        _insert_event(event)
        _attachments(case.pk, event, stored, STAGE["report"], now)
    answer = {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "grid_code": case.grid_code,
        "community_name": template["community"],
        "subdistrict_name": template["subdistrict"],
        "repeat_complaint": case.repeat_complaint,
        "created": True,
    }
    return JsonResponse(answer, status=201)


@csrf_exempt
def floor_action(request: HttpRequest, number: str, action: str) -> JsonResponse:
    from django.db.models import OuterRef, Subquery

    from xiuhua.cases.models import Case, CaseEvent
    from xiuhua.core.chain import GENESIS

    stored = _store(request)
    now = timezone.now()
    last_hash = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-id").values("hash")[:1]
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .annotate(last_hash=Subquery(last_hash))
            .only("id", "status", "version")
            .get(number=number)
        )
        to_status = TO_STATUS[action]
        Case.objects.filter(pk=case.pk).update(status=to_status, version=case.version + 1, updated_at=now)
        event = CaseEvent(case_id=case.pk, action=action.removesuffix("_result"), from_status=case.status)
        event.to_status, event.at = to_status, now
        event.seal(case.last_hash or GENESIS)
        _insert_event(event)
        _attachments(case.pk, event, stored, STAGE.get(action, "other"), now)
    return JsonResponse({"number": number, "status": to_status, "version": case.version + 1})


urlpatterns = [
    path("bench/floor/reports", floor_report),
    path("bench/floor/cases/<str:number>/actions/<str:action>", floor_action),
    path("", include("xiuhua.platform.urls")),
]
